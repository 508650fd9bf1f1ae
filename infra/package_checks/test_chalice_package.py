"""`chalice package` for each deployed stage, and cfn-lint on what it makes.

Run by `make check-package` (and .ci/run), not by `make test`: packaging
downloads Lambda-compatible wheels from the package index, so it is not
offline. It never reaches AWS; only a region must be set. A copy of the
project is packaged as `make deploy` would package it, with the Chalice config
and role policy generated from frontdesk.example.json's stages, so the checks
see what would deploy.
"""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_file

from infra.packaging import (
    RUNTIME_CACHE_TAG,
    bytecode_problem,
    cached_pyc,
    package,
    runtime_interpreter,
    sourceless_pyc,
)
from infra.policy import stage_policy
from infra.runtime import LAMBDA_RUNTIME
from infra.stages import EXAMPLE_SETTINGS_FILE, PROJECT_DIR, TEMPLATE_FILE, example_stages, load_stage

BUILD = PROJECT_DIR / "build" / "package"
# Everything else the function needs comes from the runtime (boto3); see
# docs/architecture.md, "Performance". Issue 14's budget; chalicelib ships as
# bytecode alone to stay within it (infra/packaging.py).
FUNCTION_ZIP_BUDGET_BYTES = 1_000_000
# Top-level entries the zip may hold: our code, Chalice's runtime module, msgspec,
# and app.py's bytecode.
ALLOWED_IN_ZIP = {"app.py", "chalicelib", "chalice", "msgspec", "__pycache__"}
# What the zip carries as source with its bytecode: app.py, Chalice's runtime
# and msgspec's Python modules. chalicelib is bytecode alone.
COMPILED_IN_ZIP = ("app.py", "chalice/", "msgspec/")


@pytest.fixture(scope="module", params=example_stages())
def packaged(request: Any) -> tuple[str, Path]:
    stage, out = request.param, BUILD / request.param
    package(stage, os.environ.get("AWS_DEFAULT_REGION", "us-east-1"), out)
    return stage, out


def zip_entries(out: Path) -> list[str]:
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        return archive.namelist()


def test_the_function_zip_is_within_its_budget(packaged: tuple[str, Path]) -> None:
    _, out = packaged
    size = (out / "deployment.zip").stat().st_size
    assert size <= FUNCTION_ZIP_BUDGET_BYTES, (
        f"deployment.zip is {size:,} bytes, over the {FUNCTION_ZIP_BUDGET_BYTES:,}-byte budget: "
        f"a new runtime dependency belongs in a layer or requirements-dev.txt")


def test_the_zip_holds_only_the_functions_own_code(packaged: tuple[str, Path]) -> None:
    _, out = packaged
    top_level = {name.split("/")[0] for name in zip_entries(out)}
    top_level = {name for name in top_level if not name.endswith(".dist-info")}
    assert top_level <= ALLOWED_IN_ZIP, sorted(top_level - ALLOWED_IN_ZIP)


def test_every_function_runs_on_arm64_without_layers(packaged: tuple[str, Path]) -> None:
    stage, out = packaged
    template = json.loads((out / "sam.json").read_text())
    functions = [r["Properties"] for r in template["Resources"].values()
                 if r["Type"] == "AWS::Serverless::Function"]
    assert len(functions) == 3
    assert all(f["Architectures"] == ["arm64"] and "Layers" not in f for f in functions)
    # msgspec is compiled: the zip must carry its build for the runtime's Python on
    # aarch64, not one for this machine or for the Python running the packaging.
    (core,) = [name for name in zip_entries(out) if name.startswith("msgspec/_core.")]
    assert core == f"msgspec/_core.{RUNTIME_CACHE_TAG}-aarch64-linux-gnu.so"


def test_every_function_runs_on_the_chosen_runtime(packaged: tuple[str, Path]) -> None:
    _, out = packaged
    template = json.loads((out / "sam.json").read_text())
    runtimes = [r["Properties"]["Runtime"] for r in template["Resources"].values()
                if r["Type"] == "AWS::Serverless::Function"]
    assert runtimes == [LAMBDA_RUNTIME] * 3


