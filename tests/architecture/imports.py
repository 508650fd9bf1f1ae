"""What a chalicelib module imports, read from its source: the one import walker
of the architecture tests (the domain's freedom from HTTP, the layers)."""
from __future__ import annotations

import ast
import functools
from pathlib import Path

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"


def module_path(module: str) -> Path | None:
    """The file of a chalicelib module, or None for anything else."""
    if module != "chalicelib" and not module.startswith("chalicelib."):
        return None
    base = CHALICELIB.parent.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@functools.cache
def imported_modules(path: Path) -> frozenset[str]:
    """Every module `path` imports, type-checking imports and function-level ones included."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # `from chalicelib import text` imports the module chalicelib.text
            names.update(f"{node.module}.{alias.name}" for alias in node.names
                         if module_path(f"{node.module}.{alias.name}") is not None)
    return frozenset(names)
