"""infra/resources.yaml: the table equals the one the code defines, the pool and
client are what the web frontend and API expect, every alarm reaches the topic,
and cfn-lint finds nothing."""
from __future__ import annotations

import json
from typing import Any

import pytest
from cfnlint.api import lint_file

from chalicelib.db.table import (
    GSI1,
    GSI1_PK,
    GSI1_SK,
    GSI2,
    GSI2_PK,
    GSI2_SK,
    GSI3,
    GSI3_PK,
    GSI3_SK,
    PK,
    SK,
    TTL_ATTRIBUTE,
)
from chalicelib.platform.metrics import (
    EVENT_METRICS,
    NOTIFICATIONS_FAILED,
    OLDEST_PENDING_NOTIFICATION_AGE,
    SERVICE,
)
from infra.site import site_headers
from infra.stack import stack_parameters
from infra.stages import (
    EXAMPLE_SETTINGS_FILE,
    PROJECT_DIR,
    TEMPLATE_FILE,
    StageConfig,
    example_stages,
    load_stage,
)
from tests.infra.templates import resources_template

TEMPLATE = resources_template()
RESOURCES = TEMPLATE["Resources"]
HEADERS = site_headers("https://abc123.execute-api.eu-west-1.amazonaws.com/api", "eu-west-1")


def example(stage: str) -> StageConfig:
    return load_stage(stage, EXAMPLE_SETTINGS_FILE)


def of_type(resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in RESOURCES.items() if r["Type"] == resource_type}


def test_table_keys_and_indexes_are_the_names_the_code_uses() -> None:
    (table,) = of_type("AWS::DynamoDB::Table").values()
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": PK, "KeyType": "HASH"},
                                  {"AttributeName": SK, "KeyType": "RANGE"}]
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {GSI1, GSI2, GSI3}
    for name, pk, sk in ((GSI1, GSI1_PK, GSI1_SK), (GSI2, GSI2_PK, GSI2_SK),
                         (GSI3, GSI3_PK, GSI3_SK)):
        assert indexes[name]["KeySchema"] == [{"AttributeName": pk, "KeyType": "HASH"},
                                              {"AttributeName": sk, "KeyType": "RANGE"}]
        assert indexes[name]["Projection"] == {"ProjectionType": "ALL"}
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(
        ({"AttributeName": name, "AttributeType": "S"}
         for name in (PK, SK, GSI1_PK, GSI1_SK, GSI2_PK, GSI2_SK, GSI3_PK, GSI3_SK)), key=str)
    # New contact messages reach the notifier through the stream.
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
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
                       ("AWS/DynamoDB", "WriteThrottleEvents"),
                       ("Frontdesk", "NotificationsFailed"), ("Frontdesk", "RepliesFailed"),
                       ("Frontdesk", "ChatNotificationsFailed"),
                       ("Frontdesk", "AutoresponsesFailed"),
                       ("Frontdesk", "OldestPendingNotificationAge")}
    assert RESOURCES["AlarmTopic"]["Type"] == "AWS::SNS::Topic"


def test_every_function_s_errors_and_throttles_are_watched() -> None:
    watched = {(a["MetricName"], a["Dimensions"][0]["Value"]["Fn::Sub"])
               for a in of_type("AWS::CloudWatch::Alarm").values() if a.get("Namespace") == "AWS/Lambda"}
    # Chalice names functions <app>-<stage> (the API) and <app>-<stage>-<handler>.
    functions = ["frontdesk-${Stage}", "frontdesk-${Stage}-notify_owner",
                 "frontdesk-${Stage}-retry_notifications"]
    assert watched == {(metric, f) for metric in ("Errors", "Throttles") for f in functions}
    for alarm in of_type("AWS::CloudWatch::Alarm").values():
        if alarm.get("Namespace") == "AWS/Lambda":
            assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
                "Sum", 0, "GreaterThanThreshold")


