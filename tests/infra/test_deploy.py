"""The whole deploy and destroy sequence: CloudFormation through botocore's
Stubber on the exact calls (moto's CloudFormation lacks Cognito, SES, usage
plans and alarms), API Gateway on moto, and a stand-in for `chalice deploy`
that builds the REST API and records it as Chalice does."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from infra import gateway
from infra.deploy import AwsClients, Project, Refused, deploy, destroy, find_unrecorded_api
from infra.runtime import LAMBDA_PYTHON_RUNTIMES, LAMBDA_RUNTIME, shown
from infra.site import site_headers
from infra.stack import stack_parameters
from infra.stages import EXAMPLE_SETTINGS_FILE, PROJECT_DIR, SettingsError, load_stage
from tests.infra.aws_stand_ins import create_rest_api, create_usage_plan
from tests.infra.templates import resources_template

STACK = "frontdesk-dev-resources"
FAST_WAIT = {"Delay": 0, "MaxAttempts": 2}
POLICY = resources_template()["Resources"]["UserPool"]["Properties"]["Policies"]["PasswordPolicy"]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    for relative in (".chalice/config.json", "infra/resources.yaml"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_DIR / relative, tmp_path / relative)
    shutil.copytree(PROJECT_DIR / "web", tmp_path / "web",
                    ignore=shutil.ignore_patterns("config.json"))
    # What `make settings` seeds holds placeholders, which deploy refuses: the
    # owner fills them in.
    stages = json.loads(EXAMPLE_SETTINGS_FILE.read_text())
    for stage in stages.values():
        stage.update(mailFrom="frontdesk@frontdesk.test", ownerEmail="owner@frontdesk.test",
                     sesIdentity="frontdesk.test")
    (tmp_path / "frontdesk.json").write_text(json.dumps(stages))
    return Project(tmp_path)


def tree(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


HANDLER_ARN = "arn:aws:lambda:us-east-1:123456789012:function:frontdesk-dev"
API_ID = "abc123defg"
API_URL = f"https://{API_ID}.execute-api.us-east-1.amazonaws.com/api"
# What `chalice delete` leaves in .chalice/deployed/<stage>.json (chalice/deploy/deployer.py).
CHALICE_DELETED = {"resources": [], "schema_version": "2.0", "backend": "api"}


class FakeChalice:
    """Does to API Gateway and .chalice/deployed what `chalice deploy|delete` would.

    As Chalice's planner does, deploy updates the API the record names if it
    still exists, and imports a new one otherwise (with id API_ID while no API has it);
    `fail_after_import` fails the next deploy right after the import, and, as
    Chalice, records nothing then."""

    def __init__(self, apigateway: Any, project: Project, fail_after_import: bool = False) -> None:
        self.apigateway, self.project, self.calls = apigateway, project, []  # type: list[list[str]]
        self.fail_after_import = fail_after_import

    def __call__(self, args: list[str]) -> None:
        self.calls.append(args)
        action, stage = args[0], args[2]
        deployed = self.project.deployed(stage)
        recorded = [r for r in json.loads(deployed.read_text())["resources"]
                    if r["resource_type"] == "rest_api"] if deployed.exists() else []
        if action == "deploy":
            existing = {api["id"] for api in self.apigateway.get_rest_apis(limit=500)["items"]}
            if recorded and recorded[0]["rest_api_id"] in existing:
                api_id = recorded[0]["rest_api_id"]
            else:
                api_id = create_rest_api(self.apigateway, function_arn=HANDLER_ARN,
                                         api_id=None if API_ID in existing else API_ID)
            if self.fail_after_import:
                self.fail_after_import = False
                raise subprocess.CalledProcessError(1, ["chalice", *args])
            url = f"https://{api_id}.execute-api.us-east-1.amazonaws.com/api/"
            deployed.parent.mkdir(parents=True, exist_ok=True)
            deployed.write_text(json.dumps({"resources": [
                {"name": "api_handler", "resource_type": "lambda_function",
                 "lambda_arn": HANDLER_ARN},
                {"name": "rest_api", "resource_type": "rest_api", "rest_api_id": api_id,
                 "rest_api_url": url}], "schema_version": "2.0", "backend": "api"}))
        else:  # as `chalice delete` does: the API goes, and the record is emptied, not removed
            for resource in recorded:
                self.apigateway.delete_rest_api(restApiId=resource["rest_api_id"])
            deployed.write_text(json.dumps(CHALICE_DELETED))


def stage_apis(apigateway: Any) -> list[str]:
    """The REST APIs of the app, by id."""
    return sorted(api["id"] for api in apigateway.get_rest_apis(limit=500)["items"]
                  if api["name"] == "frontdesk")


@pytest.fixture(autouse=True)
def no_rest_apis(local_aws: Any) -> None:
    """Each test starts with no API of the app in the shared local AWS."""
    apigateway = local_aws.session.client("apigateway")
    for api_id in stage_apis(apigateway):
        apigateway.delete_rest_api(restApiId=api_id)


def outputs_response(outputs: dict[str, str], status: str) -> dict[str, Any]:
    return {"Stacks": [{"StackName": STACK, "StackStatus": status, "CreationTime": "2026-01-01",
                        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()]}]}


@pytest.fixture
def cfn(local_aws: Any) -> Iterator[tuple[Any, Stubber]]:
    client = local_aws.session.client("cloudformation")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def cloudfront(local_aws: Any) -> Iterator[tuple[Any, Stubber]]:
    client = local_aws.session.client("cloudfront")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def site_bucket(local_aws: Any) -> Iterator[str]:
    """The bucket the stack would have made (moto's CloudFormation is stubbed here)."""
    s3 = local_aws.session.client("s3")
    name = f"frontdesk-site-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name
    for item in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=item["Key"])
    s3.delete_bucket(Bucket=name)


