"""`chalice package` and `chalice deploy` of a copy of the project, with
precompiled bytecode. Used by `make deploy`, `make check-package` and
`make bench`; never touches the working tree's code.

Why bytecode: Lambda's /var/task is read-only, so Python cannot cache what it
compiles there, and without .pyc files in the zip every cold start compiles
app.py, chalicelib, Chalice's runtime module and msgspec's Python modules
from source. The .pyc files
are unchecked-hash ones: Chalice zips every file with the same 1980 mtime, so
timestamp-based ones would never match their source, and checking a hash
would read every source file again. They are built here, from the very files
Chalice zips, so they cannot be stale; `make check-package` checks each one
against its source in the zip.

Bytecode is per Python version, and it must be the Lambda runtime's
(infra/runtime.py), not that of the Python running this: it is compiled by an
interpreter of the runtime's version found on this machine
(infra/interpreters.py). With none, the zip ships without .pyc files, and
packaging says so.

Our own package, chalicelib, ships as bytecode alone: each module's .pyc
where its .py would be (Python's sourceless import), and no .py. That keeps
the zip within its 1 MB budget (issue 14) as the code grows: the sources were
a fifth of the zip. A traceback in the function's log still names each file
as the repository does (`chalicelib/api/users.py`) and its line, without the
line's text; the code is the repository's at the deployed commit. app.py,
Chalice's runtime module and msgspec keep their sources (Chalice zips them
from where they are installed).
"""
from __future__ import annotations

import _imp
import inspect
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

import chalice
import chalice.app

from infra import chalice_cli, chalice_config, interpreters
from infra.interpreters import Interpreter
from infra.runtime import LAMBDA_RUNTIME, python_version
from infra.stages import EXAMPLE_SETTINGS_FILE, PROJECT_DIR, load_stage

# Chalice zips vendor/'s contents at the root of the zip: the one way to ship
# a .pyc beside app.py, Chalice's runtime module and the requirements, which it
# zips as sources.
VENDOR_DIR = "vendor"
# How CPython names the runtime's bytecode: `__pycache__/app.cpython-313.pyc`.
RUNTIME_CACHE_TAG = "cpython-{}{}".format(*python_version(LAMBDA_RUNTIME))

# Run by the runtime's interpreter: (source, .pyc, name shown in tracebacks) on stdin.
COMPILE = """
import json, py_compile, sys
for source, pyc, shown_as in json.load(sys.stdin):
    py_compile.compile(source, cfile=pyc, dfile=shown_as, doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
"""


def runtime_interpreter() -> Interpreter | None:
    """This machine's Python of the Lambda runtime's version, if it has one."""
    return interpreters.find(python_version(LAMBDA_RUNTIME))


def cached_pyc(relative_source: str, cache_tag: str = RUNTIME_CACHE_TAG) -> str:
    """Where Python looks for a module's bytecode: `a/__pycache__/b.cpython-313.pyc`."""
    source = Path(relative_source)
    return str(source.parent / "__pycache__" / f"{source.stem}.{cache_tag}.pyc")


def bytecode_problem(source: bytes, pyc: bytes | None, magic: bytes) -> str | None:
    """Why a Python whose .pyc files start with `magic` (importlib.util.MAGIC_NUMBER)
    would not use this .pyc for this source (None: it would)."""
    if pyc is None:
        return "no .pyc"
    if pyc[:4] != magic:
        return "built for another Python version"
    flags = int.from_bytes(pyc[4:8], "little")
    if flags != 0b01:  # hash-based, source not checked (see above)
        return f"not an unchecked-hash .pyc (flags {flags:#b})"
    # importlib.util.source_hash of that Python: keyed by its magic number.
    if pyc[8:16] != _imp.source_hash(int.from_bytes(magic, "little"), source):
        return "built from another version of the source"
    return None


def requirement_sources(requirements: Path) -> Iterator[tuple[Path, str]]:
    """(installed file, path in the zip) of each Python module of the pinned
    requirements. Chalice unpacks the same release's wheel for Lambda's
    platform; its pure-Python files are the ones installed here."""
    for line in requirements.read_text().splitlines():
        requirement = line.split("#")[0].strip()
        if not requirement:
            continue
        name, _, version = requirement.partition("==")
        installed = metadata.distribution(name)
        if installed.version != version:
            raise RuntimeError(f"requirements.txt pins {name}=={version} but {installed.version} "
                               "is installed: its bytecode would not match the zip's sources")
        for file in installed.files or []:
            if file.suffix == ".py":
                yield Path(str(installed.locate_file(file))), file.as_posix()


