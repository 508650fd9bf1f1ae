"""Deployed, API Gateway sends paths the app does not declare to the app through
a catch-all resource (`/{proxy+}`, and the bare root). The app must answer them
as `make dev` does: 404 in the error shape, and 204 to a preflight."""
from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.local import LambdaContext

from tests.conftest import TEST_ORIGIN


def proxy_event(method: str, resource: str, path: str) -> dict[str, Any]:
    """A REST API Lambda-proxy event as API Gateway sends it."""
    return {
        "resource": resource, "path": path, "httpMethod": method,
        "headers": {"origin": TEST_ORIGIN, "access-control-request-method": "POST"},
        "multiValueHeaders": {}, "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")} if "proxy" in resource else None,
        "stageVariables": None, "body": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "path": f"/api{path}",
                           "requestId": "req-catch-all", "identity": {"sourceIp": "203.0.113.9"}},
    }


@pytest.mark.parametrize("resource,path", [("/{proxy+}", "/no/such/thing"), ("/", "/")])
def test_an_undeclared_path_is_404_with_cors(frontdesk_app: Any, resource: str, path: str) -> None:
    response = frontdesk_app(proxy_event("GET", resource, path), LambdaContext("api", 128))
    assert response["statusCode"] == 404
    body = json.loads(response["body"])
    assert body["error"]["code"] == "not_found" and body["error"]["requestId"] == "req-catch-all"
    assert response["headers"]["Access-Control-Allow-Origin"] == TEST_ORIGIN
    assert response["headers"]["X-Request-Id"] == "req-catch-all"


@pytest.mark.parametrize("resource,path", [("/{proxy+}", "/no/such/thing"), ("/", "/")])
def test_a_preflight_on_an_undeclared_path_is_204(frontdesk_app: Any, resource: str,
                                                  path: str) -> None:
    response = frontdesk_app(proxy_event("OPTIONS", resource, path), LambdaContext("api", 128))
    assert response["statusCode"] == 204
    assert response["headers"]["Access-Control-Allow-Origin"] == TEST_ORIGIN
    assert "POST" in response["headers"]["Access-Control-Allow-Methods"]