def stage_outputs(local_aws: Any, site_bucket: str) -> dict[str, str]:
    """The resources stack's outputs, with the usage plan, pool and bucket they name made in moto."""
    apigateway = local_aws.session.client("apigateway")
    pool_id = local_aws.session.client("cognito-idp").create_user_pool(
        PoolName="deployed", Policies={"PasswordPolicy": POLICY})["UserPool"]["Id"]
    return {"TableName": "frontdesk-dev",
            "TableStreamArn": "arn:aws:dynamodb:us-east-1:123456789012:table/frontdesk-dev/stream/x",
            "UserPoolId": pool_id,
            "UserPoolClientId": "client123",
            "UserPoolArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Abc",
            "UsagePlanId": create_usage_plan(apigateway, "frontdesk-dev-service"),
            "ApiKeyId": "key123",
            "SiteDomainName": "d111111abcdef8.cloudfront.net",
            "SiteBucketName": site_bucket, "SiteDistributionId": "EDFDVBD6EXAMPLE",
            "AttachmentsBucketName": "frontdesk-dev-attachments-123456789012"}


def expect_a_first_deploy(stubber: Stubber, cloudfront_stubber: Stubber, project: Project,
                          outputs: dict[str, str], known_api: bool = False) -> None:
    """The stack is created naming no API, then updated to name the one `chalice deploy`
    made; or, when deploy knows the API beforehand, created naming it."""
    dev = load_stage("dev", project.settings_file)
    stack_arguments = {"StackName": STACK, "TemplateBody": project.template.read_text(),
                       "Tags": [{"Key": "app", "Value": "frontdesk"},
                                {"Key": "stage", "Value": "dev"}]}
    stubber.add_client_error("describe_stacks", "ValidationError",
                             f"Stack with id {STACK} does not exist", expected_params={"StackName": STACK})
    # First deploy: no API yet, so the site's CSP names none...
    stubber.add_response("create_stack", {"StackId": "arn:stack"}, expected_params={
        **stack_arguments,
        "Parameters": stack_parameters(dev, "api", site_headers(
            API_URL if known_api else None, "us-east-1"), API_URL if known_api else None)})
    stubber.add_response("describe_stacks", outputs_response(outputs, "CREATE_COMPLETE"),
                         expected_params={"StackName": STACK})
    stubber.add_response("describe_stacks", outputs_response(outputs, "CREATE_COMPLETE"),
                         expected_params={"StackName": STACK})
    cloudfront_stubber.add_response(
        "create_invalidation",
        {"Invalidation": {"Id": "I2J0I21PCUYOIK", "Status": "InProgress",
                          "CreateTime": "2026-01-01", "InvalidationBatch": {
                              "Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": "x"}}},
        expected_params={"DistributionId": "EDFDVBD6EXAMPLE", "InvalidationBatch": ANY})
    if known_api:
        return
    # ...until `chalice deploy` has made one: then the stack is updated to name it
    # (and the site to send form.html to it).
    stubber.add_response("describe_stacks", outputs_response(outputs, "CREATE_COMPLETE"),
                         expected_params={"StackName": STACK})
    stubber.add_response("update_stack", {"StackId": "arn:stack"}, expected_params={
        **stack_arguments,
        "Parameters": stack_parameters(dev, "api", site_headers(API_URL, "us-east-1"),
                                       API_URL)})
    stubber.add_response("describe_stacks", outputs_response(outputs, "UPDATE_COMPLETE"),
                         expected_params={"StackName": STACK})
    stubber.add_response("describe_stacks", outputs_response(outputs, "UPDATE_COMPLETE"),
                         expected_params={"StackName": STACK})


