"""Chalice's command line, deploying and packaging for a given Lambda runtime
whatever Python runs it:

    python -m infra.chalice_cli --runtime python3.13 package --stage dev out/

Chalice takes the runtime from the interpreter running it
(`Config.lambda_python_version`: python{major}.{minor}), and from that the ABI of
the wheels it puts in the zip (`LambdaDeploymentPackager._RUNTIME_TO_ABI`:
cp313). It has no setting for either, so this gives its CLI a Config whose
runtime is the one asked for. `make deploy` and `make check-package` run it
with infra/runtime.py's LAMBDA_RUNTIME (see `command`).

Chalice then asks pip for wheels of that ABI (`PipRunner.download_manylinux_wheels`)
but leaves pip's target Python at the running one, for which pip never offers a
cp313-only wheel: the zip would go without msgspec. So pip is told the version too.

What it cannot change: pip still resolves the requirements' dependencies with
this Python's environment markers, which matters only for a requirement that
pins differently per Python version (msgspec does not).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chalice.cli import factory
from chalice.cli import main as chalice_main
from chalice.config import Config
from chalice.deploy import deployer
from chalice.deploy.packager import PipRunner

from infra.runtime import LAMBDA_RUNTIME, python_version

# Where `infra` is importable from, whatever folder Chalice runs in.
CODE_DIR = Path(__file__).resolve().parents[1]


def command(*args: str, runtime: str = LAMBDA_RUNTIME) -> list[str]:
    """`chalice <args>` for that runtime, as run by this interpreter (the one in .venv)."""
    return [sys.executable, "-m", "infra.chalice_cli", "--runtime", runtime, *args]


def environment(base: Mapping[str, str] = os.environ) -> dict[str, str]:
    """`command`'s environment: Chalice runs in the project's folder or a copy of it."""
    path = os.pathsep.join(p for p in (str(CODE_DIR), base.get("PYTHONPATH", "")) if p)
    return {**base, "PYTHONPATH": path}


def config_for(runtime: str) -> type[Config]:
    class ConfigForRuntime(Config):
        @property
        def lambda_python_version(self) -> str:
            return runtime

    return ConfigForRuntime


def pip_runner_for(runtime: str) -> type[PipRunner]:
    major, minor = python_version(runtime)

    class PipRunnerForRuntime(PipRunner):
        def _execute(self, command: str, args: list[str], env_vars: Any = None,
                     shim: str | None = None) -> tuple[int, bytes, bytes]:
            if command == "download" and "--abi" in args:  # only the wheels for Lambda
                args = ["--python-version", f"{major}.{minor}", *args]
            return super()._execute(command, args, env_vars, shim)

    return PipRunnerForRuntime


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "--runtime":
        print("usage: python -m infra.chalice_cli --runtime pythonX.Y CHALICE-ARGS...", file=sys.stderr)
        return 2
    # The CLI builds every Config through this name (CLIFactory.create_config_obj);
    # Config.scope() clones with self.__class__, so per-function configs keep it.
    factory.Config = config_for(argv[1])  # type: ignore[attr-defined]
    # Deploy and package build their packager's pip through this name (create_build_stage).
    deployer.PipRunner = pip_runner_for(argv[1])  # type: ignore[attr-defined]
    sys.argv = ["chalice", *argv[2:]]
    return int(chalice_main())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
