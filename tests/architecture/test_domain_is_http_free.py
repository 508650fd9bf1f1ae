"""The domain knows nothing of HTTP: no module under db/ or a domain package
reaches, through any chain of imports, the HTTP plumbing, the HTTP errors, the
HTTP edge or Chalice. Domain errors are mapped to statuses in one table at the
edge (chalicelib/http/error_map.py)."""
from __future__ import annotations

import pytest

from chalicelib.core import domain_errors
from chalicelib.http.error_map import ERROR_MAP, api_error_of
from tests.architecture.imports import CHALICELIB, imported_modules, module_path

# The HTTP side of chalicelib; every other package is domain (or platform) code,
# so a package added later is held to the rule without being listed here.
EDGE_PACKAGES = frozenset({"http", "api", "auth"})
HTTP_MODULES = ("chalicelib.http", "chalicelib.http.errors", "chalicelib.api", "chalice")


def forbidden(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in HTTP_MODULES)


def http_chain(start: str) -> list[str] | None:
    """The import chain from `start` to an HTTP module, or None if there is none."""
    seen = {start}
    todo: list[list[str]] = [[start]]
    while todo:
        chain = todo.pop(0)
        path = module_path(chain[-1])
        if path is None:
            continue
        for name in sorted(imported_modules(path)):
            if forbidden(name):
                return [*chain, name]
            if name not in seen:
                seen.add(name)
                todo.append([*chain, name])
    return None


def domain_modules() -> list[str]:
    packages = [p for p in CHALICELIB.iterdir()
                if (p / "__init__.py").is_file() and p.name not in EDGE_PACKAGES]
    return sorted(".".join(path.relative_to(CHALICELIB.parent).with_suffix("").parts)
                  for package in packages for path in package.rglob("*.py"))


def test_the_domain_packages_exist() -> None:
    names = domain_modules()
    assert len(names) > 20  # the walk below sees real code
    for package in ("db", "users", "contact", "dashboard", "outbox", "forms", "attachments",
                    "autoresponder"):
        assert any(name.startswith(f"chalicelib.{package}.") for name in names)


def test_the_walk_follows_imports_through_loose_modules() -> None:
    # The edge itself reaches Chalice: the walk can find what it looks for.
    assert http_chain("chalicelib.http.openapi") is not None
    assert http_chain("chalicelib.api.services") is not None


@pytest.mark.parametrize("module", domain_modules())
def test_no_domain_module_reaches_http(module: str) -> None:
    chain = http_chain(module)
    assert chain is None, " imports ".join(chain or [])


def every_domain_error() -> list[type[domain_errors.DomainError]]:
    found, todo = [], [domain_errors.DomainError]
    while todo:
        cls = todo.pop()
        found += cls.__subclasses__()
        todo += cls.__subclasses__()
    return found


@pytest.mark.parametrize("error_class", every_domain_error(), ids=lambda c: c.__name__)
def test_every_domain_error_has_an_http_status(error_class: type[domain_errors.DomainError]) -> None:
    assert any(issubclass(error_class, mapped) for mapped in ERROR_MAP)
    error = error_class(1) if error_class is domain_errors.RateExceeded else error_class()  # type: ignore[call-arg]
    assert 400 <= api_error_of(error).status < 600