def test_deploy_runs_the_whole_sequence(local_aws: Any, project: Project, cfn: Any,
                                        cloudfront: Any, site_bucket: str) -> None:
    client, stubber = cfn
    cloudfront_client, cloudfront_stubber = cloudfront
    s3 = local_aws.session.client("s3")
    dev = load_stage("dev", project.settings_file)
    apigateway = local_aws.session.client("apigateway")
    cognito = local_aws.session.client("cognito-idp")
    outputs = stage_outputs(local_aws, site_bucket)
    pool_id, plan = outputs["UserPoolId"], outputs["UsagePlanId"]
    expect_a_first_deploy(stubber, cloudfront_stubber, project, outputs)
    chalice = FakeChalice(apigateway, project)
    said: list[str] = []
    before = tree(project.root)

    result = deploy("dev", aws=AwsClients(client, apigateway, "us-east-1", cognito, s3=s3,
                                          cloudfront=cloudfront_client),
                    chalice=chalice, project=project, say=said.append)

    assert chalice.calls == [["deploy", "--stage", "dev"]]
    # Chalice's config and the role policy are generated under build/ from the
    # settings and the stack's outputs; no file the repository tracks changes.
    config = json.loads((project.generated("dev") / "config.json").read_text())
    env = config["stages"]["dev"]["environment_variables"]
    assert env["USER_POOL_ID"] == pool_id and env["USER_POOL_CLIENT_ID"] == "client123"
    assert env["USER_POOL_ARN"] == outputs["UserPoolArn"] and env["TABLE_NAME"] == "frontdesk-dev"
    assert env["MAIL_FROM"] == dev.mail_from and env["STAGE"] == "dev"
    # The site's own origin first, then the stage's extra ones from the settings.
    assert env["ALLOWED_ORIGINS"] == ",".join(
        ["https://d111111abcdef8.cloudfront.net", *dev.extra_allowed_origins])
    # Where the API's own form pages send a visitor after posting (thanks.html).
    assert env["SITE_URL"] == "https://d111111abcdef8.cloudfront.net/"
    assert list(config["stages"]) == ["dev"] and "layers" not in config["stages"]["dev"]
    assert config["stages"]["dev"]["iam_policy_file"] == "policy-dev.json"
    policy = json.loads((project.generated("dev") / "policy-dev.json").read_text())
    (send,) = [s for s in policy["Statement"] if s["Action"] == ["ses:SendEmail"]]
    assert send["Resource"] == "arn:aws:ses:*:*:identity/frontdesk.test"  # the settings' sesIdentity
    after = tree(project.root)
    changed = {path for path in after if before.get(path) != after[path]}
    assert changed and all(path.startswith(("build/", ".chalice/deployed/")) or path == "web/config.json"
                           for path in changed), changed

    api_id = result.rest_api_id
    types = {r["responseType"] for r in apigateway.get_gateway_responses(
        restApiId=api_id, limit=100)["items"] if r.get("responseTemplates")}
    assert {"MISSING_AUTHENTICATION_TOKEN", "UNAUTHORIZED", "THROTTLED"} <= types
    assert len(apigateway.get_deployments(restApiId=api_id)["items"]) == 2  # chalice's + ours
    resources = {r["path"]: r for r in apigateway.get_resources(restApiId=api_id)["items"]}
    for path in ("/", "/{proxy+}"):  # unknown paths reach the app
        integration = apigateway.get_integration(restApiId=api_id,
                                                 resourceId=resources[path]["id"], httpMethod="ANY")
        assert integration["type"] == "AWS_PROXY" and HANDLER_ARN in integration["uri"]
    assert [(s["apiId"], s["stage"]) for s in
            apigateway.get_usage_plan(usagePlanId=plan)["apiStages"]] == [(api_id, "api")]

    assert json.loads(project.web_config.read_text()) == {
        "apiUrl": f"https://{api_id}.execute-api.us-east-1.amazonaws.com/api",
        "region": "us-east-1", "userPoolClientId": "client123",
        "cognitoEndpoint": "https://cognito-idp.us-east-1.amazonaws.com/",
        "passwordPolicy": POLICY,  # the sign-in page lists the pool's rules
        "branding": {"siteName": "Frontdesk", "timeZone": "UTC", "dashboardLink": True},
        "spamRetentionDays": 30}  # the dashboard says when spam is purged
    assert any(result.api_url in line for line in said)

    # The site: every page and script, and the stage's config.json, in the bucket.
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=site_bucket)["Contents"]}
    assert {"index.html", "admin.html", "js/api.js", "css/site.css", "config.json"} <= keys
    assert "config.example.json" not in keys
    uploaded = s3.get_object(Bucket=site_bucket, Key="config.json")
    assert json.loads(uploaded["Body"].read()) == result.web_config
    assert result.site_url == "https://d111111abcdef8.cloudfront.net/"
    assert any(result.site_url in line for line in said)


