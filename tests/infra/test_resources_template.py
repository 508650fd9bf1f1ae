"""infra/resources.yaml: the table equals the one the code defines, the pool and
client are what the web frontend and API expect, every alarm reaches the topic,
and cfn-lint finds nothing."""
from __future__ import annotations

from typing import Any

import pytest
from cfnlint.api import lint_file

from chalicelib.db.table import TTL_ATTRIBUTE, table_definition
from infra.stack import stack_parameters
from infra.stages import DEPLOYABLE_STAGES, TEMPLATE_FILE, load_stage
from tests.infra.templates import resources_template

TEMPLATE = resources_template()
RESOURCES = TEMPLATE["Resources"]


def of_type(resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in RESOURCES.items() if r["Type"] == resource_type}


def test_table_keys_and_indexes_equal_the_code_s_table_definition() -> None:
    (table,) = of_type("AWS::DynamoDB::Table").values()
    expected = table_definition("ignored")
    assert table["BillingMode"] == expected["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == expected["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(
        expected["AttributeDefinitions"], key=str)
    assert table["GlobalSecondaryIndexes"] == expected["GlobalSecondaryIndexes"]
    assert table["StreamSpecification"]["StreamViewType"] == \
        expected["StreamSpecification"]["StreamViewType"]
    assert table["TableName"] == {"Fn::Sub": "frontdesk-${Stage}"}


def test_table_has_ttl_point_in_time_recovery_and_prod_only_deletion_protection() -> None:
    (table,) = of_type("AWS::DynamoDB::Table").values()
    assert table["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}
    assert TEMPLATE["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}


def test_user_pool_signs_in_by_email_with_a_strong_password_policy() -> None:
    (pool,) = of_type("AWS::Cognito::UserPool").values()
    assert pool["UsernameAttributes"] == ["email"]
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[f"Require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols"))


def test_web_client_has_no_secret_and_password_plus_refresh_flows() -> None:
    (client,) = of_type("AWS::Cognito::UserPoolClient").values()
    assert client["GenerateSecret"] is False
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert "email" in client["ReadAttributes"]
    assert "email" not in client["WriteAttributes"]
    (pool,) = of_type("AWS::Cognito::UserPool").values()
    assert pool["UserAttributeUpdateSettings"] == {
        "AttributesRequireVerificationBeforeUpdate": ["email"]}
    (group,) = of_type("AWS::Cognito::UserPoolGroup").values()
    assert group["GroupName"] == "admin"


def test_usage_plan_takes_throttle_and_quota_from_the_stage_parameters() -> None:
    (plan,) = of_type("AWS::ApiGateway::UsagePlan").values()
    assert plan["Throttle"] == {"RateLimit": {"Ref": "ThrottleRateLimit"},
                                "BurstLimit": {"Ref": "ThrottleBurstLimit"}}
    assert plan["Quota"] == {"Limit": {"Ref": "QuotaLimit"}, "Period": {"Ref": "QuotaPeriod"}}
    (key,) = of_type("AWS::ApiGateway::UsagePlanKey").values()
    assert key["UsagePlanId"] == {"Ref": "ServiceUsagePlan"}


def test_alarms_cover_5xx_lambda_errors_and_throttles_and_dynamodb_throttles() -> None:
    alarms = of_type("AWS::CloudWatch::Alarm").values()
    watched = set()
    for alarm in alarms:
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        metrics = [alarm] if "MetricName" in alarm else [
            m["MetricStat"]["Metric"] for m in alarm["Metrics"] if "MetricStat" in m]
        watched |= {(m["Namespace"], m["MetricName"]) for m in metrics}
    assert watched == {("AWS/ApiGateway", "5XXError"), ("AWS/Lambda", "Errors"),
                       ("AWS/Lambda", "Throttles"), ("AWS/DynamoDB", "ReadThrottleEvents"),
                       ("AWS/DynamoDB", "WriteThrottleEvents")}
    assert RESOURCES["AlarmTopic"]["Type"] == "AWS::SNS::Topic"


def test_outputs_hold_what_the_chalice_stage_config_needs() -> None:
    assert {"TableName", "TableStreamArn", "UserPoolId", "UserPoolArn", "UserPoolClientId",
            "UsagePlanId", "ApiKeyId"} <= set(TEMPLATE["Outputs"])


@pytest.mark.parametrize("stage", DEPLOYABLE_STAGES)
def test_each_stage_config_supplies_exactly_the_template_s_parameters(stage: str) -> None:
    given = {p["ParameterKey"] for p in stack_parameters(load_stage(stage), "api")}
    assert given == set(TEMPLATE["Parameters"])


def test_cfn_lint_passes_on_the_resources_template() -> None:
    # Warnings count too: cfn-lint's warnings here are real mistakes.
    assert [str(match) for match in lint_file(TEMPLATE_FILE)] == []


def _resolve(value: Any, parameters: dict[str, str]) -> Any:
    """Fn::If over the template's conditions, for the two-level ifs the pool uses."""
    if isinstance(value, dict) and "Fn::If" in value:
        condition, when_true, when_false = value["Fn::If"]
        left, right = TEMPLATE["Conditions"][condition]["Fn::Equals"]
        chosen = when_true if parameters[left["Ref"]] == right else when_false
        return _resolve(chosen, parameters)
    if value == {"Ref": "AWS::NoValue"}:
        return None
    return value


def test_mfa_is_off_locally_optional_on_dev_and_required_on_prod() -> None:
    from infra.stages import mfa_mode

    assert [mfa_mode(stage) for stage in ("local", "dev", "prod")] == ["off", "optional", "required"]


@pytest.mark.parametrize("mode, configuration", [("off", "OFF"), ("optional", "OPTIONAL"),
                                                 ("required", "ON")])
def test_the_pool_applies_the_stage_s_mfa_setting_with_totp_only(mode: str,
                                                                 configuration: str) -> None:
    (pool,) = of_type("AWS::Cognito::UserPool").values()
    parameters = {"Mfa": mode}
    assert _resolve(pool["MfaConfiguration"], parameters) == configuration
    assert _resolve(pool["EnabledMfas"], parameters) == (
        None if mode == "off" else ["SOFTWARE_TOKEN_MFA"])
    assert "SmsConfiguration" not in pool
    assert TEMPLATE["Parameters"]["Mfa"]["AllowedValues"] == ["off", "optional", "required"]


@pytest.mark.parametrize("stage", DEPLOYABLE_STAGES)
def test_each_deployed_stage_passes_its_mfa_setting_to_the_stack(stage: str) -> None:
    given = {p["ParameterKey"]: p["ParameterValue"]
             for p in stack_parameters(load_stage(stage), "api")}
    assert given["Mfa"] == load_stage(stage).mfa
