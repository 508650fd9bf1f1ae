"""The Pythons on this machine: the Lambda runtime's one (infra/runtime.py) for
.venv and for the bytecode in the function zip.

A version is looked for as `pythonX.Y` on PATH and under pyenv's versions
(pyenv's `pythonX.Y` shim refuses to run a version that is installed but not
selected, so its own folder is tried first). Run by `make install` with the
machine's bare python3, so standard library only:

    python3 -m infra.interpreters version      # the version .venv should have: 3.13
    python3 -m infra.interpreters venv .venv   # builds .venv with it, or rebuilds one of another version
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from infra.runtime import LAMBDA_RUNTIME, python_version

OLDEST = (3, 11)
NEWEST_TRIED = (3, 20)

# What a .pyc written by an interpreter starts with, and how it is named.
PROBE = ("import importlib.util, json, sys; print(json.dumps([list(sys.version_info[:2]), "
         "importlib.util.MAGIC_NUMBER.hex(), sys.implementation.cache_tag]))")


@dataclass(frozen=True)
class Interpreter:
    path: Path
    version: tuple[int, int]
    magic: bytes  # importlib.util.MAGIC_NUMBER
    cache_tag: str  # cpython-313: `__pycache__/x.cpython-313.pyc`

    @property
    def shown(self) -> str:
        return f"Python {self.version[0]}.{self.version[1]} ({self.path})"


def this_interpreter() -> Interpreter:
    import importlib.util

    return Interpreter(Path(sys.executable), (sys.version_info[0], sys.version_info[1]),
                       importlib.util.MAGIC_NUMBER, sys.implementation.cache_tag or "")


def probe(path: Path) -> Interpreter | None:
    """What the interpreter at `path` is; None when it does not run."""
    try:
        result = subprocess.run([str(path), "-c", PROBE], capture_output=True, text=True,
                                timeout=60, check=True, stdin=subprocess.DEVNULL)
        (major, minor), magic, cache_tag = json.loads(result.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return Interpreter(path, (int(major), int(minor)), bytes.fromhex(magic), str(cache_tag))


def pyenv_root(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("PYENV_ROOT") or Path(environ.get("HOME", "~")).expanduser() / ".pyenv")


def candidates(version: tuple[int, int], environ: Mapping[str, str]) -> Iterator[Path]:
    """Where that version may be, in the order tried: pyenv's own folders (newest patch
    first; a free-threaded `3.13.0t` build needs other wheels, so not those), then PATH."""
    versions = pyenv_root(environ) / "versions"
    pattern = re.compile(rf"{version[0]}\.{version[1]}\.(\d+)")
    found = [(int(match.group(1)), folder) for folder in (versions.iterdir() if versions.is_dir() else ())
             if (match := pattern.fullmatch(folder.name))]
    for _, folder in sorted(found, reverse=True):
        yield folder / "bin" / "python3"
    on_path = shutil.which(f"python{version[0]}.{version[1]}", path=environ.get("PATH"))
    if on_path:
        yield Path(on_path)


THIS = this_interpreter()


def find(version: tuple[int, int], environ: Mapping[str, str] = os.environ,
         run: Callable[[Path], Interpreter | None] = probe,
         current: Interpreter | None = THIS) -> Interpreter | None:
    """An interpreter of that version on this machine, the running one first."""
    if current is not None and current.version == version:
        return current
    for path in candidates(version, environ):
        found = run(path)
        if found is not None and found.version == version:
            return found
    return None


@dataclass(frozen=True)
class Choice:
    interpreter: Interpreter
    note: str | None  # one line when it is not the runtime's version


def choose_for_venv(runtime: str = LAMBDA_RUNTIME, environ: Mapping[str, str] = os.environ,
                    run: Callable[[Path], Interpreter | None] = probe,
                    current: Interpreter | None = THIS) -> Choice:
    """The runtime's Python, else the newest one from 3.11 on (saying so)."""
    wanted = python_version(runtime)
    found = find(wanted, environ, run, current)
    if found is not None:
        return Choice(found, None)
    for minor in range(NEWEST_TRIED[1], OLDEST[1] - 1, -1):
        fallback = find((3, minor), environ, run, current) if (3, minor) != wanted else None
        if fallback is not None:
            return Choice(fallback, f"no Python {wanted[0]}.{wanted[1]} (the Lambda runtime {runtime}, "
                                    f"infra/runtime.py) on this machine: .venv uses {fallback.shown}")
    raise LookupError(f"Frontdesk needs Python {wanted[0]}.{wanted[1]} (or at least "
                      f"{OLDEST[0]}.{OLDEST[1]}), and this machine has neither on PATH or in pyenv")


def ensure_venv(venv: Path, choice: Choice, say: Callable[[str], None] = print) -> bool:
    """Builds `venv` with the chosen Python unless it already has that version; True if built."""
    wanted = choice.interpreter
    existing = probe(venv / "bin" / "python") if (venv / "bin" / "python").exists() else None
    if existing is not None and existing.version == wanted.version:
        return False
    if choice.note:
        say(choice.note)
    if venv.is_symlink():  # a worktree's link to another checkout's venv: leave that one alone
        venv.unlink()
    elif venv.exists():
        old = (f"Python {existing.version[0]}.{existing.version[1]}" if existing
               else "a Python that no longer runs")
        say(f"{venv} was built with {old}: rebuilding it with {wanted.shown}")
        shutil.rmtree(venv)
    subprocess.run([str(wanted.path), "-m", "venv", str(venv)], check=True)
    return True


def main(argv: list[str]) -> int:
    try:
        choice = choose_for_venv()
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if argv == ["version"]:
        print(f"{choice.interpreter.version[0]}.{choice.interpreter.version[1]}")
        return 0
    if len(argv) == 2 and argv[0] == "venv":
        ensure_venv(Path(argv[1]), choice)
        return 0
    print("usage: python3 -m infra.interpreters version | venv DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