def test_deploying_again_after_destroy_is_a_first_deploy(
        local_aws: Any, project: Project, cfn: Any, cloudfront: Any, site_bucket: str) -> None:
    client, stubber = cfn
    cloudfront_client, cloudfront_stubber = cloudfront
    apigateway = local_aws.session.client("apigateway")
    chalice = FakeChalice(apigateway, project)
    chalice(["deploy", "--stage", "dev"])
    chalice(["delete", "--stage", "dev"])  # what `make destroy` leaves: {"resources": []}
    outputs = stage_outputs(local_aws, site_bucket)
    expect_a_first_deploy(stubber, cloudfront_stubber, project, outputs)

    result = deploy("dev", aws=AwsClients(client, apigateway, "us-east-1",
                                          local_aws.session.client("cognito-idp"),
                                          s3=local_aws.session.client("s3"),
                                          cloudfront=cloudfront_client),
                    chalice=chalice, project=project, say=lambda line: None)

    assert (result.rest_api_id, result.api_url) == (API_ID, API_URL)


def test_a_deploy_after_one_that_failed_past_the_import_updates_the_api_it_left(
        local_aws: Any, project: Project, cfn: Any, cloudfront: Any, site_bucket: str) -> None:
    client, stubber = cfn
    cloudfront_client, cloudfront_stubber = cloudfront
    apigateway = local_aws.session.client("apigateway")
    chalice = FakeChalice(apigateway, project, fail_after_import=True)
    with pytest.raises(subprocess.CalledProcessError):
        chalice(["deploy", "--stage", "dev"])  # imported API_ID, recorded nothing
    assert not project.deployed("dev").exists() and stage_apis(apigateway) == [API_ID]
    # The stack's CSP names that API from the start.
    expect_a_first_deploy(stubber, cloudfront_stubber, project,
                          stage_outputs(local_aws, site_bucket), known_api=True)
    said: list[str] = []

    result = deploy("dev", aws=AwsClients(client, apigateway, "us-east-1",
                                          local_aws.session.client("cognito-idp"),
                                          s3=local_aws.session.client("s3"),
                                          cloudfront=cloudfront_client),
                    chalice=chalice, project=project, say=said.append)

    assert result.rest_api_id == API_ID and stage_apis(apigateway) == [API_ID]
    assert any(f"updating REST API {API_ID}, which no record here named" in line for line in said)


def test_another_stage_s_or_app_s_api_is_never_taken_for_the_stage_s(
        local_aws: Any, project: Project) -> None:
    apigateway = local_aws.session.client("apigateway")
    create_rest_api(apigateway, function_arn=HANDLER_ARN.replace("frontdesk-dev", "frontdesk-prod"))
    create_rest_api(apigateway)  # named frontdesk, invoking nothing
    config = json.loads(project.chalice_config.read_text())

    assert find_unrecorded_api(apigateway, project, config, "dev") == []
    assert not project.deployed("dev").exists()


