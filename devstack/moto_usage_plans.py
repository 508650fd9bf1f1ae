"""What moto's API Gateway gets wrong about usage plans, patched in one place.

moto 5.2, against API Gateway (CHALICE-NOTES, "rehearsing a deploy"):
- DeleteUsagePlan deletes a plan that still has API stages; API Gateway
  refuses with BadRequestException ("Cannot delete Usage Plan … because there
  are API Stages associated with it, including <api>:<stage>"), so a stack
  deletion whose plan still covers a stage fails on AWS. An unknown plan is a
  KeyError (a 500) where API Gateway answers NotFoundException.
- DeleteRestApi and DeleteStage leave the gone stage listed on every usage
  plan; API Gateway drops it with the stage.
"""
from __future__ import annotations

from moto.apigateway.exceptions import BadRequestException, UsagePlanNotFoundException
from moto.apigateway.models import APIGatewayBackend, RestAPI

_original_delete_rest_api = APIGatewayBackend.delete_rest_api
_original_delete_stage = APIGatewayBackend.delete_stage


def _drop_stages(backend: APIGatewayBackend, api_id: str, stage: str | None = None) -> None:
    for plan in backend.usage_plans.values():
        plan.api_stages = [s for s in plan.api_stages if not (
            s["apiId"] == api_id and stage in (None, s["stage"]))]


def delete_rest_api(self: APIGatewayBackend, function_id: str) -> RestAPI:
    api = _original_delete_rest_api(self, function_id)
    _drop_stages(self, function_id)
    return api


def delete_stage(self: APIGatewayBackend, function_id: str, stage_name: str) -> None:
    _original_delete_stage(self, function_id, stage_name)
    _drop_stages(self, function_id, stage_name)


def delete_usage_plan(self: APIGatewayBackend, usage_plan_id: str) -> None:
    plan = self.usage_plans.get(usage_plan_id)
    if plan is None:
        raise UsagePlanNotFoundException()
    if plan.api_stages:
        first = plan.api_stages[0]
        raise BadRequestException(
            f"Cannot delete Usage Plan {usage_plan_id} because there are API Stages associated "
            f"with it, including {first['apiId']}:{first['stage']}")
    del self.usage_plans[usage_plan_id]
    self.usage_plan_keys.pop(usage_plan_id, None)


def install() -> None:
    """Patch moto's API Gateway backend class (every account and region). Idempotent."""
    APIGatewayBackend.delete_rest_api = delete_rest_api  # type: ignore[method-assign]
    APIGatewayBackend.delete_stage = delete_stage  # type: ignore[method-assign]
    APIGatewayBackend.delete_usage_plan = delete_usage_plan  # type: ignore[method-assign]
