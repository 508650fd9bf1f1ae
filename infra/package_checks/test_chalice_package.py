"""`chalice package` for each deployed stage, and cfn-lint on what it makes.

Run by `make check-package` (and .ci/run), not by `make test`: packaging
downloads Lambda-compatible wheels from the package index, so it is not
offline. It never reaches AWS; only a region must be set.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_file

from infra.stages import DEPLOYABLE_STAGES, PROJECT_DIR, TEMPLATE_FILE

BUILD = PROJECT_DIR / "build" / "package"


@pytest.fixture(scope="module", params=DEPLOYABLE_STAGES)
def packaged(request: Any) -> tuple[str, Path]:
    stage, out = request.param, BUILD / request.param
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    chalice = Path(sys.executable).with_name("chalice")
    result = subprocess.run([str(chalice), "package", "--stage", stage, str(out)],
                            cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return stage, out


def test_the_packaged_template_passes_cfn_lint(packaged: tuple[str, Path]) -> None:
    _, out = packaged
    assert [str(m) for m in lint_file(out / "sam.json")] == []


def test_every_function_role_carries_exactly_the_stage_policy(packaged: tuple[str, Path]) -> None:
    stage, out = packaged
    template = json.loads((out / "sam.json").read_text())
    roles = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    policies = [p["PolicyDocument"] for role in roles for p in role["Properties"]["Policies"]]
    expected = json.loads((PROJECT_DIR / ".chalice" / f"policy-{stage}.json").read_text())
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
    assert stream["Properties"]["StartingPosition"] == "LATEST"
    (schedule,) = [e for e in events if e["Type"] == "Schedule"]
    assert schedule["Properties"]["Schedule"] == "rate(5 minutes)"


def test_tracing_follows_the_stage_xray_setting(packaged: tuple[str, Path]) -> None:
    stage, out = packaged
    template = json.loads((out / "sam.json").read_text())
    traced = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())[
        "stages"][stage].get("xray", False)
    functions = [r["Properties"] for r in template["Resources"].values()
                 if r["Type"] == "AWS::Serverless::Function"]
    assert functions and all((f.get("Tracing") == "Active") is traced for f in functions)


def test_the_resources_template_passes_cfn_lint() -> None:
    assert [str(m) for m in lint_file(TEMPLATE_FILE)] == []
