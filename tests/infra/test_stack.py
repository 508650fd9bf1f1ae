"""deploy_stack and delete_stack against the embedded AWS's CloudFormation
(devstack/cloudformation), on the whole template. Each stage sends from an
identity of its own: the session's local stack holds frontdesk@example.com,
and SES has one identity per address in an account."""
from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from infra import stack
from infra.site import site_headers
from infra.stages import EXAMPLE_SETTINGS_FILE, load_stage
from tests.infra.templates import resources_template

FAST = {"Delay": 0.1, "MaxAttempts": 100}
BODY = json.dumps(resources_template())
HEADERS = site_headers("https://abc123.execute-api.us-east-1.amazonaws.com/api", "us-east-1")


def test_stack_is_created_then_left_alone_then_deleted(local_aws: Any) -> None:
    cfn = local_aws.session.client("cloudformation")
    dynamodb = local_aws.session.client("dynamodb")
    stage = dataclasses.replace(load_stage("dev", EXAMPLE_SETTINGS_FILE),
                                ses_identity="dev@example.org")

    outputs = stack.deploy_stack(cfn, stage, BODY, "api", HEADERS, wait=FAST)
    assert outputs["TableName"] == "frontdesk-dev" == stage.table_name
    table = dynamodb.describe_table(TableName="frontdesk-dev")["Table"]
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["gsi1", "gsi2", "gsi3"]
    assert table.get("DeletionProtectionEnabled", False) is False
    assert outputs["AlarmTopicArn"].endswith(":frontdesk-dev-alarms")

    # A second deploy with nothing changed is a no-op, not an error.
    assert stack.deploy_stack(cfn, stage, BODY, "api", HEADERS, wait=FAST) == outputs

    assert stack.delete_stack(cfn, stage, wait=FAST) is True
    assert "frontdesk-dev" not in dynamodb.list_tables()["TableNames"]
    assert stack.delete_stack(cfn, stage, wait=FAST) is False


def test_the_prod_table_and_pool_stop_the_stack_s_deletion(local_aws: Any) -> None:
    cfn = local_aws.session.client("cloudformation")
    dynamodb = local_aws.session.client("dynamodb")
    cognito = local_aws.session.client("cognito-idp")
    stage = dataclasses.replace(load_stage("prod", EXAMPLE_SETTINGS_FILE),
                                ses_identity="prod@example.org")
    outputs = stack.deploy_stack(cfn, stage, BODY, "api", HEADERS, wait=FAST)
    try:
        table = dynamodb.describe_table(TableName="frontdesk-prod")["Table"]
        assert table["DeletionProtectionEnabled"] is True
        pool = cognito.describe_user_pool(UserPoolId=outputs["UserPoolId"])["UserPool"]
        assert pool["DeletionProtection"] == "ACTIVE"
        with pytest.raises(stack.StackFailed, match="(?i)protect"):
            stack.delete_stack(cfn, stage, wait=FAST)
        assert cfn.describe_stacks(StackName=stage.stack_name)["Stacks"][0][
            "StackStatus"] == "DELETE_FAILED"
        dynamodb.update_table(TableName="frontdesk-prod", DeletionProtectionEnabled=False)
        with pytest.raises(stack.StackFailed, match="user pool cannot be deleted because "
                                                    "deletion protection is activated"):
            stack.delete_stack(cfn, stage, wait=FAST)
        assert "frontdesk-prod" not in dynamodb.list_tables()["TableNames"]
    finally:  # the only way to remove them: switch protection off on purpose
        if "frontdesk-prod" in dynamodb.list_tables()["TableNames"]:
            dynamodb.update_table(TableName="frontdesk-prod", DeletionProtectionEnabled=False)
        cognito.update_user_pool(UserPoolId=outputs["UserPoolId"], DeletionProtection="INACTIVE")
        assert stack.delete_stack(cfn, stage, wait=FAST) is True


def test_parameters_carry_the_stage_s_throttle_and_quota() -> None:
    stage = load_stage("prod", EXAMPLE_SETTINGS_FILE)
    params = {p["ParameterKey"]: p["ParameterValue"]
              for p in stack.stack_parameters(stage, "api", HEADERS)}
    assert params["Stage"] == "prod"
    assert params["ThrottleRateLimit"] == str(stage.throttle_rate_limit)
    assert params["QuotaLimit"] == str(stage.quota_limit)
    assert params["QuotaPeriod"] == stage.quota_period
    assert params["ContentSecurityPolicy"] == HEADERS["Content-Security-Policy"]
    assert params["PermissionsPolicy"] == HEADERS["Permissions-Policy"]
    assert (params["SiteCertificateArn"], params["SiteAliases"]) == ("", "")


def test_the_stack_names_the_api_s_host_once_there_is_one() -> None:
    stage = load_stage("dev", EXAMPLE_SETTINGS_FILE)
    before = {p["ParameterKey"]: p["ParameterValue"]
              for p in stack.stack_parameters(stage, "api", HEADERS)}
    after = {p["ParameterKey"]: p["ParameterValue"] for p in stack.stack_parameters(
        stage, "api", HEADERS, "https://abc123.execute-api.eu-west-1.amazonaws.com/api")}
    assert (before["ApiDomain"], after["ApiDomain"]) == (
        "", "abc123.execute-api.eu-west-1.amazonaws.com")
