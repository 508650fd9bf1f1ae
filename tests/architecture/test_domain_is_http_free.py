"""The domain knows nothing of HTTP: no module under db/ or a domain package
imports the HTTP plumbing, the HTTP errors, the HTTP edge or Chalice. Domain
errors are mapped to statuses in one table (chalicelib/http/domain_errors.py)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from chalicelib import domain_errors
from chalicelib.http.domain_errors import api_error_for

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"
DOMAIN_PACKAGES = ("db", "users", "contact", "dashboard", "outbox")
HTTP_MODULES = ("chalicelib.http", "chalicelib.errors", "chalicelib.api", "chalice")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def domain_modules() -> list[Path]:
    return sorted(path for package in DOMAIN_PACKAGES
                  for path in (CHALICELIB / package).rglob("*.py"))


def test_the_domain_packages_exist() -> None:
    assert len(domain_modules()) > 20  # the walk below sees real code


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: str(p.relative_to(CHALICELIB)))
def test_no_domain_module_imports_http(path: Path) -> None:
    http_imports = {name for name in imported_modules(path)
                    if any(name == m or name.startswith(m + ".") for m in HTTP_MODULES)}
    assert http_imports == set(), f"{path.name} imports {sorted(http_imports)}"


def every_domain_error() -> list[type[domain_errors.DomainError]]:
    found, todo = [], [domain_errors.DomainError]
    while todo:
        cls = todo.pop()
        found += cls.__subclasses__()
        todo += cls.__subclasses__()
    return found


@pytest.mark.parametrize("error_class", every_domain_error(), ids=lambda c: c.__name__)
def test_every_domain_error_has_an_http_status(error_class: type[domain_errors.DomainError]) -> None:
    error = error_class(1) if error_class is domain_errors.RateExceeded else error_class()  # type: ignore[call-arg]
    assert 400 <= api_error_for(error).status < 600
