"""chalicelib/ holds packages only, each in one layer, and imports point down
the layers (docs/architecture.md draws them): a module imports its own layer
and the ones below, never one above."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.imports import CHALICELIB, imported_modules

# Bottom to top. A package added later must be placed here before tests pass.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"platform"}),                                  # settings, AWS clients, ids, metrics
    frozenset({"core", "db"}),                                # domain errors, models, storage
    frozenset({"users", "contact", "dashboard", "outbox", "forms", "autoresponder", "attachments",
               "spam", "audit", "people"}),                   # the domain
    frozenset({"http", "api", "auth"}),                       # the HTTP edge and the wiring
)
# The few imports that point up, each for a reason: the settings default from
# the outbox's timing constants and the retention's, and check the CAPTCHA
# provider names and the spam rules' seed (lazily),
# and an SSM parameter that cannot be read is the domain's DependencyUnavailable.
ALLOWED_UPWARDS = frozenset({
    ("chalicelib.platform.aws", "chalicelib.outbox.timing"),
    ("chalicelib.platform.config", "chalicelib.outbox.timing"),
    ("chalicelib.platform.config", "chalicelib.contact.captcha"),
    ("chalicelib.platform.config", "chalicelib.core.retention"),
    ("chalicelib.platform.config", "chalicelib.spam.rules"),
    ("chalicelib.platform.parameters", "chalicelib.core.domain_errors"),
})


def layer_of(package: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if package in names)


def chalicelib_imports(path: Path) -> set[str]:
    """The chalicelib modules `path` imports, type-checking and function-level ones included."""
    return {name for name in imported_modules(path) if name.startswith("chalicelib.")}


def modules() -> list[tuple[str, Path]]:
    return sorted((".".join(path.relative_to(CHALICELIB.parent).with_suffix("").parts), path)
                  for path in CHALICELIB.rglob("*.py"))


def test_chalicelib_has_no_loose_modules() -> None:
    assert sorted(p.name for p in CHALICELIB.glob("*.py")) == ["__init__.py"]


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in CHALICELIB.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set().union(*LAYERS)


@pytest.mark.parametrize(("module", "path"), modules(), ids=lambda v: v if isinstance(v, str) else "")
def test_imports_point_down_the_layers(module: str, path: Path) -> None:
    if module == "chalicelib.__init__":
        return
    own = layer_of(module.split(".")[1])
    upwards = sorted(name for name in chalicelib_imports(path)
                     if layer_of(name.split(".")[1]) > own and (module, name) not in ALLOWED_UPWARDS)
    assert upwards == [], f"{module} imports a higher layer: {upwards}"


def test_the_check_sees_an_upward_import() -> None:
    # The edge imports the domain, so read the other way round the rule fails.
    api_users = CHALICELIB / "api" / "users.py"
    assert any(layer_of(name.split(".")[1]) < layer_of("api") for name in chalicelib_imports(api_users))


def test_every_allowed_upward_import_is_still_made() -> None:
    made = {(module, name) for module, path in modules() for name in chalicelib_imports(path)}
    assert ALLOWED_UPWARDS <= made
