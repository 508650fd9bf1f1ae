"""Gateway responses, redeployment and the usage plan, against moto's API Gateway."""
from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.http.errors import NotFound
from infra import gateway
from tests.infra.aws_stand_ins import create_rest_api, create_usage_plan

REQUIRED = {"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED",
            "MISSING_AUTHENTICATION_TOKEN", "THROTTLED", "INVALID_API_KEY", "QUOTA_EXCEEDED",
            "REQUEST_TOO_LARGE"}


def rendered(template: str, message: str = "Gateway says no") -> dict[str, Any]:
    """What API Gateway's template engine would produce for one request."""
    body = template.replace("$context.requestId", "req-123")
    body = body.replace("$context.error.messageString", json.dumps(message))
    return dict(json.loads(body))


def test_every_required_gateway_response_carries_the_json_error_shape() -> None:
    responses = {r["responseType"]: r for r in gateway.gateway_responses(("https://a.test",))}
    assert set(responses) == REQUIRED
    for response in responses.values():
        error = rendered(response["responseTemplates"]["application/json"])["error"]
        assert set(error) == {"code", "message", "requestId"}
        assert error["requestId"] == "req-123"


def test_an_unknown_path_is_a_404_not_found_not_a_403() -> None:
    (missing,) = [r for r in gateway.gateway_responses(()) if
                  r["responseType"] == "MISSING_AUTHENTICATION_TOKEN"]
    assert missing["statusCode"] == "404"
    error = rendered(missing["responseTemplates"]["application/json"])["error"]
    assert error["code"] == "not_found" and error["message"] == NotFound.default_message


def test_default_4xx_passes_api_gateway_s_own_message_through() -> None:
    (default,) = [r for r in gateway.gateway_responses(()) if r["responseType"] == "DEFAULT_4XX"]
    assert "statusCode" not in default  # keeps 400, 415, ... as API Gateway chose
    error = rendered(default["responseTemplates"]["application/json"], 'Bad "body"')["error"]
    assert error == {"code": "bad_request", "message": 'Bad "body"', "requestId": "req-123"}


def test_a_single_allowed_origin_is_a_literal() -> None:
    headers = gateway.cors_headers(("https://www.example.com",))
    assert headers["Access-Control-Allow-Origin"] == "'https://www.example.com'"
    assert headers["Vary"] == "'Origin'"
    assert headers["Access-Control-Expose-Headers"] == (
        "'X-Request-Id, ETag, Location, Retry-After, Link, Content-Disposition'")


def test_several_allowed_origins_echo_the_request_origin() -> None:
    headers = gateway.cors_headers(("http://localhost:8080", "http://127.0.0.1:8080"))
    assert headers["Access-Control-Allow-Origin"] == "method.request.header.Origin"


def test_no_allowed_origin_means_no_allow_origin_header() -> None:
    assert "Access-Control-Allow-Origin" not in gateway.cors_headers(())


def test_gateway_responses_are_put_on_the_api(local_aws: Any) -> None:
    apigateway = local_aws.session.client("apigateway")
    api_id = create_rest_api(apigateway)
    gateway.put_gateway_responses(apigateway, api_id, ("https://www.example.com",))
    stored = {r["responseType"]: r for r in apigateway.get_gateway_responses(
        restApiId=api_id, limit=100)["items"]}
    for response_type in REQUIRED:
        assert stored[response_type]["responseParameters"][
            "gatewayresponse.header.Access-Control-Allow-Origin"] == "'https://www.example.com'"
    assert stored["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    deployment_id = gateway.redeploy(apigateway, api_id, "api")
    assert apigateway.get_stage(restApiId=api_id, stageName="api")["deploymentId"] == deployment_id


def test_usage_plan_ends_up_on_exactly_the_current_api_stage(local_aws: Any) -> None:
    apigateway = local_aws.session.client("apigateway")
    plan = create_usage_plan(apigateway, "usage-plan-test")
    old_api, new_api = create_rest_api(apigateway), create_rest_api(apigateway)

    gateway.attach_usage_plan(apigateway, plan, old_api, "api")
    gateway.attach_usage_plan(apigateway, plan, new_api, "api")  # Chalice replaced the API
    gateway.attach_usage_plan(apigateway, plan, new_api, "api")  # and again: no change

    stages = apigateway.get_usage_plan(usagePlanId=plan)["apiStages"]
    assert [(s["apiId"], s["stage"]) for s in stages] == [(new_api, "api")]


@pytest.mark.parametrize("response_type", sorted(REQUIRED))
def test_each_gateway_error_code_is_one_the_api_documents(response_type: str) -> None:
    from chalicelib.http.errors import CATALOGUE

    codes = set(CATALOGUE)
    (response,) = [r for r in gateway.gateway_responses(()) if r["responseType"] == response_type]
    assert rendered(response["responseTemplates"]["application/json"])["error"]["code"] in codes


def test_unknown_paths_are_routed_to_the_app_once(local_aws: Any) -> None:
    apigateway = local_aws.session.client("apigateway")
    api_id = create_rest_api(apigateway)
    function = "arn:aws:lambda:us-east-1:123456789012:function:frontdesk-dev"
    for _ in range(2):  # a second run changes nothing
        gateway.route_unknown_paths_to_the_app(apigateway, api_id, function, "us-east-1")
    resources = {r["path"]: r for r in apigateway.get_resources(restApiId=api_id)["items"]}
    assert set(resources) == {"/", "/health", "/{proxy+}"}
    health = resources["/health"].get("resourceMethods", {})
    assert "ANY" not in health  # declared paths keep their own methods
    for path in ("/", "/{proxy+}"):
        method = apigateway.get_method(restApiId=api_id, resourceId=resources[path]["id"],
                                       httpMethod="ANY")
        assert method["authorizationType"] == "NONE"
        assert method["methodIntegration"]["uri"] == (
            f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function}/invocations")