def sourceless_pyc(relative_source: str) -> str:
    """Where a module shipped as bytecode alone is: `chalicelib/x.py` -> `chalicelib/x.pyc`."""
    return str(Path(relative_source).with_suffix(".pyc"))


def bytecode_jobs(root: Path, cache_tag: str) -> Iterator[tuple[Path, Path, str]]:
    """(source, .pyc, name shown in tracebacks) for every module of the zip."""
    for source in sorted((root / "chalicelib").rglob("*.py")):
        yield source, source.with_suffix(".pyc"), source.relative_to(root).as_posix()
    vendor = root / VENDOR_DIR
    yield root / "app.py", vendor / cached_pyc("app.py", cache_tag), "app.py"
    for module, shipped_as in ((chalice.app, "chalice/app.py"), (chalice, "chalice/__init__.py")):
        # The very files Chalice zips as its runtime (packager._iter_app_filenames).
        yield Path(inspect.getfile(module)), vendor / cached_pyc(shipped_as, cache_tag), shipped_as
    for installed, shipped_as in requirement_sources(root / "requirements.txt"):
        yield installed, vendor / cached_pyc(shipped_as, cache_tag), shipped_as


def compile_bytecode(root: Path, interpreter: Interpreter | None) -> None:
    """Bytecode for `interpreter`'s Python version, compiled by it; none without one."""
    if interpreter is None:
        return
    jobs = [(str(source), str(pyc), shown_as)
            for source, pyc, shown_as in bytecode_jobs(root, interpreter.cache_tag)]
    result = subprocess.run([str(interpreter.path), "-c", COMPILE], input=json.dumps(jobs),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{interpreter.shown} could not compile the package:\n{result.stderr}")
    for source in (root / "chalicelib").rglob("*.py"):
        source.unlink()  # shipped as bytecode alone (see above)


Say = Callable[[str], None]


def project_copy(stage: str, root: Path, architecture: str | None = None, *,
                 source: Path = PROJECT_DIR, with_deployed_state: bool = False,
                 generated: Path | None = None,
                 compiler: Callable[[], Interpreter | None] = runtime_interpreter,
                 say: Say = print) -> Path:
    """What `chalice package`, `chalice deploy` or `chalice delete` reads, with
    bytecode by the interpreter `compiler` finds (the runtime's). `generated`: the
    stage's config.json and role policy (infra/chalice_config.py), put into the
    copy's .chalice/ over the tracked config. `chalice deploy` also needs the
    record of what it deployed before."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(source / "chalicelib", root / "chalicelib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    state = ("deployments",) if with_deployed_state else ("deployed", "deployments")
    shutil.copytree(source / ".chalice", root / ".chalice", ignore=shutil.ignore_patterns(*state))
    if generated is not None:
        shutil.copytree(generated, root / ".chalice", dirs_exist_ok=True)
    for name in ("app.py", "requirements.txt"):
        shutil.copy(source / name, root / name)
    if architecture:
        config_file = root / ".chalice" / "config.json"
        config = chalice_config.read_config(config_file)
        config["stages"].setdefault(stage, {})["lambda_architecture"] = architecture
        chalice_config.write_config(config, config_file)
    interpreter = compiler()
    if interpreter is None:
        major, minor = python_version(LAMBDA_RUNTIME)
        say(f"no Python {major}.{minor} on this machine to compile for the {LAMBDA_RUNTIME} runtime: "
            "the zip ships without .pyc files (each cold start compiles the code)")
    compile_bytecode(root, interpreter)
    return root


def package(stage: str, region: str, out: Path, architecture: str | None = None,
            settings: Path = EXAMPLE_SETTINGS_FILE) -> None:
    """Writes out/deployment.zip and out/sam.json for LAMBDA_RUNTIME; raises with
    Chalice's output on failure. The stage's settings come from
    frontdesk.example.json unless told: packaging needs no owner's addresses, and
    the checks and the bench see the same."""
    generated = out.with_name(f"{out.name}-chalice")
    shutil.rmtree(generated, ignore_errors=True)
    chalice_config.write_files(generated, chalice_config.stage_files(
        chalice_config.read_config(chalice_config.CONFIG_FILE), load_stage(stage, settings),
        outputs=None))
    project = project_copy(stage, out.with_name(f"{out.name}-project"), architecture,
                           generated=generated)
    result = subprocess.run(chalice_cli.command("package", "--stage", stage, str(out)), cwd=project,
                            env={**chalice_cli.environment(), "AWS_DEFAULT_REGION": region},
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"chalice package failed:\n{result.stdout}{result.stderr}")
