"""infra/resources.yaml deployed whole to the embedded AWS through
CloudFormation (devstack/cloudformation): every output answers, and every
resource exists with the template's key properties, read back from the
service that holds it. Updated with new parameters, then deleted, it follows."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from devstack.cloudformation.stand_ins import RECORDED
from infra import stack
from infra.site import site_headers
from infra.stages import EXAMPLE_SETTINGS_FILE, StageConfig, load_stage
from tests.conftest import LocalAws
from tests.infra.aws_stand_ins import create_rest_api
from tests.infra.templates import resources_template

FAST = {"Delay": 0.1, "MaxAttempts": 100}
TEMPLATE = resources_template()
RESOURCES = TEMPLATE["Resources"]
BODY = json.dumps(TEMPLATE)
API_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/api"
HEADERS = site_headers(API_URL, "us-east-1")
# A stage of its own beside the session's local stack (its own names and sender).
STAGE = dataclasses.replace(load_stage("dev", EXAMPLE_SETTINGS_FILE), name="parity",
                            ses_identity="parity@example.org", mfa="optional")


def props(logical_id: str) -> dict[str, Any]:
    return dict(RESOURCES[logical_id]["Properties"])


def sub(value: dict[str, str], stage: StageConfig = STAGE) -> str:
    """A template `!Sub` of ${Stage} and ${AWS::Region} only."""
    return value["Fn::Sub"].replace("${Stage}", stage.name).replace("${AWS::Region}", "us-east-1")


@pytest.fixture(scope="module")
def deployed(local_aws: LocalAws) -> Iterator[dict[str, str]]:
    cfn = local_aws.session.client("cloudformation")
    # As deploy puts it once `chalice deploy` has made the API.
    outputs = stack.deploy_stack(cfn, STAGE, BODY, "api", HEADERS, wait=FAST, api_url=API_URL)
    yield outputs
    stack.delete_stack(cfn, STAGE, wait=FAST)


def test_every_output_of_the_template_answers(deployed: dict[str, str]) -> None:
    assert set(deployed) == set(TEMPLATE["Outputs"])
    assert all(deployed.values())


def test_every_resource_is_in_the_stack_with_a_physical_id(
        local_aws: LocalAws, deployed: dict[str, str]) -> None:
    listed = local_aws.session.client("cloudformation").describe_stack_resources(
        StackName=STAGE.stack_name)["StackResources"]
    by_id = {r["LogicalResourceId"]: r for r in listed}
    # AlarmEmail is "" for this stage, so its subscription's condition is false.
    expected = {name for name, r in RESOURCES.items() if r.get("Condition") != "HasAlarmEmail"}
    assert set(by_id) == expected
    for name, resource in by_id.items():
        assert resource["ResourceType"] == RESOURCES[name]["Type"]
        assert resource["PhysicalResourceId"], name


def test_the_table_has_its_keys_indexes_stream_ttl_and_recovery(
        local_aws: LocalAws, deployed: dict[str, str]) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    template = props("Table")
    assert deployed["TableName"] == STAGE.table_name == "frontdesk-parity"
    table = dynamodb.describe_table(TableName=deployed["TableName"])["Table"]
    assert deployed["TableArn"] == table["TableArn"]
    assert deployed["TableStreamArn"] == table["LatestStreamArn"]
    assert table["KeySchema"] == template["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(
        template["AttributeDefinitions"], key=str)
    assert [(i["IndexName"], i["KeySchema"], i["Projection"])
            for i in table["GlobalSecondaryIndexes"]] == [
        (i["IndexName"], i["KeySchema"], i["Projection"])
        for i in template["GlobalSecondaryIndexes"]]
    assert table["BillingModeSummary"]["BillingMode"] == template["BillingMode"]
    assert table["StreamSpecification"]["StreamViewType"] == \
        template["StreamSpecification"]["StreamViewType"]
    assert table.get("DeletionProtectionEnabled", False) is False  # not prod
    ttl = dynamodb.describe_time_to_live(TableName=deployed["TableName"])
    assert ttl["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": template["TimeToLiveSpecification"]["AttributeName"]}
    recovery = dynamodb.describe_continuous_backups(TableName=deployed["TableName"])
    assert recovery["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "PointInTimeRecoveryStatus"] == "ENABLED"


def test_the_user_pool_has_the_template_s_rules(local_aws: LocalAws,
                                                 deployed: dict[str, str]) -> None:
    cognito = local_aws.session.client("cognito-idp")
    template = props("UserPool")
    pool = cognito.describe_user_pool(UserPoolId=deployed["UserPoolId"])["UserPool"]
    assert deployed["UserPoolArn"] == pool["Arn"]
    assert pool["Name"] == "frontdesk-parity"
    assert pool["Policies"]["PasswordPolicy"] == template["Policies"]["PasswordPolicy"]
    for key in ("UsernameAttributes", "AutoVerifiedAttributes", "UsernameConfiguration",
                "AdminCreateUserConfig", "AccountRecoverySetting",
                "UserAttributeUpdateSettings"):
        assert pool[key] == template[key], key
    assert pool["DeletionProtection"] == "INACTIVE"
    mfa = cognito.get_user_pool_mfa_config(UserPoolId=deployed["UserPoolId"])
    assert mfa["MfaConfiguration"] == "OPTIONAL"
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}


def test_the_web_client_and_admin_group_are_the_template_s(
        local_aws: LocalAws, deployed: dict[str, str]) -> None:
    cognito = local_aws.session.client("cognito-idp")
    template = props("UserPoolWebClient")
    client = cognito.describe_user_pool_client(
        UserPoolId=deployed["UserPoolId"], ClientId=deployed["UserPoolClientId"])["UserPoolClient"]
    assert "ClientSecret" not in client
    for key in ("ClientName", "ExplicitAuthFlows", "ReadAttributes", "WriteAttributes",
                "PreventUserExistenceErrors", "EnableTokenRevocation", "RefreshTokenValidity",
                "TokenValidityUnits"):
        assert client[key] == template[key], key
    # The stage's idTokenMinutes, through the template's parameter.
    assert template["IdTokenValidity"] == template["AccessTokenValidity"] == {
        "Ref": "IdTokenMinutes"}
    assert client["IdTokenValidity"] == client["AccessTokenValidity"] == STAGE.id_token_minutes
    group = cognito.get_group(UserPoolId=deployed["UserPoolId"], GroupName="admin")["Group"]
    assert group["Description"] == props("AdminGroup")["Description"]


def test_the_sender_identity_exists(local_aws: LocalAws, deployed: dict[str, str]) -> None:
    assert deployed["SesIdentity"] == STAGE.ses_identity
    assert STAGE.ses_identity in local_aws.session.client("ses").list_identities()["Identities"]


def test_the_usage_plan_has_the_stage_s_limits_and_the_key(
        local_aws: LocalAws, deployed: dict[str, str]) -> None:
    apigateway = local_aws.session.client("apigateway")
    plan = apigateway.get_usage_plan(usagePlanId=deployed["UsagePlanId"])
    assert plan["name"] == "frontdesk-parity-service"
    assert plan["throttle"] == {"rateLimit": STAGE.throttle_rate_limit,
                                "burstLimit": STAGE.throttle_burst_limit}
    assert plan["quota"] == {"limit": STAGE.quota_limit, "period": STAGE.quota_period}
    key = apigateway.get_api_key(apiKey=deployed["ApiKeyId"])
    assert (key["name"], key["enabled"]) == ("frontdesk-parity-service", True)
    keys = apigateway.get_usage_plan_keys(usagePlanId=deployed["UsagePlanId"])["items"]
    assert [(k["id"], k["type"]) for k in keys] == [(deployed["ApiKeyId"], "API_KEY")]


def test_the_site_bucket_is_private_encrypted_and_readable_by_the_distribution_only(
        local_aws: LocalAws, deployed: dict[str, str]) -> None:
    s3 = local_aws.session.client("s3")
    bucket = deployed["SiteBucketName"]
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == props("SiteBucket")["PublicAccessBlockConfiguration"]
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == \
        props("SiteBucket")["OwnershipControls"]["Rules"]
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    reads, tls_only = policy["Statement"]
    assert reads["Resource"] == f"arn:aws:s3:::{bucket}/*"
    assert reads["Condition"]["StringEquals"]["AWS:SourceArn"] == \
        f"arn:aws:cloudfront::123456789012:distribution/{deployed['SiteDistributionId']}"
    assert (tls_only["Effect"], tls_only["Condition"]) == (
        "Deny", {"Bool": {"aws:SecureTransport": False}})


def test_the_distribution_serves_the_bucket_with_the_headers_policy(
        local_aws: LocalAws, deployed: dict[str, str]) -> None:
    cloudfront = local_aws.session.client("cloudfront")
    distribution = cloudfront.get_distribution(Id=deployed["SiteDistributionId"])["Distribution"]
    assert distribution["DomainName"] == deployed["SiteDomainName"]
    config = distribution["DistributionConfig"]
    template = props("SiteDistribution")["DistributionConfig"]
    assert config["DefaultRootObject"] == template["DefaultRootObject"]
    assert config["PriceClass"] == template["PriceClass"]
    assert config["HttpVersion"] == template["HttpVersion"]
    assert [(e["ErrorCode"], e["ResponsePagePath"]) for e in
            config["CustomErrorResponses"]["Items"]] == [
        (e["ErrorCode"], e["ResponsePagePath"]) for e in template["CustomErrorResponses"]]
    origin, _api = config["Origins"]["Items"]  # the API: the test below
    assert origin["DomainName"] == \
        f"{deployed['SiteBucketName']}.s3.us-east-1.amazonaws.com"
    controls = cloudfront.list_origin_access_controls()["OriginAccessControlList"]["Items"]
    (control,) = [c for c in controls if c["Id"] == origin["OriginAccessControlId"]]
    assert control["Name"] == "frontdesk-parity-site-us-east-1"
    assert (control["SigningBehavior"], control["OriginAccessControlOriginType"]) == (
        "always", "s3")
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["CachePolicyId"] == template["DefaultCacheBehavior"]["CachePolicyId"]
    # moto has no response headers policies: the stand-in holds what the template asked.
    kind, policy = RECORDED[behaviour["ResponseHeadersPolicyId"]]
    assert kind == "AWS::CloudFront::ResponseHeadersPolicy"
    headers = policy["ResponseHeadersPolicyConfig"]
    assert headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"] \
        == HEADERS["Content-Security-Policy"]
    assert headers["CustomHeadersConfig"]["Items"][0]["Value"] == HEADERS["Permissions-Policy"]


def form_page_route(cloudfront: Any, distribution_id: str) -> tuple[list[Any], list[Any]]:
    """The distribution's origins and cache behaviours, as CloudFront answers them."""
    config = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]
    return config["Origins"]["Items"], config["CacheBehaviors"].get("Items", [])


