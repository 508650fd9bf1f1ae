"""The project copy that `make deploy` and `make check-package` hand to Chalice
carries precompiled bytecode for the Lambda runtime's Python that it uses as it
is, and `make deploy` runs `chalice deploy` in that copy, for the runtime of
infra/runtime.py whatever Python runs it. (`make check-package` checks the zip
itself.)"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra import chalice_cli
from infra.chalice_config import CONFIG_FILE, read_config, stage_files, write_files
from infra.deploy import Project, run_chalice
from infra.interpreters import Interpreter, find, this_interpreter
from infra.packaging import (
    RUNTIME_CACHE_TAG,
    VENDOR_DIR,
    bytecode_problem,
    cached_pyc,
    project_copy,
    runtime_interpreter,
    sourceless_pyc,
)
from infra.runtime import LAMBDA_RUNTIME, python_version
from infra.stages import PROJECT_DIR
from tests.support.settings import EXAMPLE_STAGES

# Imports every chalicelib module from the copy the way Lambda would (nothing
# written, nothing cached) and lists the ones Python had to compile from source.
PROBE = """
import importlib, importlib.machinery, json, pkgutil, sys
compiled = []
to_code = importlib.machinery.SourceFileLoader.source_to_code
def recording(self, data, path, **kwargs):
    compiled.append(path)
    return to_code(self, data, path, **kwargs)
importlib.machinery.SourceFileLoader.source_to_code = recording
import chalicelib
names = [m.name for m in pkgutil.walk_packages(chalicelib.__path__, "chalicelib.")]
loaders = {type(importlib.import_module(name).__spec__.loader).__name__ for name in names}
print(json.dumps({"imported": names, "compiled": compiled, "loaders": sorted(loaders)}))
"""


def test_the_copy_carries_bytecode_python_uses_without_compiling(tmp_path: Path) -> None:
    # Compiled by this interpreter, so that it can import the copy with .venv's packages.
    copy = project_copy("dev", tmp_path / "copy", compiler=this_interpreter)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "STAGE": "local"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=copy, env=env, check=True,
                            capture_output=True, text=True, timeout=120)
    report = json.loads(result.stdout.splitlines()[-1])
    assert len(report["imported"]) > 40
    assert [path for path in report["compiled"] if "chalicelib" in path] == []
    assert report["loaders"] == ["SourcelessFileLoader"]  # bytecode alone, no source read
    assert list((copy / "chalicelib").rglob("*.py")) == []
    assert list((copy / "chalicelib").rglob("__pycache__")) == []


def test_a_traceback_names_the_repository_s_file_and_line(tmp_path: Path) -> None:
    copy = project_copy("dev", tmp_path / "copy", compiler=this_interpreter)
    probe = ("import chalicelib.platform.ids as m, sys; "
             "print(m.__file__.endswith('ids.pyc'), m.is_ulid.__code__.co_filename)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=copy, check=True, timeout=60,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                            capture_output=True, text=True)
    assert result.stdout.split() == ["True", "chalicelib/platform/ids.py"]


@pytest.fixture(scope="module")
def runtime_python() -> Interpreter:
    found = runtime_interpreter()
    if found is None:
        pytest.skip(f"no Python of the {LAMBDA_RUNTIME} runtime on this machine (pyenv has one here)")
    return found


def test_app_chalices_runtime_and_msgspec_get_the_runtime_s_bytecode_at_the_zips_root(
        tmp_path: Path, runtime_python: Interpreter) -> None:
    copy = project_copy("dev", tmp_path / "copy")
    assert RUNTIME_CACHE_TAG == "cpython-{}{}".format(*python_version(LAMBDA_RUNTIME))
    app_pyc = copy / VENDOR_DIR / cached_pyc("app.py")
    assert app_pyc.name == f"app.{RUNTIME_CACHE_TAG}.pyc"
    assert bytecode_problem((copy / "app.py").read_bytes(), app_pyc.read_bytes(),
                            runtime_python.magic) is None
    assert (copy / VENDOR_DIR / cached_pyc("chalice/app.py")).is_file()
    assert (copy / VENDOR_DIR / cached_pyc("msgspec/inspect.py")).is_file()
    cached = {path.name.split(".")[1] for path in copy.rglob("__pycache__/*.pyc")}
    assert cached == {RUNTIME_CACHE_TAG}  # whatever Python runs the packaging
    ids = copy / sourceless_pyc("chalicelib/platform/ids.py")
    assert bytecode_problem((PROJECT_DIR / "chalicelib" / "platform" / "ids.py").read_bytes(),
                            ids.read_bytes(), runtime_python.magic) is None


def test_bytecode_is_that_of_the_interpreter_that_compiles_it(tmp_path: Path) -> None:
    other = next((found for version in ((3, 12), (3, 11), (3, 13))
                  if version != sys.version_info[:2] and (found := find(version))), None)
    if other is None:
        pytest.skip("needs a second Python version beside this one (pyenv has several here)")
    copy = project_copy("dev", tmp_path / "copy", compiler=lambda: other)
    app_pyc = (copy / VENDOR_DIR / cached_pyc("app.py", other.cache_tag)).read_bytes()
    assert bytecode_problem((copy / "app.py").read_bytes(), app_pyc, other.magic) is None
    assert bytecode_problem((copy / "app.py").read_bytes(), app_pyc,
                            this_interpreter().magic) == "built for another Python version"
    module = copy / sourceless_pyc("chalicelib/platform/ids.py")
    assert bytecode_problem((PROJECT_DIR / "chalicelib" / "platform" / "ids.py").read_bytes(),
                            module.read_bytes(), other.magic) is None
    assert bytecode_problem(b"changed = 1\n", module.read_bytes(), other.magic) == \
        "built from another version of the source"


def test_without_the_runtime_s_python_the_copy_has_no_bytecode_and_says_so(tmp_path: Path) -> None:
    said: list[str] = []
    copy = project_copy("dev", tmp_path / "copy", compiler=lambda: None, say=said.append)
    assert list(copy.rglob("*.pyc")) == []
    assert (copy / "chalicelib" / "platform" / "ids.py").is_file()  # the sources stay, then
    major, minor = python_version(LAMBDA_RUNTIME)
    assert said == [f"no Python {major}.{minor} on this machine to compile for the {LAMBDA_RUNTIME} "
                    "runtime: the zip ships without .pyc files (each cold start compiles the code)"]


def test_chalice_packages_the_runtime_it_is_given_not_the_running_python_s(tmp_path: Path) -> None:
    """Offline: no requirements, so Chalice downloads nothing. Chalice would say
    python3.x of the Python running it; the wheels it picks follow the same value."""
    generated = tmp_path / "generated"
    write_files(generated, stage_files(read_config(CONFIG_FILE), EXAMPLE_STAGES["dev"], outputs=None))
    copy = project_copy("dev", tmp_path / "copy", generated=generated, compiler=lambda: None,
                        say=lambda line: None)
    (copy / "requirements.txt").write_text("")
    other = "python3.12" if sys.version_info[:2] != (3, 12) else "python3.11"
    for runtime in (other, LAMBDA_RUNTIME):
        out = tmp_path / runtime
        subprocess.run(chalice_cli.command("package", "--stage", "dev", str(out), runtime=runtime),
                       cwd=copy, env={**chalice_cli.environment(), "AWS_DEFAULT_REGION": "us-east-1"},
                       check=True, capture_output=True, timeout=300)
        template = json.loads((out / "sam.json").read_text())
        runtimes = {r["Properties"]["Runtime"] for r in template["Resources"].values()
                    if r["Type"] == "AWS::Serverless::Function"}
        assert runtimes == {runtime}


def test_every_chalice_command_of_ours_is_for_the_chosen_runtime() -> None:
    assert chalice_cli.command("deploy", "--stage", "dev")[1:] == [
        "-m", "infra.chalice_cli", "--runtime", LAMBDA_RUNTIME, "deploy", "--stage", "dev"]


class RecordingPip:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def main(self, args: list[str], env_vars: object = None, shim: object = None) -> tuple[int, bytes, bytes]:
        self.calls.append(args)
        return 0, b"", b""


def test_pip_is_asked_for_the_runtime_s_wheels_as_that_python_would_be(tmp_path: Path) -> None:
    """Without --python-version, pip offers the running Python's wheels only, and a
    cp313 build never matches on 3.11 or 3.12: the zip went without msgspec."""
    pip = RecordingPip()
    runner = chalice_cli.pip_runner_for("python3.13")(pip)  # type: ignore[arg-type]
    runner.download_all_dependencies(str(tmp_path / "requirements.txt"), str(tmp_path))
    runner.download_manylinux_wheels("cp313", ["msgspec==0.22.0"], str(tmp_path),
                                     ["manylinux2014_aarch64"])
    resolve, wheels = pip.calls
    assert "--python-version" not in resolve
    assert wheels[:3] == ["download", "--python-version", "3.13"]
    assert wheels[wheels.index("--abi") + 1] == "cp313"


def test_chalice_s_per_function_configs_keep_the_runtime() -> None:
    config = chalice_cli.config_for("python3.12")(chalice_stage="dev")
    assert config.lambda_python_version == "python3.12"
    assert config.scope("dev", "api_handler").lambda_python_version == "python3.12"


FAKE_CHALICE = """#!{python}
import json, pathlib, sys
here = pathlib.Path.cwd()
before = here / ".chalice" / "deployed" / "dev.json"
record = {{"args": sys.argv[1:], "cwd": str(here),
          "before": json.loads(before.read_text()) if before.exists() else None,
          "pycs": len(list((here / "chalicelib").rglob("*.pyc")))}}
