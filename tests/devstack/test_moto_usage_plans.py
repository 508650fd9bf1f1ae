"""The local AWS keeps usage plans as API Gateway does (devstack/moto_usage_plans.py):
a plan with stages cannot be deleted, and a deleted API or stage leaves every plan."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import LocalAws
from tests.infra.aws_stand_ins import create_rest_api, create_usage_plan


@pytest.fixture
def apigateway(local_aws: LocalAws) -> Any:
    return local_aws.session.client("apigateway")


def stages_of(apigateway: Any, plan: str) -> list[tuple[str, str]]:
    return [(s["apiId"], s["stage"]) for s in
            apigateway.get_usage_plan(usagePlanId=plan).get("apiStages", [])]


def attach(apigateway: Any, plan: str, api_id: str, stage: str = "api") -> None:
    apigateway.update_usage_plan(usagePlanId=plan, patchOperations=[
        {"op": "add", "path": "/apiStages", "value": f"{api_id}:{stage}"}])


def test_a_usage_plan_covering_a_stage_cannot_be_deleted(apigateway: Any) -> None:
    plan, api_id = create_usage_plan(apigateway, "covering"), create_rest_api(apigateway)
    attach(apigateway, plan, api_id)

    with pytest.raises(ClientError) as refused:
        apigateway.delete_usage_plan(usagePlanId=plan)

    assert refused.value.response["Error"]["Code"] == "BadRequestException"
    assert refused.value.response["Error"]["Message"] == (
        f"Cannot delete Usage Plan {plan} because there are API Stages associated with it, "
        f"including {api_id}:api")
    apigateway.update_usage_plan(usagePlanId=plan, patchOperations=[
        {"op": "remove", "path": "/apiStages", "value": f"{api_id}:api"}])
    apigateway.delete_usage_plan(usagePlanId=plan)
    with pytest.raises(apigateway.exceptions.NotFoundException):
        apigateway.delete_usage_plan(usagePlanId=plan)


def test_a_deleted_api_leaves_every_usage_plan(apigateway: Any) -> None:
    plans = [create_usage_plan(apigateway, name) for name in ("first", "second")]
    gone, kept = create_rest_api(apigateway), create_rest_api(apigateway)
    for plan in plans:
        attach(apigateway, plan, gone)
        attach(apigateway, plan, kept)

    apigateway.delete_rest_api(restApiId=gone)

    assert [stages_of(apigateway, plan) for plan in plans] == [[(kept, "api")]] * 2


def test_a_deleted_stage_leaves_the_usage_plan(apigateway: Any) -> None:
    plan, api_id = create_usage_plan(apigateway, "staged"), create_rest_api(apigateway)
    apigateway.create_deployment(restApiId=api_id, stageName="other")
    attach(apigateway, plan, api_id)
    attach(apigateway, plan, api_id, "other")

    apigateway.delete_stage(restApiId=api_id, stageName="other")

    assert stages_of(apigateway, plan) == [(api_id, "api")]