def test_the_packaged_template_passes_cfn_lint(packaged: tuple[str, Path]) -> None:
    _, out = packaged
    assert [str(m) for m in lint_file(out / "sam.json")] == []


def test_every_function_role_carries_exactly_the_stage_policy(packaged: tuple[str, Path]) -> None:
    stage, out = packaged
    template = json.loads((out / "sam.json").read_text())
    roles = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    policies = [p["PolicyDocument"] for role in roles for p in role["Properties"]["Policies"]]
    expected = stage_policy(load_stage(stage, EXAMPLE_SETTINGS_FILE))
    # The API handler, the stream-triggered notifier and the scheduled retry.
    assert len(roles) == len(policies) == 3
    assert all(policy == expected for policy in policies)


def test_the_notifier_is_wired_to_the_stream_and_the_schedule(packaged: tuple[str, Path]) -> None:
    _, out = packaged
    template = json.loads((out / "sam.json").read_text())
    events = [event for resource in template["Resources"].values()
              if resource["Type"] == "AWS::Serverless::Function"
              for event in resource["Properties"].get("Events", {}).values()]
    (stream,) = [e for e in events if e["Type"] == "DynamoDB"]
    assert stream["Properties"]["StartingPosition"] == "TRIM_HORIZON"
    (schedule,) = [e for e in events if e["Type"] == "Schedule"]
    assert schedule["Properties"]["Schedule"] == "rate(5 minutes)"


def test_tracing_follows_the_stage_xray_setting(packaged: tuple[str, Path]) -> None:
    stage, out = packaged
    template = json.loads((out / "sam.json").read_text())
    traced = load_stage(stage, EXAMPLE_SETTINGS_FILE).xray
    functions = [r["Properties"] for r in template["Resources"].values()
                 if r["Type"] == "AWS::Serverless::Function"]
    assert functions and all((f.get("Tracing") == "Active") is traced for f in functions)


def test_the_resources_template_passes_cfn_lint() -> None:
    assert [str(m) for m in lint_file(TEMPLATE_FILE)] == []


def test_the_zip_carries_bytecode_only_for_the_runtime(packaged: tuple[str, Path]) -> None:
    _, out = packaged
    cached = [name for name in zip_entries(out) if "__pycache__/" in name]
    assert cached and [name for name in cached if not name.endswith(f".{RUNTIME_CACHE_TAG}.pyc")] == []


def test_the_zip_carries_valid_bytecode_for_every_module_of_ours(
        packaged: tuple[str, Path]) -> None:
    _, out = packaged
    compiler = runtime_interpreter()
    if compiler is None:  # packaging said so too; the test above holds the zip to no .pyc
        pytest.skip(f"no Python of the {LAMBDA_RUNTIME} runtime on this machine: "
                    "the zip ships without bytecode")
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        names = set(archive.namelist())
        sources = [n for n in names if n.endswith(".py") and n.startswith(COMPILED_IN_ZIP)]
        problems = {name: bytecode_problem(archive.read(name), archive.read(cached_pyc(name))
                                      if cached_pyc(name) in names else None, compiler.magic)
                    for name in sources}
    assert {"app.py", "chalice/app.py", "msgspec/inspect.py"} <= set(sources)
    assert {name: problem for name, problem in problems.items() if problem} == {}


def test_chalicelib_ships_as_valid_bytecode_alone(packaged: tuple[str, Path]) -> None:
    _, out = packaged
    compiler = runtime_interpreter()
    if compiler is None:  # then the zip carries chalicelib's sources, and no .pyc
        pytest.skip(f"no Python of the {LAMBDA_RUNTIME} runtime on this machine")
    ours = sorted(path.relative_to(PROJECT_DIR).as_posix()
                  for path in (PROJECT_DIR / "chalicelib").rglob("*.py"))
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        names = set(archive.namelist())
        problems = {name: bytecode_problem((PROJECT_DIR / name).read_bytes(),
                                           archive.read(sourceless_pyc(name))
                                           if sourceless_pyc(name) in names else None,
                                           compiler.magic)
                    for name in ours}
    assert len(ours) > 40
    assert [n for n in names if n.startswith("chalicelib/") and n.endswith(".py")] == []
    assert {name: problem for name, problem in problems.items() if problem} == {}