def test_a_redeploy_with_the_same_api_updates_the_stack_once(
        local_aws: Any, project: Project, cfn: Any, cloudfront: Any, site_bucket: str) -> None:
    client, stubber = cfn
    cloudfront_client, cloudfront_stubber = cloudfront
    apigateway = local_aws.session.client("apigateway")
    chalice = FakeChalice(apigateway, project)
    chalice(["deploy", "--stage", "dev"])  # the last deploy recorded this API
    cognito = local_aws.session.client("cognito-idp")
    pool_id = cognito.create_user_pool(PoolName="redeployed")["UserPool"]["Id"]
    outputs = {"TableName": "frontdesk-dev", "TableStreamArn": "arn:aws:dynamodb:x:1:table/t/stream/s",
               "UserPoolId": pool_id, "UserPoolClientId": "client123",
               "UserPoolArn": "arn:aws:cognito-idp:x:1:userpool/p",
               "UsagePlanId": create_usage_plan(apigateway, "frontdesk-dev-service"),
               "ApiKeyId": "key123", "SiteDomainName": "d111111abcdef8.cloudfront.net",
               "SiteBucketName": site_bucket, "SiteDistributionId": "EDFDVBD6EXAMPLE",
            "AttachmentsBucketName": "frontdesk-dev-attachments-123456789012"}
    stubber.add_response("describe_stacks", outputs_response(outputs, "UPDATE_COMPLETE"),
                         expected_params={"StackName": STACK})
    stubber.add_client_error(  # the CSP already names this API: nothing to change
        "update_stack", "ValidationError", "No updates are to be performed.", expected_params={
            "StackName": STACK, "TemplateBody": project.template.read_text(),
            "Parameters": stack_parameters(load_stage("dev", project.settings_file), "api",
                                           site_headers(API_URL, "us-east-1"), API_URL),
            "Tags": [{"Key": "app", "Value": "frontdesk"}, {"Key": "stage", "Value": "dev"}]})
    stubber.add_response("describe_stacks", outputs_response(outputs, "UPDATE_COMPLETE"),
                         expected_params={"StackName": STACK})
    cloudfront_stubber.add_response(
        "create_invalidation",
        {"Invalidation": {"Id": "I2J0I21PCUYOIK", "Status": "InProgress",
                          "CreateTime": "2026-01-01", "InvalidationBatch": {
                              "Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": "x"}}},
        expected_params={"DistributionId": "EDFDVBD6EXAMPLE", "InvalidationBatch": ANY})
    said: list[str] = []

    deploy("dev", aws=AwsClients(client, apigateway, "us-east-1", cognito,
                                 s3=local_aws.session.client("s3"), cloudfront=cloudfront_client),
           chalice=chalice, project=project, say=said.append)

    assert not [line for line in said if "updating the stack" in line]


def test_deploy_with_placeholders_refuses_before_any_aws_call_naming_every_field(
        cfn: Any) -> None:
    client, _ = cfn  # no stubbed responses: any call would fail the test
    seeded = Project(PROJECT_DIR, settings=EXAMPLE_SETTINGS_FILE)  # as `make settings` seeds it
    with pytest.raises(Refused) as refused:
        deploy("prod", aws=AwsClients(client, None, "us-east-1"),
               chalice=lambda args: pytest.fail("chalice ran"), project=seeded)
    message = str(refused.value)
    assert message.startswith("frontdesk.example.json cannot deploy prod as it is. "
                              "Fix these fields first:")
    for field in ("prod.mailFrom", "prod.ownerEmail", "prod.sesIdentity"):
        assert field in message


def test_deploy_refuses_a_runtime_deprecated_within_90_days_before_any_aws_call(
        project: Project, cfn: Any) -> None:
    client, _ = cfn  # no stubbed responses: any call would fail the test
    deprecated = LAMBDA_PYTHON_RUNTIMES[LAMBDA_RUNTIME].deprecated
    with pytest.raises(Refused) as refused:
        deploy("dev", aws=AwsClients(client, None, "us-east-1"),
               chalice=lambda args: pytest.fail("chalice ran"), project=project,
               today=deprecated - dt.timedelta(days=89))
    assert str(refused.value).startswith(
        f"refusing to deploy: AWS Lambda deprecates the {LAMBDA_RUNTIME} runtime on {shown(deprecated)}")


