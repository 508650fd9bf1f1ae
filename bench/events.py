"""API Gateway (REST, proxy integration) events: the one input every candidate gets.

Shaped as API Gateway sends them to a Lambda behind a Cognito authorizer, so
Frontdesk runs in its deployed mode (claims already verified upstream).
"""
from __future__ import annotations

import json
from typing import Any

ADMIN_CLAIMS = {"sub": "00000000-0000-4000-8000-000000000001", "token_use": "id",
                "email": "admin@example.com", "email_verified": "true",
                "cognito:groups": "admin"}


def api_event(method: str, resource: str, path: str, *, body: Any = None,
              path_params: dict[str, str] | None = None,
              query: dict[str, str] | None = None, request_id: str = "bench-request",
              signed_in: bool = True) -> dict[str, Any]:
    headers = {"Host": "abc123.execute-api.us-east-1.amazonaws.com", "Accept": "application/json",
               "Origin": "https://www.example.com", "User-Agent": "bench"}
    raw_body = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        raw_body = json.dumps(body)
    if signed_in:
        headers["Authorization"] = "Bearer eyJ.bench.token"
    context: dict[str, Any] = {
        "resourcePath": resource, "httpMethod": method, "path": f"/api{path}", "stage": "api",
        "requestId": request_id, "accountId": "123456789012", "apiId": "abc123",
        "identity": {"sourceIp": "203.0.113.7", "userAgent": "bench"}}
    if signed_in:
        context["authorizer"] = {"claims": dict(ADMIN_CLAIMS)}
    return {
        "resource": resource, "path": path, "httpMethod": method,
        "headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_params, "stageVariables": None,
        "requestContext": context, "body": raw_body, "isBase64Encoded": False,
    }


class LambdaContext:
    """The attributes frameworks read from the Lambda context object."""
    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    memory_limit_in_mb = 128
    aws_request_id = "bench-invocation"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
