"""The role policy deploy generates for each stage (infra/policy.py, from
infra/policy.template.json and the stage's settings), and that Chalice deploys
with it: for the example's stages and for stages with an owner's real addresses."""
from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.platform.config import (
    akismet_key_parameter,
    audit_salt_parameter,
    captcha_secret_parameter,
    chat_webhook_parameter,
    files_key_parameter,
)
from infra.chalice_config import CONFIG_FILE, read_config, stage_config
from infra.policy import POLICY_TEMPLATE, stage_policy
from infra.stages import StageConfig
from tests.support.iam import RUNTIME_ACTIONS, STREAM_ACTIONS, denies
from tests.support.settings import OWNER_STAGES, POLICY_STAGES

STAGES = pytest.mark.parametrize("stage", POLICY_STAGES.values(), ids=list(POLICY_STAGES))


def resources(statement: dict[str, Any]) -> list[str]:
    value = statement["Resource"]
    return [value] if isinstance(value, str) else value


@STAGES
def test_chalice_uses_the_stage_policy_file_not_autogeneration(stage: StageConfig) -> None:
    config = stage_config(read_config(CONFIG_FILE), stage, outputs=None)
    assert config["autogen_policy"] is False
    assert config["stages"][stage.name]["iam_policy_file"] == f"policy-{stage.name}.json"


@STAGES
def test_only_plain_allow_statements_with_named_actions(stage: StageConfig) -> None:
    for statement in stage_policy(stage)["Statement"]:
        if statement["Action"] == ["kms:Decrypt"] or statement["Effect"] == "Deny":
            statement = {k: v for k, v in statement.items() if k != "Condition"}  # tests below
        assert set(statement) == {"Sid", "Effect", "Action", "Resource"}, statement["Sid"]
        assert statement["Effect"] == "Allow" or statement["Sid"] == AUDIT_DENY
        assert not any("*" in action for action in statement["Action"]), statement["Sid"]


AUDIT_DENY = "NeverChangeOrDeleteAnAuditEntry"