def test_deploy_without_a_settings_file_says_how_to_create_one(project: Project, cfn: Any) -> None:
    client, _ = cfn
    project.settings_file.unlink()
    with pytest.raises(SettingsError, match=r"`make settings`"):
        deploy("dev", aws=AwsClients(client, None, "us-east-1"),
               chalice=lambda args: pytest.fail("chalice ran"), project=project)


def test_destroy_prod_without_confirmation_refuses_before_any_aws_call(
        project: Project, cfn: Any) -> None:
    client, _ = cfn  # no stubbed responses: any call would fail the test
    with pytest.raises(Refused, match="CONFIRM=frontdesk-prod-resources"):
        destroy("prod", aws=AwsClients(client, None, "us-east-1"),
                chalice=lambda args: pytest.fail("chalice ran"), project=project)


def test_destroy_dev_deletes_the_app_then_the_stack(local_aws: Any, project: Project,
                                                    cfn: Any) -> None:
    client, stubber = cfn
    chalice = FakeChalice(local_aws.session.client("apigateway"), project)
    chalice(["deploy", "--stage", "dev"])
    for _ in range(3):  # does it exist; its outputs (no site bucket); does it exist
        stubber.add_response("describe_stacks", outputs_response({}, "CREATE_COMPLETE"),
                             expected_params={"StackName": STACK})
    stubber.add_response("delete_stack", {}, expected_params={"StackName": STACK})
    stubber.add_response("describe_stacks", outputs_response({}, "DELETE_COMPLETE"),
                         expected_params={"StackName": STACK})

    destroy("dev", aws=AwsClients(client, local_aws.session.client("apigateway"), "us-east-1"),
            chalice=chalice, project=project, say=lambda line: None)

    assert chalice.calls[-1] == ["delete", "--stage", "dev"]
    assert json.loads(project.deployed("dev").read_text()) == CHALICE_DELETED
    # `chalice delete` imports app.py with the stage's environment: it has one.
    config = json.loads((project.generated("dev") / "config.json").read_text())
    assert config["stages"]["dev"]["environment_variables"]["STAGE"] == "dev"


def test_destroy_after_destroy_finds_no_app_and_no_stack(local_aws: Any, project: Project,
                                                         cfn: Any) -> None:
    client, stubber = cfn
    chalice = FakeChalice(local_aws.session.client("apigateway"), project)
    chalice(["deploy", "--stage", "dev"])
    chalice(["delete", "--stage", "dev"])  # the first destroy's `chalice delete`
    for _ in range(2):  # its outputs; does it exist (delete_stack): gone both times
        stubber.add_client_error("describe_stacks", "ValidationError",
                                 f"Stack with id {STACK} does not exist",
                                 expected_params={"StackName": STACK})
    said: list[str] = []

    destroy("dev", aws=AwsClients(client, local_aws.session.client("apigateway"), "us-east-1"),
            chalice=chalice, project=project, say=said.append)

    assert chalice.calls == [["deploy", "--stage", "dev"], ["delete", "--stage", "dev"]]
    assert "[2/3] no app deployed for dev" in said and said[-1] == "Frontdesk dev is gone."


