"""`chalice package` of a copy of the project, as `make deploy` would package
it. Used by `make check-package` and `make bench`; never touches the working
tree."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from infra import chalice_config
from infra.stages import PROJECT_DIR


def project_copy(stage: str, root: Path, architecture: str | None = None) -> Path:
    """What `chalice package` reads."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(PROJECT_DIR / "chalicelib", root / "chalicelib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PROJECT_DIR / ".chalice", root / ".chalice",
                    ignore=shutil.ignore_patterns("deployed", "deployments"))
    for name in ("app.py", "requirements.txt"):
        shutil.copy(PROJECT_DIR / name, root / name)
    if architecture:
        config_file = root / ".chalice" / "config.json"
        config = chalice_config.read_config(config_file)
        config["stages"][stage]["lambda_architecture"] = architecture
        chalice_config.write_config(config, config_file)
    return root


def package(stage: str, region: str, out: Path, architecture: str | None = None) -> None:
    """Writes out/deployment.zip and out/sam.json; raises with Chalice's output on failure."""
    project = project_copy(stage, out.with_name(f"{out.name}-project"), architecture)
    chalice = Path(sys.executable).with_name("chalice")
    result = subprocess.run([str(chalice), "package", "--stage", stage, str(out)],
                            cwd=project, env={**os.environ, "AWS_DEFAULT_REGION": region},
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"chalice package failed:\n{result.stdout}{result.stderr}")
