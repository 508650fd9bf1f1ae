"""What the API answers when DynamoDB throttles or fails."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from tests.conftest import TEST_ORIGIN


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@pytest.fixture
def inject(frontdesk_app: Any) -> Iterator[Any]:
    """Make the app's own DynamoDB client fail the named operation, every time
    (so botocore's retries fail too): the error response DynamoDB would send is
    handed to botocore in place of sending the request."""
    import app as app_module

    events = app_module.services.clients.dynamodb.meta.events
    registered: list[tuple[str, Any]] = []

    def fail(operation: str, code: str, status: int) -> None:
        body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}",
                           "message": "injected"}).encode()

        def handler(**_: Any) -> AWSResponse:
            return AWSResponse("http://dynamodb.local", status,
                               {"Content-Type": "application/x-amz-json-1.0"}, _Raw(body))
        events.register(f"before-send.dynamodb.{operation}", handler)
        registered.append((f"before-send.dynamodb.{operation}", handler))

    yield fail
    for event, handler in registered:
        events.unregister(event, handler)


@pytest.mark.parametrize("code,status", [
    ("ProvisionedThroughputExceededException", 400), ("ThrottlingException", 400),
    ("RequestLimitExceeded", 400), ("InternalServerError", 500), ("ServiceUnavailable", 503)])
def test_throttling_or_dynamodb_failure_is_503_with_retry_after(
        client: Any, as_admin: dict[str, str], inject: Any, code: str, status: int) -> None:
    inject("Query", code, status)
    response = client.get("/users", headers=as_admin)
    assert response.status_code == 503
    assert response.json_body["error"]["code"] == "service_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN


def test_a_throttled_transaction_is_503(client: Any, as_admin: dict[str, str], inject: Any) -> None:
    inject("TransactWriteItems", "ThrottlingException", 400)
    response = client.post("/users", headers={**as_admin, "Content-Type": "application/json"},
                           body=b'{"name": "Throttled", "email": "t@example.com"}')
    assert response.status_code == 503


def test_any_other_dynamodb_error_is_500_and_leaks_nothing(
        client: Any, as_admin: dict[str, str], inject: Any) -> None:
    inject("Query", "ValidationException", 400)
    response = client.get("/users", headers=as_admin)
    assert response.status_code == 500
    assert response.json_body["error"]["message"] == "An internal error occurred."
    assert "injected" not in response.body.decode() and "Validation" not in response.body.decode()
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
