"""The whole deploy and destroy sequence: CloudFormation through botocore's
Stubber on the exact calls (moto's CloudFormation lacks Cognito, SES, usage
plans and alarms), API Gateway on moto, and a stand-in for `chalice deploy`
that builds the REST API and records it as Chalice does."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from botocore.stub import Stubber

from infra.chalice_config import LAMBDA_PYTHON, POWERTOOLS_LAYER_VERSION
from infra.deploy import AwsClients, Project, Refused, deploy, destroy
from infra.stack import stack_parameters
from infra.stages import PROJECT_DIR, load_stage
from tests.infra.aws_stand_ins import create_rest_api, create_usage_plan

STACK = "frontdesk-dev-resources"
FAST_WAIT = {"Delay": 0, "MaxAttempts": 2}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    for relative in (".chalice/config.json", "infra/stages.json", "infra/resources.yaml"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_DIR / relative, tmp_path / relative)
    return Project(tmp_path)


HANDLER_ARN = "arn:aws:lambda:us-east-1:123456789012:function:frontdesk-dev"


class FakeChalice:
    """Does to API Gateway and .chalice/deployed what `chalice deploy|delete` would."""

    def __init__(self, apigateway: Any, project: Project) -> None:
        self.apigateway, self.project, self.calls = apigateway, project, []  # type: list[list[str]]

    def __call__(self, args: list[str]) -> None:
        self.calls.append(args)
        action, stage = args[0], args[2]
        deployed = self.project.deployed(stage)
        if action == "deploy":
            api_id = create_rest_api(self.apigateway)
            url = f"https://{api_id}.execute-api.us-east-1.amazonaws.com/api/"
            deployed.parent.mkdir(parents=True, exist_ok=True)
            deployed.write_text(json.dumps({"resources": [
                {"name": "api_handler", "resource_type": "lambda_function",
                 "lambda_arn": HANDLER_ARN},
                {"name": "rest_api", "resource_type": "rest_api", "rest_api_id": api_id,
                 "rest_api_url": url}]}))
        else:
            deployed.unlink()


def outputs_response(outputs: dict[str, str], status: str) -> dict[str, Any]:
    return {"Stacks": [{"StackName": STACK, "StackStatus": status, "CreationTime": "2026-01-01",
                        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()]}]}


@pytest.fixture
def cfn(local_aws: Any) -> Iterator[tuple[Any, Stubber]]:
    client = local_aws.session.client("cloudformation")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_deploy_runs_the_whole_sequence(local_aws: Any, project: Project, cfn: Any) -> None:
    client, stubber = cfn
    apigateway = local_aws.session.client("apigateway")
    plan = create_usage_plan(apigateway, "frontdesk-dev-service")
    outputs = {"TableName": "frontdesk-dev",
               "TableStreamArn": "arn:aws:dynamodb:us-east-1:123456789012:table/frontdesk-dev/stream/x",
               "UserPoolId": "us-east-1_Abc",
               "UserPoolClientId": "client123",
               "UserPoolArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Abc",
               "UsagePlanId": plan, "ApiKeyId": "key123"}
    stubber.add_client_error("describe_stacks", "ValidationError",
                             f"Stack with id {STACK} does not exist", expected_params={"StackName": STACK})
    stubber.add_response("create_stack", {"StackId": "arn:stack"}, expected_params={
        "StackName": STACK, "TemplateBody": project.template.read_text(),
        "Parameters": stack_parameters(load_stage("dev"), "api"),
        "Tags": [{"Key": "app", "Value": "frontdesk"}, {"Key": "stage", "Value": "dev"}]})
    stubber.add_response("describe_stacks", outputs_response(outputs, "CREATE_COMPLETE"),
                         expected_params={"StackName": STACK})
    stubber.add_response("describe_stacks", outputs_response(outputs, "CREATE_COMPLETE"),
                         expected_params={"StackName": STACK})
    chalice = FakeChalice(apigateway, project)
    said: list[str] = []

    result = deploy("dev", aws=AwsClients(client, apigateway, "us-east-1"), chalice=chalice,
                    project=project, say=said.append)

    assert chalice.calls == [["deploy", "--stage", "dev"]]
    config = json.loads(project.chalice_config.read_text())
    env = config["stages"]["dev"]["environment_variables"]
    assert env["USER_POOL_ID"] == "us-east-1_Abc" and env["USER_POOL_CLIENT_ID"] == "client123"
    assert env["USER_POOL_ARN"] == outputs["UserPoolArn"] and env["TABLE_NAME"] == "frontdesk-dev"
    assert env["MAIL_FROM"] == load_stage("dev").mail_from
    assert env["ALLOWED_ORIGINS"]  # what was there stays
    assert config["stages"]["dev"]["layers"] == [
        "arn:aws:lambda:us-east-1:017000801446:layer:"
        f"AWSLambdaPowertoolsPythonV3-{LAMBDA_PYTHON}-arm64:{POWERTOOLS_LAYER_VERSION}"]
    assert config["stages"]["prod"] == json.loads(
        (PROJECT_DIR / ".chalice/config.json").read_text())["stages"]["prod"]

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
        "cognitoEndpoint": "https://cognito-idp.us-east-1.amazonaws.com/"}
    assert any(result.api_url in line for line in said)


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
    stubber.add_response("describe_stacks", outputs_response({}, "CREATE_COMPLETE"),
                         expected_params={"StackName": STACK})
    stubber.add_response("delete_stack", {}, expected_params={"StackName": STACK})
    stubber.add_response("describe_stacks", outputs_response({}, "DELETE_COMPLETE"),
                         expected_params={"StackName": STACK})

    destroy("dev", aws=AwsClients(client, None, "us-east-1"), chalice=chalice, project=project,
            say=lambda line: None)

    assert chalice.calls[-1] == ["delete", "--stage", "dev"]
    assert not project.deployed("dev").exists()