@STAGES
def test_the_one_deny_keeps_the_function_from_changing_or_deleting_an_audit_entry(
        stage: StageConfig) -> None:
    policy = stage_policy(stage)
    (deny,) = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny["Sid"] == AUDIT_DENY
    assert deny["Action"] == ["dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    assert deny["Resource"] == f"arn:aws:dynamodb:*:*:table/{stage.table_name}"
    assert deny["Condition"] == {"ForAnyValue:StringLike": {"dynamodb:LeadingKeys": ["AUDIT#*"]}}
    table = f"arn:aws:dynamodb:us-east-1:123456789012:table/{stage.table_name}"
    for action in ("dynamodb:UpdateItem", "dynamodb:DeleteItem"):
        assert denies(policy, action, table, "AUDIT#message.update#sub-1")
        assert not denies(policy, action, table, "MSG#01K0000000000000000000000")
    assert not denies(policy, "dynamodb:PutItem", table, "AUDIT#message.update#sub-1")


@STAGES
def test_every_resource_is_the_stage_s_own(stage: StageConfig) -> None:
    own = (f"arn:aws:dynamodb:*:*:table/{stage.table_name}",
           f"arn:aws:logs:*:*:log-group:/aws/lambda/{stage.function_name}",
           f"arn:aws:ses:*:*:identity/{stage.ses_identity}",
           f"arn:aws:ssm:*:*:parameter{captcha_secret_parameter(stage.name)}",
           f"arn:aws:ssm:*:*:parameter{chat_webhook_parameter(stage.name)}",
           f"arn:aws:ssm:*:*:parameter{akismet_key_parameter(stage.name)}",
           f"arn:aws:ssm:*:*:parameter{audit_salt_parameter(stage.name)}",
           f"arn:aws:ssm:*:*:parameter{files_key_parameter(stage.name)}",
           # The attachments bucket is named with the account id (infra/resources.yaml).
           f"arn:aws:s3:::frontdesk-{stage.name}-attachments-????????????")
    for statement in stage_policy(stage)["Statement"]:
        if statement["Action"] == ["kms:Decrypt"]:
            continue  # any key, but only through SSM: the test below
        for resource in resources(statement):
            if resource == "*":  # X-Ray has no resource-level permissions
                assert set(statement["Action"]) <= {"xray:PutTraceSegments",
                                                    "xray:PutTelemetryRecords"}
                continue
            assert resource.startswith(own), resource
            assert resource in own or resource[len(next(o for o in own if resource.startswith(o)))] in "/:-"


@STAGES
def test_mail_is_granted_exactly_on_the_identity_the_settings_name(stage: StageConfig) -> None:
    (send,) = [s for s in stage_policy(stage)["Statement"]
               if any(a.startswith("ses:") for a in s["Action"])]
    assert send["Action"] == ["ses:SendEmail"]
    assert send["Resource"] == f"arn:aws:ses:*:*:identity/{stage.ses_identity}"


def test_the_owner_s_identity_replaces_the_example_s() -> None:
    for stage in OWNER_STAGES.values():
        assert "example.com" not in json.dumps(stage_policy(stage))


def test_the_template_is_the_one_policy_and_names_the_identity_only_through_the_settings() -> None:
    text = POLICY_TEMPLATE.read_text()
    assert "${SesIdentity}" in text and "@" not in text
    assert "frontdesk-dev" not in text and "frontdesk-prod" not in text
    for stage in POLICY_STAGES.values():
        assert "${" not in json.dumps(stage_policy(stage))


@STAGES
def test_x_ray_is_granted_exactly_when_the_stage_traces(stage: StageConfig) -> None:
    actions = {a for s in stage_policy(stage)["Statement"] for a in s["Action"]}
    traced = stage_config(read_config(CONFIG_FILE), stage, None)["stages"][stage.name]["xray"]
    assert traced is stage.xray
    assert ({"xray:PutTraceSegments", "xray:PutTelemetryRecords"} <= actions) is traced
    assert traced or not any(a.startswith("xray:") for a in actions)


@STAGES
def test_ssm_reads_exactly_five_parameters_and_kms_decrypts_only_through_ssm(
        stage: StageConfig) -> None:
    statements = stage_policy(stage)["Statement"]
    (read,) = [s for s in statements if "ssm:GetParameter" in s["Action"]]
    assert read["Action"] == ["ssm:GetParameter"]
    assert read["Resource"] == [f"arn:aws:ssm:*:*:parameter{captcha_secret_parameter(stage.name)}",
                                f"arn:aws:ssm:*:*:parameter{chat_webhook_parameter(stage.name)}",
                                f"arn:aws:ssm:*:*:parameter{akismet_key_parameter(stage.name)}",
                                f"arn:aws:ssm:*:*:parameter{audit_salt_parameter(stage.name)}",
                                f"arn:aws:ssm:*:*:parameter{files_key_parameter(stage.name)}"]
    assert not any(a.startswith("ssm:") for s in statements if s is not read for a in s["Action"])
    (decrypt,) = [s for s in statements if any(a.startswith("kms:") for a in s["Action"])]
    assert decrypt["Action"] == ["kms:Decrypt"]
    assert decrypt["Condition"] == {"StringLike": {"kms:ViaService": "ssm.*.amazonaws.com"}}


def test_runtime_grants_are_only_logs_x_ray_and_reading_the_stream() -> None:
    assert {a.split(":")[0] for a in RUNTIME_ACTIONS} == {"logs", "xray", "dynamodb"}
    assert {a for a in RUNTIME_ACTIONS if a.startswith("dynamodb:")} == STREAM_ACTIONS


@STAGES
def test_the_stream_grant_covers_only_the_stage_tables_stream(stage: StageConfig) -> None:
    (statement,) = [s for s in stage_policy(stage)["Statement"]
                    if set(s["Action"]) & STREAM_ACTIONS]
    assert set(statement["Action"]) == STREAM_ACTIONS
    assert statement["Resource"] == f"arn:aws:dynamodb:*:*:table/frontdesk-{stage.name}/stream/*"