before.parent.mkdir(parents=True, exist_ok=True)
before.write_text(json.dumps(record))
"""


def test_deploy_runs_chalice_in_the_compiled_copy_and_keeps_its_record(tmp_path: Path) -> None:
    root = tmp_path / "project"
    project_copy("dev", root)  # a project as the repository holds it
    (root / ".chalice" / "deployed").mkdir()
    (root / ".chalice" / "deployed" / "dev.json").write_text('{"resources": "earlier"}')
    fake = tmp_path / "chalice"
    fake.write_text(FAKE_CHALICE.format(python=sys.executable))
    fake.chmod(0o755)
    project = Project(root)
    # What deploy generates first: the stage's config and role policy.
    write_files(project.generated("dev"), stage_files(
        read_config(project.chalice_config), EXAMPLE_STAGES["dev"], outputs=None))

    run_chalice(project, chalice=fake)(["deploy", "--stage", "dev"])

    record = json.loads(project.deployed("dev").read_text())
    assert record["args"] == ["deploy", "--stage", "dev"]
    assert Path(record["cwd"]) == project.deploy_copy
    assert record["before"] == {"resources": "earlier"}  # it updates what it deployed before
    assert record["pycs"] > 40
    copied = json.loads((project.deploy_copy / ".chalice" / "config.json").read_text())
    assert copied["stages"]["dev"]["iam_policy_file"] == "policy-dev.json"
    assert (project.deploy_copy / ".chalice" / "policy-dev.json").is_file()
    # The project's own (tracked) config is left as it was.
    assert list(read_config(project.chalice_config)["stages"]) == ["local"]