def test_destroy_detaches_the_usage_plan_before_the_stack_deletes_it(
        local_aws: Any, project: Project, cfn: Any) -> None:
    """Here from a checkout with no record of the API (.chalice/deployed is
    git-ignored), so `chalice delete` has nothing to delete and the API's stage
    would stay on the plan, which AWS then refuses to delete with the stack."""
    client, stubber = cfn
    apigateway = local_aws.session.client("apigateway")
    FakeChalice(apigateway, project)(["deploy", "--stage", "dev"])
    project.deployed("dev").unlink()
    plan = create_usage_plan(apigateway, "frontdesk-dev-service")
    gateway.attach_usage_plan(apigateway, plan, API_ID, "api")
    with_plan = outputs_response({"UsagePlanId": plan}, "CREATE_COMPLETE")
    for _ in range(3):  # its outputs; does it exist (delete_stack); and once more
        stubber.add_response("describe_stacks", with_plan, expected_params={"StackName": STACK})
    stubber.add_response("delete_stack", {}, expected_params={"StackName": STACK})
    stubber.add_response("describe_stacks", outputs_response({}, "DELETE_COMPLETE"),
                         expected_params={"StackName": STACK})
    # As CloudFormation would on DeleteStack: delete the plan, which the local AWS
    # refuses, as API Gateway does, while the plan covers a stage.
    client.meta.events.register("before-parameter-build.cloudformation.DeleteStack",
                                lambda **_: apigateway.delete_usage_plan(usagePlanId=plan))
    said: list[str] = []

    destroy("dev", aws=AwsClients(client, apigateway, "us-east-1"), chalice=lambda args: None,
            project=project, say=said.append)

    assert f"[1/3] usage plan {plan}: detached {API_ID}:api" in said
    with pytest.raises(apigateway.exceptions.NotFoundException):
        apigateway.get_usage_plan(usagePlanId=plan)


def test_destroy_after_failed_deploys_deletes_every_api_they_left(
        local_aws: Any, project: Project, cfn: Any) -> None:
    client, stubber = cfn
    apigateway = local_aws.session.client("apigateway")
    for _ in range(2):
        with pytest.raises(subprocess.CalledProcessError):
            FakeChalice(apigateway, project, fail_after_import=True)(["deploy", "--stage", "dev"])
    assert len(stage_apis(apigateway)) == 2
    for _ in range(2):  # its outputs; does it exist (delete_stack): there is none
        stubber.add_client_error("describe_stacks", "ValidationError",
                                 f"Stack with id {STACK} does not exist",
                                 expected_params={"StackName": STACK})
    chalice = FakeChalice(apigateway, project)

    destroy("dev", aws=AwsClients(client, apigateway, "us-east-1"), chalice=chalice,
            project=project, say=lambda line: None)

    assert chalice.calls == [["delete", "--stage", "dev"]] and stage_apis(apigateway) == []


def test_destroy_empties_the_site_bucket_before_deleting_the_stack(
        local_aws: Any, project: Project, cfn: Any, site_bucket: str) -> None:
    client, stubber = cfn
    s3 = local_aws.session.client("s3")
    for key in ("index.html", "js/api.js", "config.json"):
        s3.put_object(Bucket=site_bucket, Key=key, Body=b"x")
    with_bucket = outputs_response({"SiteBucketName": site_bucket}, "CREATE_COMPLETE")
    for _ in range(3):  # does it exist; its outputs; does it exist (delete_stack)
        stubber.add_response("describe_stacks", with_bucket, expected_params={"StackName": STACK})
    stubber.add_response("delete_stack", {}, expected_params={"StackName": STACK})
    stubber.add_response("describe_stacks", outputs_response({}, "DELETE_COMPLETE"),
                         expected_params={"StackName": STACK})

    destroy("dev", aws=AwsClients(client, local_aws.session.client("apigateway"), "us-east-1",
                                  s3=s3),
            chalice=lambda args: None, project=project, say=lambda line: None)

    assert s3.list_objects_v2(Bucket=site_bucket).get("KeyCount") == 0


def test_destroy_empties_the_attachments_bucket_before_deleting_the_stack(
        local_aws: Any, project: Project, cfn: Any) -> None:
    client, stubber = cfn
    s3 = local_aws.session.client("s3")
    bucket = f"attachments-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    for key in ("files/" + "a" * 32, "unclaimed/" + "b" * 32):
        s3.put_object(Bucket=bucket, Key=key, Body=b"%PDF-")
    with_bucket = outputs_response({"AttachmentsBucketName": bucket}, "CREATE_COMPLETE")
    for _ in range(3):
        stubber.add_response("describe_stacks", with_bucket, expected_params={"StackName": STACK})
    stubber.add_response("delete_stack", {}, expected_params={"StackName": STACK})
    stubber.add_response("describe_stacks", outputs_response({}, "DELETE_COMPLETE"),
                         expected_params={"StackName": STACK})
    said: list[str] = []

    destroy("dev", aws=AwsClients(client, local_aws.session.client("apigateway"), "us-east-1",
                                  s3=s3),
            chalice=lambda args: None, project=project, say=said.append)

    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
    assert "      emptied the attachments bucket (2 files)" in said
