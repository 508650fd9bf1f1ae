"""What API Gateway answers by itself, and the steps after each `chalice deploy`.

API Gateway answers some requests without calling the Lambda: a bad or missing
token (its Cognito authorizer), throttling, a bad or exhausted API key, a body
over its limit, and (only as a fallback, since the catch-all below sends
unknown paths to the app) "Missing Authentication Token". Its
gateway responses let those answers carry the project's JSON error shape and
CORS headers. `chalice deploy` re-imports the API in overwrite mode, which
wipes them, so they are put back (and the stage redeployed) after every deploy.

CORS here cannot be decided per request as the Lambda does: a gateway response
header is either a literal or a copy of a request header. So:
- a stage with one allowed origin (prod as shipped: only its site's) gets that
  origin as a literal, which is exact;
- a stage with several (dev: its site's and two localhost origins) echoes the request's
  Origin, so any origin can read these few gateway-made errors. They hold only
  an error code, a fixed message and the request id, and the API uses bearer
  tokens, never cookies (no Allow-Credentials), so nothing is exposed that the
  request did not already carry.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.http import errors
from chalicelib.http.cors import EXPOSE_HEADERS

# $context variables are filled in by API Gateway's template engine.
REQUEST_ID = "$context.requestId"
GATEWAY_MESSAGE = "$context.error.messageString"  # already a quoted JSON string


@dataclass(frozen=True)
class GatewayError:
    response_type: str
    status: int | None  # None: keep the status API Gateway chose (DEFAULT_4XX/5XX)
    code: str
    message: str | None  # None: API Gateway's own message


GATEWAY_ERRORS = (
    GatewayError("DEFAULT_4XX", None, errors.BadRequest.code, None),
    GatewayError("DEFAULT_5XX", None, errors.InternalError.code,
                 errors.InternalError.default_message),
    GatewayError("UNAUTHORIZED", 401, errors.Unauthorized.code,
                 errors.Unauthorized.default_message),
    GatewayError("ACCESS_DENIED", 403, errors.Forbidden.code, errors.Forbidden.default_message),
    # A fallback: unknown paths reach the app through the catch-all, and every
    # declared path has every method; should one slip through, it is a 404.
    GatewayError("MISSING_AUTHENTICATION_TOKEN", 404, errors.NotFound.code,
                 errors.NotFound.default_message),
    GatewayError("THROTTLED", 429, errors.RateLimited.code, errors.RateLimited.default_message),
    GatewayError("INVALID_API_KEY", 403, errors.Forbidden.code,
                 "The API key is missing or not valid."),
    GatewayError("QUOTA_EXCEEDED", 429, errors.RateLimited.code,
                 "This API key has used up its quota. Try again in the next period."),
    GatewayError("REQUEST_TOO_LARGE", 413, errors.PayloadTooLarge.code,
                 errors.PayloadTooLarge.default_message),
)


def error_template(error: GatewayError) -> str:
    message = "__MESSAGE__" if error.message is None else error.message
    body = json.dumps({"error": {"code": error.code, "message": message,
                                 "requestId": REQUEST_ID}})
    return body.replace('"__MESSAGE__"', GATEWAY_MESSAGE)


def _literal(value: str) -> str:
    return f"'{value}'"


def cors_headers(allowed_origins: tuple[str, ...]) -> dict[str, str]:
    """Header mappings for gateway responses (see the module docstring)."""
    headers = {"Vary": _literal("Origin"), "X-Content-Type-Options": _literal("nosniff")}
    if not allowed_origins:
        return headers
    if "*" in allowed_origins:
        origin = _literal("*")
    elif len(allowed_origins) == 1:
        origin = _literal(allowed_origins[0])
    else:
        origin = "method.request.header.Origin"
    headers["Access-Control-Allow-Origin"] = origin
    headers["Access-Control-Expose-Headers"] = _literal(", ".join(EXPOSE_HEADERS))
    return headers


def gateway_responses(allowed_origins: tuple[str, ...]) -> list[dict[str, Any]]:
    """Keyword arguments for PutGatewayResponse, one per response type (no restApiId)."""
    parameters = {f"gatewayresponse.header.{name}": value
                  for name, value in cors_headers(allowed_origins).items()}
    responses = []
    for error in GATEWAY_ERRORS:
        response: dict[str, Any] = {
            "responseType": error.response_type,
            "responseParameters": parameters,
            "responseTemplates": {"application/json": error_template(error)},
        }
        if error.status is not None:
            response["statusCode"] = str(error.status)
        responses.append(response)
    return responses


def put_gateway_responses(apigateway: Any, rest_api_id: str,
                          allowed_origins: tuple[str, ...]) -> None:
    for response in gateway_responses(allowed_origins):
        apigateway.put_gateway_response(restApiId=rest_api_id, **response)


def route_unknown_paths_to_the_app(apigateway: Any, rest_api_id: str, function_arn: str,
                                   region: str) -> None:
    """Send every path Chalice did not declare (and the bare root) to the app.

    A gateway response cannot tell a preflight from a GET, so with
    MISSING_AUTHENTICATION_TOKEN alone a preflight on an unknown path would get
    a 404 and the browser would never see the API's own answer. The app answers
    these paths as it does locally: a preflight gets 204, anything else 404,
    both with exact CORS. `/{proxy+}` matches only what no declared resource
    matches. Chalice's Lambda permission covers every path of the API
    (`<api id>/*`), and `chalice deploy` wipes this resource with the rest, so
    it is put back after every deploy, before the redeployment.
    """
    resources = apigateway.get_resources(restApiId=rest_api_id, limit=500)["items"]
    root = next(r for r in resources if r["path"] == "/")
    proxy = next((r for r in resources if r["path"] == "/{proxy+}"), None)
    if proxy is None:
        proxy = apigateway.create_resource(restApiId=rest_api_id, parentId=root["id"],
                                           pathPart="{proxy+}")
    uri = (f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
           f"{function_arn}/invocations")
    for resource in (root, proxy):
        if "ANY" in resource.get("resourceMethods", {}):
            continue
        apigateway.put_method(restApiId=rest_api_id, resourceId=resource["id"], httpMethod="ANY",
                              authorizationType="NONE")
        apigateway.put_integration(restApiId=rest_api_id, resourceId=resource["id"],
                                   httpMethod="ANY", type="AWS_PROXY",
                                   integrationHttpMethod="POST", uri=uri)


def redeploy(apigateway: Any, rest_api_id: str, stage: str) -> str:
    """Gateway responses take effect only in a new deployment of the stage."""
    return str(apigateway.create_deployment(
        restApiId=rest_api_id, stageName=stage,
        description="frontdesk: gateway responses")["id"])


def attach_usage_plan(apigateway: Any, usage_plan_id: str, rest_api_id: str, stage: str) -> None:
    """Make the usage plan (throttle, quota, API key) cover this API's stage, and
    only it: a stage of an API Chalice has since replaced is dropped."""
    current = apigateway.get_usage_plan(usagePlanId=usage_plan_id).get("apiStages", [])
    operations = [{"op": "remove", "path": "/apiStages", "value": f"{s['apiId']}:{s['stage']}"}
                  for s in current if (s["apiId"], s["stage"]) != (rest_api_id, stage)]
    if not any((s["apiId"], s["stage"]) == (rest_api_id, stage) for s in current):
        operations.append({"op": "add", "path": "/apiStages", "value": f"{rest_api_id}:{stage}"})
    if operations:
        apigateway.update_usage_plan(usagePlanId=usage_plan_id, patchOperations=operations)


def detach_usage_plan(apigateway: Any, usage_plan_id: str) -> list[str]:
    """Take every API stage off the usage plan ("<api id>:<stage>" each), before
    its stack is deleted: API Gateway refuses to delete a plan that still covers
    a stage, and `chalice delete` removes only the API it has a record of."""
    stages = [f"{s['apiId']}:{s['stage']}" for s in
              apigateway.get_usage_plan(usagePlanId=usage_plan_id).get("apiStages", [])]
    if stages:
        apigateway.update_usage_plan(usagePlanId=usage_plan_id, patchOperations=[
            {"op": "remove", "path": "/apiStages", "value": stage} for stage in stages])
    return stages
