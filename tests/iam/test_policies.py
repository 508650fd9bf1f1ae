"""The shape of .chalice/policy-<stage>.json, and that Chalice deploys with it."""
from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.config import captcha_secret_parameter, chat_webhook_parameter
from infra.stages import DEPLOYABLE_STAGES, load_stage
from tests.support.aws_calls import PROJECT_DIR
from tests.support.iam import RUNTIME_ACTIONS, STREAM_ACTIONS

CONFIG = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())


def policy(stage: str) -> dict[str, Any]:
    return dict(json.loads((PROJECT_DIR / ".chalice" / f"policy-{stage}.json").read_text()))


def resources(statement: dict[str, Any]) -> list[str]:
    value = statement["Resource"]
    return [value] if isinstance(value, str) else value


@pytest.mark.parametrize("stage", DEPLOYABLE_STAGES)
def test_chalice_uses_the_stage_policy_file_not_autogeneration(stage: str) -> None:
    assert CONFIG["autogen_policy"] is False
    assert CONFIG["stages"][stage]["iam_policy_file"] == f"policy-{stage}.json"


@pytest.mark.parametrize("stage", DEPLOYABLE_STAGES)
def test_only_plain_allow_statements_with_named_actions(stage: str) -> None:
    for statement in policy(stage)["Statement"]:
        if statement["Action"] == ["kms:Decrypt"]:  # see the test below
            statement = {k: v for k, v in statement.items() if k != "Condition"}
        assert set(statement) == {"Sid", "Effect", "Action", "Resource"}, statement["Sid"]
        assert statement["Effect"] == "Allow"
        assert not any("*" in action for action in statement["Action"]), statement["Sid"]


@pytest.mark.parametrize("stage", DEPLOYABLE_STAGES)
def test_every_resource_is_the_stage_s_own(stage: str) -> None:
    config = load_stage(stage)
    own = (f"arn:aws:dynamodb:*:*:table/{config.table_name}",
           f"arn:aws:logs:*:*:log-group:/aws/lambda/{config.function_name}",
           f"arn:aws:ses:*:*:identity/{config.ses_identity}",
           f"arn:aws:ssm:*:*:parameter{captcha_secret_parameter(stage)}",
           f"arn:aws:ssm:*:*:parameter{chat_webhook_parameter(stage)}")
    for statement in policy(stage)["Statement"]:
        if statement["Action"] == ["kms:Decrypt"]:
            continue  # any key, but only through SSM: the test below
        for resource in resources(statement):
            if resource == "*":  # X-Ray has no resource-level permissions
                assert set(statement["Action"]) <= {"xray:PutTraceSegments",
                                                    "xray:PutTelemetryRecords"}
                continue
            assert resource.startswith(own), resource
            assert resource in own or resource[len(next(o for o in own if resource.startswith(o)))] in "/:-"


@pytest.mark.parametrize("stage", DEPLOYABLE_STAGES)
def test_x_ray_is_granted_exactly_when_the_stage_traces(stage: str) -> None:
    actions = {a for s in policy(stage)["Statement"] for a in s["Action"]}
    traced = CONFIG["stages"][stage].get("xray", False)
    assert ({"xray:PutTraceSegments", "xray:PutTelemetryRecords"} <= actions) is traced
    assert traced or not any(a.startswith("xray:") for a in actions)


@pytest.mark.parametrize("stage", DEPLOYABLE_STAGES)
def test_ssm_reads_exactly_two_parameters_and_kms_decrypts_only_through_ssm(
        stage: str) -> None:
    statements = policy(stage)["Statement"]
    (read,) = [s for s in statements if "ssm:GetParameter" in s["Action"]]
    assert read["Action"] == ["ssm:GetParameter"]
    assert read["Resource"] == [f"arn:aws:ssm:*:*:parameter{captcha_secret_parameter(stage)}",
                                f"arn:aws:ssm:*:*:parameter{chat_webhook_parameter(stage)}"]
    assert not any(a.startswith("ssm:") for s in statements if s is not read for a in s["Action"])
    (decrypt,) = [s for s in statements if any(a.startswith("kms:") for a in s["Action"])]
    assert decrypt["Action"] == ["kms:Decrypt"]
    assert decrypt["Condition"] == {"StringLike": {"kms:ViaService": "ssm.*.amazonaws.com"}}


def test_runtime_grants_are_only_logs_x_ray_and_reading_the_stream() -> None:
    assert {a.split(":")[0] for a in RUNTIME_ACTIONS} == {"logs", "xray", "dynamodb"}
    assert {a for a in RUNTIME_ACTIONS if a.startswith("dynamodb:")} == STREAM_ACTIONS


@pytest.mark.parametrize("stage", DEPLOYABLE_STAGES)
def test_the_stream_grant_covers_only_the_stage_tables_stream(stage: str) -> None:
    (statement,) = [s for s in policy(stage)["Statement"]
                    if set(s["Action"]) & STREAM_ACTIONS]
    assert set(statement["Action"]) == STREAM_ACTIONS
    assert statement["Resource"] == f"arn:aws:dynamodb:*:*:table/frontdesk-{stage}/stream/*"
