"""The project copy that `make deploy` and `make check-package` hand to Chalice
carries precompiled bytecode that Python uses as it is, and `make deploy` runs
`chalice deploy` in that copy. (`make check-package` checks the zip itself.)"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from infra.chalice_config import read_config, stage_files, write_files
from infra.deploy import Project, run_chalice
from infra.packaging import VENDOR_DIR, bytecode_problem, cached_pyc, project_copy
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
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": names, "compiled": compiled}))
"""


def test_the_copy_carries_bytecode_python_uses_without_compiling(tmp_path: Path) -> None:
    copy = project_copy("dev", tmp_path / "copy")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "STAGE": "local"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=copy, env=env, check=True,
                            capture_output=True, text=True, timeout=120)
    report = json.loads(result.stdout.splitlines()[-1])
    assert len(report["imported"]) > 40
    assert [path for path in report["compiled"] if "chalicelib" in path] == []


def test_app_chalices_runtime_and_msgspec_get_bytecode_at_the_zips_root(tmp_path: Path) -> None:
    copy = project_copy("dev", tmp_path / "copy")
    app_pyc = copy / VENDOR_DIR / cached_pyc("app.py")
    assert bytecode_problem((copy / "app.py").read_bytes(), app_pyc.read_bytes()) is None
    assert (copy / VENDOR_DIR / cached_pyc("chalice/app.py")).is_file()
    assert (copy / VENDOR_DIR / cached_pyc("msgspec/inspect.py")).is_file()


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
