"""AWS::ApiGateway::UsagePlan, ApiKey and UsagePlanKey in moto's API Gateway.

The template's keys are capitalised; the API's (and moto's models') are not.
"""
from __future__ import annotations

from typing import Any

from moto.apigateway.exceptions import UsagePlanNotFoundException
from moto.apigateway.models import APIGatewayBackend, apigateway_backends

from devstack.cloudformation.base import StackResource, Where


def _apigateway(where: Where) -> APIGatewayBackend:
    return apigateway_backends[where.account_id][where.region]


def _lower(value: Any) -> Any:
    """{"RateLimit": 5} -> {"rateLimit": 5}, all the way down."""
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: _lower(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_lower(item) for item in value]
    return value


def _plan_fields(properties: dict[str, Any]) -> dict[str, Any]:
    return {"name": properties.get("UsagePlanName"),
            "description": properties.get("Description"),
            "throttle": _lower(properties.get("Throttle")),
            "quota": _lower(properties.get("Quota")),
            "tags": properties.get("Tags")}


class UsagePlan(StackResource):
    TYPE = "AWS::ApiGateway::UsagePlan"
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, where: Where, name: str, properties: dict[str, Any]) -> UsagePlan:
        payload = {key: value for key, value in _plan_fields(properties).items() if value}
        payload.setdefault("name", name)
        if "ApiStages" in properties:
            payload["apiStages"] = _lower(properties["ApiStages"])
        plan = _apigateway(where).create_usage_plan(payload)
        return cls(where, plan.id, properties, {"Id": plan.id})

    def change(self, properties: dict[str, Any]) -> UsagePlan:
        # In place: stages attached by deploy (infra/deploy.py) stay attached
        # unless the template itself lists ApiStages.
        plan = _apigateway(self.where).get_usage_plan(self.physical_id)
        fields = _plan_fields(properties)
        plan.name = fields["name"] or plan.name
        plan.description = fields["description"]
        plan.throttle = fields["throttle"] or {}
        plan.quota = fields["quota"] or {}
        plan.tags = fields["tags"]
        if "ApiStages" in properties or "ApiStages" in self.properties:
            plan.api_stages = _lower(properties.get("ApiStages", []))
        self.properties = properties
        return self

    def remove(self) -> None:
        # Through the backend: API Gateway refuses while the plan covers a
        # stage (devstack/moto_usage_plans.py), so the stack's deletion fails.
        try:
            _apigateway(self.where).delete_usage_plan(self.physical_id)
        except UsagePlanNotFoundException:
            pass


class ApiKey(StackResource):
    TYPE = "AWS::ApiGateway::ApiKey"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("APIKeyId",)

    @classmethod
    def create(cls, where: Where, name: str, properties: dict[str, Any]) -> ApiKey:
        payload: dict[str, Any] = {"name": name,
                                   "enabled": bool(properties.get("Enabled", False))}
        for key in ("Description", "Value", "CustomerId", "Tags"):
            if key in properties:
                payload[key[:1].lower() + key[1:]] = properties[key]
        created = _apigateway(where).create_api_key(payload)
        return cls(where, created.id, properties, {"APIKeyId": created.id})

    def change(self, properties: dict[str, Any]) -> ApiKey:
        if properties.get("Value") != self.properties.get("Value"):
            return super().change(properties)
        key = _apigateway(self.where).get_api_key(self.physical_id)
        key.name = self._name_for(properties) if "Name" in properties else key.name
        key.enabled = bool(properties.get("Enabled", False))
        key.description = properties.get("Description")
        self.properties = properties
        return self

    def remove(self) -> None:
        _apigateway(self.where).keys.pop(self.physical_id, None)


class UsagePlanKey(StackResource):
    TYPE = "AWS::ApiGateway::UsagePlanKey"
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, where: Where, name: str, properties: dict[str, Any]) -> UsagePlanKey:
        key = _apigateway(where).create_usage_plan_key(
            str(properties["UsagePlanId"]),
            {"keyId": properties["KeyId"], "keyType": properties["KeyType"]})
        return cls(where, key.id, properties, {"Id": key.id})

    def remove(self) -> None:
        keys = _apigateway(self.where).usage_plan_keys.get(str(self.properties["UsagePlanId"]), {})
        keys.pop(self.physical_id, None)