def test_form_html_goes_to_the_api_s_site_page_through_the_published_function(
        local_aws: LocalAws, deployed: dict[str, str]) -> None:
    cloudfront = local_aws.session.client("cloudfront")
    origins, [behaviour] = form_page_route(cloudfront, deployed["SiteDistributionId"])
    api = origins[1]
    assert (api["Id"], api["DomainName"], api["OriginPath"]) == (
        "api", "abc123.execute-api.us-east-1.amazonaws.com", "/api")
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert api["CustomOriginConfig"]["OriginSslProtocols"]["Items"] == ["TLSv1.2"]
    assert (behaviour["PathPattern"], behaviour["TargetOriginId"]) == ("/form.html", "api")
    kind, _ = RECORDED[behaviour["ResponseHeadersPolicyId"]]  # the site's headers here too
    assert kind == "AWS::CloudFront::ResponseHeadersPolicy"
    [association] = behaviour["FunctionAssociations"]["Items"]
    assert association["EventType"] == "viewer-request"
    name = "frontdesk-parity-form-page-us-east-1"
    described = cloudfront.describe_function(Name=name)["FunctionSummary"]
    assert described["FunctionMetadata"]["FunctionARN"] == association["FunctionARN"]
    assert described["FunctionMetadata"]["Stage"] == "LIVE"  # AutoPublish
    assert described["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    code = cloudfront.get_function(Name=name)["FunctionCode"].read().decode()
    assert code == props("FormPageRoute")["FunctionCode"]


def test_before_the_first_api_the_site_has_no_route_then_gains_it(local_aws: LocalAws) -> None:
    """make deploy's order: the stack, `chalice deploy`, the stack again naming the API."""
    cfn = local_aws.session.client("cloudformation")
    cloudfront = local_aws.session.client("cloudfront")
    stage = dataclasses.replace(STAGE, name="parityroute", ses_identity="route@example.org")
    first = stack.deploy_stack(cfn, stage, BODY, "api", site_headers(None, "us-east-1"),
                               wait=FAST)
    try:
        origins, behaviours = form_page_route(cloudfront, first["SiteDistributionId"])
        assert ([o["Id"] for o in origins], behaviours) == (["site-bucket"], [])
        names = [f["Name"] for f in cloudfront.list_functions()["FunctionList"].get("Items", [])]
        assert "frontdesk-parityroute-form-page-us-east-1" not in names
        second = stack.deploy_stack(cfn, stage, BODY, "api", HEADERS, wait=FAST, api_url=API_URL)
        assert second["SiteDistributionId"] == first["SiteDistributionId"]  # updated in place
        origins, [behaviour] = form_page_route(cloudfront, second["SiteDistributionId"])
        assert [o["Id"] for o in origins] == ["site-bucket", "api"]
        assert behaviour["FunctionAssociations"]["Quantity"] == 1
        cloudfront.describe_function(Name="frontdesk-parityroute-form-page-us-east-1")
    finally:
        assert stack.delete_stack(cfn, stage, wait=FAST) is True
    names = [f["Name"] for f in cloudfront.list_functions()["FunctionList"].get("Items", [])]
    assert "frontdesk-parityroute-form-page-us-east-1" not in names


def test_every_alarm_exists_and_reaches_the_topic(local_aws: LocalAws,
                                                  deployed: dict[str, str]) -> None:
    sns = local_aws.session.client("sns")
    assert sns.get_topic_attributes(TopicArn=deployed["AlarmTopicArn"])["Attributes"]
    alarms = {a["AlarmName"]: a for a in local_aws.session.client("cloudwatch").describe_alarms(
        AlarmNamePrefix="frontdesk-parity-")["MetricAlarms"]}
    expected = {name: r["Properties"] for name, r in RESOURCES.items()
                if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert set(alarms) == {sub(p["AlarmName"]) for p in expected.values()}
    for template in expected.values():
        alarm = alarms[sub(template["AlarmName"])]
        assert alarm["AlarmActions"] == alarm["OKActions"] == [deployed["AlarmTopicArn"]]
        assert alarm["ComparisonOperator"] == template["ComparisonOperator"]
        assert alarm["EvaluationPeriods"] == template["EvaluationPeriods"]
        assert alarm["TreatMissingData"] == template["TreatMissingData"]
        if "Metrics" in template:
            assert [m["Id"] for m in alarm["Metrics"]] == [m["Id"] for m in template["Metrics"]]
        else:
            assert (alarm["Namespace"], alarm["MetricName"]) == (
                template["Namespace"], template["MetricName"])
    oldest = alarms["frontdesk-parity-oldest-pending-notification"]
    assert oldest["Threshold"] == STAGE.oldest_pending_alarm_minutes * 60


def test_an_update_with_new_parameters_changes_the_resources_in_place(
        local_aws: LocalAws) -> None:
    """A stage of its own: its pool id and items must survive the update."""
    cfn = local_aws.session.client("cloudformation")
    cognito = local_aws.session.client("cognito-idp")
    stage = dataclasses.replace(STAGE, name="parityupdate", ses_identity="update@example.org")
    before = stack.deploy_stack(cfn, stage, BODY, "api", HEADERS, wait=FAST)
    try:
        changed = dataclasses.replace(stage, mfa="required", alarm_email="ops@example.org",
                                      quota_limit=7)
        after = stack.deploy_stack(cfn, changed, BODY, "api", HEADERS, wait=FAST)
        assert after["UserPoolId"] == before["UserPoolId"]
        assert after["UsagePlanId"] == before["UsagePlanId"]
        assert cfn.describe_stacks(StackName=stage.stack_name)["Stacks"][0][
            "StackStatus"] == "UPDATE_COMPLETE"
        assert cognito.get_user_pool_mfa_config(UserPoolId=after["UserPoolId"])[
            "MfaConfiguration"] == "ON"
        subscriptions = local_aws.session.client("sns").list_subscriptions_by_topic(
            TopicArn=after["AlarmTopicArn"])["Subscriptions"]
        assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [
            ("email", "ops@example.org")]
        plan = local_aws.session.client("apigateway").get_usage_plan(
            usagePlanId=after["UsagePlanId"])
        assert plan["quota"]["limit"] == 7
    finally:
        assert stack.delete_stack(cfn, stage, wait=FAST) is True


def without_gsi3(template: dict[str, Any]) -> dict[str, Any]:
    """The template as it was before the sender index (issue 24)."""
    older = json.loads(json.dumps(template))
    table = older["Resources"]["Table"]["Properties"]
    table["GlobalSecondaryIndexes"] = [i for i in table["GlobalSecondaryIndexes"]
                                       if i["IndexName"] != "gsi3"]
    table["AttributeDefinitions"] = [a for a in table["AttributeDefinitions"]
                                     if not a["AttributeName"].startswith("gsi3")]
    return older


def test_an_update_adds_one_index_to_the_table_and_keeps_its_items(local_aws: LocalAws) -> None:
    """As CloudFormation does: the table is updated in place, its items kept and
    indexed by the new GSI; two index changes in one update are refused."""
    cfn, dynamodb = (local_aws.session.client(s) for s in ("cloudformation", "dynamodb"))
    stage = dataclasses.replace(STAGE, name="parityindex", ses_identity="index@example.org")
    older = without_gsi3(TEMPLATE)
    stack.deploy_stack(cfn, stage, json.dumps(older), "api", HEADERS, wait=FAST)
    try:
        item = {"pk": {"S": "MSG#1"}, "sk": {"S": "MSG"}, "gsi3pk": {"S": "SENDER#a"},
                "gsi3sk": {"S": "new#1"}}
        dynamodb.put_item(TableName=stage.table_name, Item=item)
        assert [i["IndexName"] for i in dynamodb.describe_table(TableName=stage.table_name)[
            "Table"]["GlobalSecondaryIndexes"]] == ["gsi1", "gsi2"]
        stack.deploy_stack(cfn, stage, BODY, "api", HEADERS, wait=FAST)
        table = dynamodb.describe_table(TableName=stage.table_name)["Table"]
        assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["gsi1", "gsi2",
                                                                            "gsi3"]
        assert {a["AttributeName"] for a in table["AttributeDefinitions"]} >= {"gsi3pk", "gsi3sk"}
        found = dynamodb.query(TableName=stage.table_name, IndexName="gsi3",
                               KeyConditionExpression="gsi3pk = :p",
                               ExpressionAttributeValues={":p": {"S": "SENDER#a"}})["Items"]
        assert found == [item]
        # Back to two indexes and on to a fourth in one update: refused, nothing changed.
        two_changes = json.loads(BODY)
        indexes = two_changes["Resources"]["Table"]["Properties"]["GlobalSecondaryIndexes"]
        indexes[2] = {**indexes[2], "IndexName": "gsi4"}
        with pytest.raises(stack.StackFailed, match="more than one GSI creation or deletion"):
            stack.deploy_stack(cfn, stage, json.dumps(two_changes), "api", HEADERS, wait=FAST)
        assert [i["IndexName"] for i in dynamodb.describe_table(TableName=stage.table_name)[
            "Table"]["GlobalSecondaryIndexes"]] == ["gsi1", "gsi2", "gsi3"]
    finally:
        assert stack.delete_stack(cfn, stage, wait=FAST) is True


def test_deleting_the_stack_deletes_what_it_created(local_aws: LocalAws) -> None:
    session = local_aws.session
    cfn = session.client("cloudformation")
    stage = dataclasses.replace(STAGE, name="paritydelete", ses_identity="delete@example.org")
    outputs = stack.deploy_stack(cfn, stage, BODY, "api", HEADERS, wait=FAST)
    assert stack.delete_stack(cfn, stage, wait=FAST) is True

    assert stage.table_name not in session.client("dynamodb").list_tables()["TableNames"]
    pools = session.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]
    assert outputs["UserPoolId"] not in [p["Id"] for p in pools]
    assert stage.ses_identity not in session.client("ses").list_identities()["Identities"]
    apigateway = session.client("apigateway")
    assert outputs["UsagePlanId"] not in [p["id"] for p in apigateway.get_usage_plans()["items"]]
    assert outputs["ApiKeyId"] not in [k["id"] for k in apigateway.get_api_keys()["items"]]
    assert not session.client("cloudwatch").describe_alarms(
        AlarmNamePrefix="frontdesk-paritydelete-")["MetricAlarms"]
    distributions = session.client("cloudfront").list_distributions()["DistributionList"]
    assert outputs["SiteDistributionId"] not in [d["Id"] for d in distributions.get("Items", [])]
    assert outputs["SiteBucketName"] not in [
        b["Name"] for b in session.client("s3").list_buckets()["Buckets"]]


def test_a_resource_type_nobody_handles_fails_the_stack_by_name(local_aws: LocalAws) -> None:
    cfn = local_aws.session.client("cloudformation")
    body = json.dumps({"Resources": {
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Queue": {"Type": "AWS::Example::Unheard"}}})
    with pytest.raises(ClientError) as refused:
        cfn.create_stack(StackName="parity-unknown", TemplateBody=body)
    assert "AWS::Example::Unheard" in refused.value.response["Error"]["Message"]
    names = [s["StackName"] for s in cfn.list_stacks()["StackSummaries"]
             if s["StackStatus"] != "DELETE_COMPLETE"]
    assert "parity-unknown" not in names


def test_a_resource_that_fails_rolls_the_stack_back_and_says_which(local_aws: LocalAws) -> None:
    cfn = local_aws.session.client("cloudformation")
    body = json.dumps({"Resources": {
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "parity-rollback"}},
        "Client": {"Type": "AWS::Cognito::UserPoolClient",
                   "Properties": {"UserPoolId": "us-east-1_nosuchpool", "ClientName": "x"}}}})
    cfn.create_stack(StackName="parity-rollback", TemplateBody=body)
    try:
        status = cfn.describe_stacks(StackName="parity-rollback")["Stacks"][0]["StackStatus"]
        assert status == "ROLLBACK_COMPLETE"
        failed = [e for e in cfn.describe_stack_events(StackName="parity-rollback")["StackEvents"]
                  if e["ResourceStatus"] == "CREATE_FAILED"]
        assert [e["LogicalResourceId"] for e in failed] == ["Client"]
        assert "nosuchpool" in failed[0]["ResourceStatusReason"]
        topics = local_aws.session.client("sns").list_topics()["Topics"]
        assert not [t for t in topics if t["TopicArn"].endswith(":parity-rollback")]
    finally:
        cfn.delete_stack(StackName="parity-rollback")


def test_a_plan_still_covering_a_stage_leaves_the_stack_delete_failed(
        local_aws: LocalAws) -> None:
    """As on AWS: the plan refuses deletion while it covers a stage, so the
    stack's deletion fails and says why; detached, the stack deletes."""
    cfn = local_aws.session.client("cloudformation")
    apigateway = local_aws.session.client("apigateway")
    stage = dataclasses.replace(STAGE, name="paritycovered", ses_identity="covered@example.org")
    outputs = stack.deploy_stack(cfn, stage, BODY, "api", HEADERS, wait=FAST)
    api_id = create_rest_api(apigateway)
    covering = {"op": "add", "path": "/apiStages", "value": f"{api_id}:api"}
    apigateway.update_usage_plan(usagePlanId=outputs["UsagePlanId"], patchOperations=[covering])

    with pytest.raises(stack.StackFailed, match="Cannot delete Usage Plan"):
        stack.delete_stack(cfn, stage, wait=FAST)
    assert cfn.describe_stacks(StackName=stage.stack_name)["Stacks"][0][
        "StackStatus"] == "DELETE_FAILED"

    apigateway.update_usage_plan(usagePlanId=outputs["UsagePlanId"],
                                 patchOperations=[{**covering, "op": "remove"}])
    assert stack.delete_stack(cfn, stage, wait=FAST) is True
    assert outputs["UsagePlanId"] not in [p["id"] for p in apigateway.get_usage_plans()["items"]]


@pytest.mark.parametrize("parameter, value, refusal", [
    ("Stage", "Not-A-Stage", "Parameter 'Stage' must match pattern"),
    ("QuotaPeriod", "YEAR", "Parameter 'QuotaPeriod' must be one of AllowedValues"),
    ("OldestPendingNotificationAlarmSeconds", "59", "must be a number not less than 60"),
])
def test_a_parameter_the_template_refuses_fails_the_deploy_before_anything_is_made(
        local_aws: LocalAws, parameter: str, value: str, refusal: str) -> None:
    cfn = local_aws.session.client("cloudformation")
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack.stack_parameters(
        dataclasses.replace(STAGE, name="paritybad"), "api", HEADERS)}
    with pytest.raises(ClientError, match=refusal):
        cfn.create_stack(StackName="frontdesk-paritybad-resources", TemplateBody=BODY,
                         Parameters=[{"ParameterKey": k, "ParameterValue": value if k == parameter
                                      else v} for k, v in parameters.items()])
    assert "frontdesk-paritybad" not in local_aws.session.client("dynamodb").list_tables()[
        "TableNames"]


def test_an_update_with_a_refused_parameter_changes_nothing(
        local_aws: LocalAws, deployed: dict[str, str]) -> None:
    cfn = local_aws.session.client("cloudformation")
    parameters = stack.stack_parameters(STAGE, "api", HEADERS)
    bad = [{**p, "ParameterValue": "YEAR"} if p["ParameterKey"] == "QuotaPeriod" else p
           for p in parameters]
    with pytest.raises(ClientError, match="QuotaPeriod"):
        cfn.update_stack(StackName=STAGE.stack_name, TemplateBody=BODY, Parameters=bad)
    assert cfn.describe_stacks(StackName=STAGE.stack_name)["Stacks"][0]["StackStatus"] in (
        "CREATE_COMPLETE", "UPDATE_COMPLETE")


def test_a_domain_identity_answers_its_dkim_records(local_aws: LocalAws) -> None:
    cfn = local_aws.session.client("cloudformation")
    body = json.dumps({
        "Resources": {"Domain": {"Type": "AWS::SES::EmailIdentity",
                                 "Properties": {"EmailIdentity": "Mail.Parity.Example"}}},
        "Outputs": {"Name1": {"Value": {"Fn::GetAtt": ["Domain", "DkimDNSTokenName1"]}},
                    "Value1": {"Value": {"Fn::GetAtt": ["Domain", "DkimDNSTokenValue1"]}}}})
    cfn.create_stack(StackName="parity-domain", TemplateBody=body)
    try:
        outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(
            StackName="parity-domain")["Stacks"][0]["Outputs"]}
        assert outputs["Name1"].endswith("._domainkey.mail.parity.example")
        assert outputs["Value1"].endswith(".dkim.amazonses.com")
        assert "mail.parity.example" in local_aws.session.client("ses").list_identities(
            IdentityType="Domain")["Identities"]
    finally:
        cfn.delete_stack(StackName="parity-domain")