def frontdesk_alarm(metric: str) -> dict[str, Any]:
    (alarm,) = [a for a in of_type("AWS::CloudWatch::Alarm").values()
                if (a.get("Namespace"), a.get("MetricName")) == ("Frontdesk", metric)]
    # The EMF lines' dimensions (chalicelib/platform/metrics.py): service, then Stage.
    assert alarm["Dimensions"] == [{"Name": "service", "Value": SERVICE},
                                   {"Name": "Stage", "Value": {"Ref": "Stage"}}]
    return alarm


def test_any_failed_notification_raises_the_alarm() -> None:
    alarm = frontdesk_alarm(NOTIFICATIONS_FAILED)
    assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
        "Sum", 0, "GreaterThanThreshold")


@pytest.mark.parametrize("metric", sorted(m for m in EVENT_METRICS if m.endswith("Failed")))
def test_every_failure_the_app_counts_has_an_alarm(metric: str) -> None:
    alarm = frontdesk_alarm(metric)
    assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
        "Sum", 0, "GreaterThanThreshold")
    assert alarm["TreatMissingData"] == "notBreaching"


@pytest.mark.parametrize("stage", example_stages())
def test_a_message_waiting_too_long_raises_the_alarm_at_the_stage_s_threshold(stage: str) -> None:
    alarm = frontdesk_alarm(OLDEST_PENDING_NOTIFICATION_AGE)
    assert alarm["Statistic"] == "Maximum"
    assert alarm["Threshold"] == {"Ref": "OldestPendingNotificationAlarmSeconds"}
    parameters = {p["ParameterKey"]: p["ParameterValue"]
                  for p in stack_parameters(example(stage), "api", HEADERS)}
    minutes = json.loads(EXAMPLE_SETTINGS_FILE.read_text())[stage]["alarms"][
        "oldestPendingNotificationMinutes"]
    assert parameters["OldestPendingNotificationAlarmSeconds"] == str(minutes * 60)


def test_outputs_hold_what_the_chalice_stage_config_needs() -> None:
    assert {"TableName", "TableStreamArn", "UserPoolId", "UserPoolArn", "UserPoolClientId",
            "UsagePlanId", "ApiKeyId"} <= set(TEMPLATE["Outputs"])


@pytest.mark.parametrize("stage", example_stages())
def test_each_stage_config_supplies_exactly_the_template_s_parameters(stage: str) -> None:
    given = {p["ParameterKey"] for p in stack_parameters(example(stage), "api", HEADERS)}
    assert given == set(TEMPLATE["Parameters"])


def test_the_site_bucket_is_private_and_read_only_by_the_distribution() -> None:
    bucket = RESOURCES["SiteBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (allow,) = [s for s in RESOURCES["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
                if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert source.endswith(":distribution/${SiteDistribution}")
    # The site's and the files distribution's (tests/infra/test_files_route.py), each its own.
    controls = of_type("AWS::CloudFront::OriginAccessControl")
    assert set(controls) == {"SiteOriginAccessControl", "FilesOriginAccessControl"}
    assert all(c["OriginAccessControlConfig"]["SigningBehavior"] == "always"
               for c in controls.values())


def test_the_distribution_serves_the_bucket_over_https_only_compressed_from_index_html() -> None:
    config = RESOURCES["SiteDistribution"]["Properties"]["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    origin, api = config["Origins"]  # the API: tests/infra/test_form_page_route.py
    assert origin["DomainName"] == {"Fn::GetAtt": ["SiteBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["Compress"] is True
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": "SiteHeadersPolicy"}


def test_a_missing_file_gets_the_site_s_own_404_page_with_a_404() -> None:
    config = RESOURCES["SiteDistribution"]["Properties"]["DistributionConfig"]
    answers = {e["ErrorCode"]: (e["ResponseCode"], e["ResponsePagePath"])
               for e in config["CustomErrorResponses"]}
    # S3 answers 403 for a missing key when the reader may not list the bucket.
    assert answers == {403: (404, "/404.html"), 404: (404, "/404.html")}
    assert (PROJECT_DIR / "web" / "404.html").is_file()


def test_a_custom_domain_comes_with_its_certificate_or_not_at_all() -> None:
    config = RESOURCES["SiteDistribution"]["Properties"]["DistributionConfig"]
    assert config["Aliases"] == {"Fn::If": ["HasCustomDomain", {"Ref": "SiteAliases"},
                                            {"Ref": "AWS::NoValue"}]}
    custom, default = config["ViewerCertificate"]["Fn::If"][1:]
    assert custom["AcmCertificateArn"] == {"Ref": "SiteCertificateArn"}
    assert custom["SslSupportMethod"] == "sni-only"
    assert default == {"CloudFrontDefaultCertificate": True}
    assert TEMPLATE["Conditions"]["HasCustomDomain"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "SiteCertificateArn"}, ""]}]}


