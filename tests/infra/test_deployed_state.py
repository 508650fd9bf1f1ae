"""Deploy says whether it changed anything by reading the stage back before and
after (infra/deployed_state.py): what AWS renumbers on every deploy (the API
re-imported, a new deployment of its stage) is no change; a function's
configuration, a method's authorization or a site file is."""
from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest

from infra import deployed_state
from infra.deploy import AwsClients
from tests.devstack.test_moto_apigateway import chalice_swagger
from tests.infra.aws_stand_ins import create_usage_plan

# The parts of a resources stack deploy reads: its site bucket and usage plan.
TEMPLATE = json.dumps({
    "Parameters": {"PlanId": {"Type": "String"}, "Bucket": {"Type": "String"}},
    "Resources": {"SiteBucket": {"Type": "AWS::S3::Bucket",
                                 "Properties": {"BucketName": {"Ref": "Bucket"}}}},
    "Outputs": {"SiteBucketName": {"Value": {"Ref": "SiteBucket"}},
                "UsagePlanId": {"Value": {"Ref": "PlanId"}}}})


@dataclass
class Stage:
    aws: AwsClients
    stack: str
    records: list[dict[str, Any]]
    bucket: str
    function: str

    def read(self) -> dict[str, Any] | None:
        return deployed_state.read(self.aws, self.stack, "api", self.records)


def _function_zip() -> bytes:
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        # A fixed date: a name alone stamps the current second, so two zips of
        # the same code made a second apart would differ.
        archive.writestr(zipfile.ZipInfo("app.py", date_time=(2020, 1, 1, 0, 0, 0)),
                         "def app(event, context):\n    return {}\n")
    return code.getvalue()


@pytest.fixture
def stage(local_aws: Any) -> Stage:
    session = local_aws.session
    aws = AwsClients(session.client("cloudformation"), session.client("apigateway"),
                     session.region_name, s3=session.client("s3"),
                     lambda_=session.client("lambda"), iam=session.client("iam"),
                     events=session.client("events"))
    name = f"state{uuid.uuid4().hex[:8]}"
    role = aws.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    aws.iam.put_role_policy(RoleName=name, PolicyName=name, PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ses:SendEmail",
                                                "Resource": "*"}]}))
    function = aws.lambda_.create_function(
        FunctionName=name, Runtime="python3.13", Handler="app.app", Role=role["Role"]["Arn"],
        Code={"ZipFile": _function_zip()}, Architectures=["arm64"],
        Environment={"Variables": {"STAGE": name}})["FunctionArn"]
    api_id = aws.apigateway.import_rest_api(body=json.dumps(chalice_swagger()))["id"]
    aws.apigateway.create_deployment(restApiId=api_id, stageName="api")
    plan = create_usage_plan(aws.apigateway, name)
    aws.apigateway.update_usage_plan(usagePlanId=plan, patchOperations=[
        {"op": "add", "path": "/apiStages", "value": f"{api_id}:api"}])
    stack = aws.cloudformation.create_stack(StackName=name, TemplateBody=TEMPLATE, Parameters=[
        {"ParameterKey": "PlanId", "ParameterValue": plan},
        {"ParameterKey": "Bucket", "ParameterValue": name}])["StackId"]
    aws.s3.put_object(Bucket=name, Key="index.html", Body=b"<!doctype html>")
    records = [{"name": "api_handler", "resource_type": "lambda_function", "lambda_arn": function},
               {"name": "rest_api", "resource_type": "rest_api", "rest_api_id": api_id}]
    return Stage(aws, stack, records, name, function)


def test_reading_a_stage_twice_finds_no_change(stage: Stage) -> None:
    before = stage.read()

    assert before is not None and set(before) == set(deployed_state.PARTS)
    assert deployed_state.changes(before, stage.read()) == []


def test_the_api_imported_again_and_redeployed_is_no_change(stage: Stage) -> None:
    before = stage.read()
    api_id = stage.records[1]["rest_api_id"]

    stage.aws.apigateway.put_rest_api(restApiId=api_id, mode="overwrite",
                                      body=json.dumps(chalice_swagger()))
    stage.aws.apigateway.create_deployment(restApiId=api_id, stageName="api")

    assert deployed_state.changes(before, stage.read()) == []


def test_a_method_s_authorization_is_a_change_of_the_api(stage: Stage) -> None:
    before = stage.read()

    stage.aws.apigateway.put_rest_api(restApiId=stage.records[1]["rest_api_id"], mode="overwrite",
                                      body=json.dumps(chalice_swagger(with_authorizer=False)))

    assert deployed_state.changes(before, stage.read()) == ["API"]


def test_a_function_s_environment_or_role_policy_is_a_change_of_functions(stage: Stage) -> None:
    before = stage.read()
    stage.aws.lambda_.update_function_configuration(
        FunctionName=stage.function, Environment={"Variables": {"STAGE": "other"}})

    assert deployed_state.changes(before, stage.read()) == ["functions"]

    before = stage.read()
    stage.aws.iam.put_role_policy(RoleName=stage.bucket, PolicyName=stage.bucket,
                                  PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                                      {"Effect": "Allow", "Action": "ses:*", "Resource": "*"}]}))

    assert deployed_state.changes(before, stage.read()) == ["functions"]


def test_the_same_code_uploaded_again_is_no_change(stage: Stage) -> None:
    before = stage.read()

    stage.aws.lambda_.update_function_code(FunctionName=stage.function, ZipFile=_function_zip())

    assert deployed_state.changes(before, stage.read()) == []


def test_a_site_file_is_a_change_of_the_site(stage: Stage) -> None:
    before = stage.read()

    stage.aws.s3.put_object(Bucket=stage.bucket, Key="index.html", Body=b"<!doctype html><p>")

    assert deployed_state.changes(before, stage.read()) == ["site files"]


def test_without_a_lambda_client_nothing_is_told(stage: Stage) -> None:
    blind = AwsClients(stage.aws.cloudformation, stage.aws.apigateway, stage.aws.region)

    assert deployed_state.read(blind, stage.stack, "api", stage.records) is None
    assert deployed_state.changes(None, stage.read()) is None


def test_credentials_that_may_not_read_a_part_back_tell_nothing(stage: Stage) -> None:
    from botocore.stub import Stubber

    with Stubber(stage.aws.lambda_) as lambda_:
        lambda_.add_client_error("get_function_configuration", "AccessDeniedException",
                                 http_status_code=403)

        assert stage.read() is None