def served_headers(policy: dict[str, Any], parameters: dict[str, str]) -> dict[str, str]:
    """The headers CloudFront sends for this response headers policy."""
    def value(v: Any) -> str:
        return parameters[v["Ref"]] if isinstance(v, dict) else str(v)

    security = policy["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    headers = {
        "Content-Security-Policy": value(security["ContentSecurityPolicy"]["ContentSecurityPolicy"]),
        "Strict-Transport-Security": f"max-age={hsts['AccessControlMaxAgeSec']}"
        + ("; includeSubDomains" if hsts["IncludeSubdomains"] else "")
        + ("; preload" if hsts["Preload"] else ""),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
    }
    headers.update({item["Header"]: value(item["Value"])
                    for item in policy["CustomHeadersConfig"]["Items"]})
    # Override: the policy's value wins over anything an origin might send.
    assert all(h["Override"] for h in [*security.values(), *policy["CustomHeadersConfig"]["Items"]])
    return headers


@pytest.mark.parametrize("stage", example_stages())
def test_the_site_headers_policy_sends_exactly_the_one_definition(stage: str) -> None:
    policy = RESOURCES["SiteHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    parameters = {p["ParameterKey"]: p["ParameterValue"]
                  for p in stack_parameters(example(stage), "api", HEADERS)}
    assert served_headers(policy, parameters) == HEADERS


def test_outputs_name_the_site_for_deploy() -> None:
    assert {"SiteBucketName", "SiteDistributionId", "SiteDomainName"} <= set(TEMPLATE["Outputs"])


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

    assert mfa_mode("local") == "off"  # built in: make dev needs no settings file
    assert [mfa_mode(stage, EXAMPLE_SETTINGS_FILE) for stage in ("dev", "prod")] == [
        "optional", "required"]


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


@pytest.mark.parametrize("stage", example_stages())
def test_each_deployed_stage_passes_its_mfa_setting_to_the_stack(stage: str) -> None:
    given = {p["ParameterKey"]: p["ParameterValue"]
             for p in stack_parameters(example(stage), "api", HEADERS)}
    assert given["Mfa"] == example(stage).mfa


@pytest.mark.parametrize("stage", example_stages())
def test_the_web_client_s_tokens_last_the_stage_s_id_token_minutes(stage: str) -> None:
    (client,) = of_type("AWS::Cognito::UserPoolClient").values()
    given = {p["ParameterKey"]: p["ParameterValue"]
             for p in stack_parameters(example(stage), "api", HEADERS)}
    assert given["IdTokenMinutes"] == str(example(stage).id_token_minutes) == "15"
    assert client["IdTokenValidity"] == client["AccessTokenValidity"] == {"Ref": "IdTokenMinutes"}
    assert client["TokenValidityUnits"]["IdToken"] == "minutes"
    parameter = TEMPLATE["Parameters"]["IdTokenMinutes"]
    assert (parameter["MinValue"], parameter["MaxValue"]) == (5, 1440)  # Cognito's range
