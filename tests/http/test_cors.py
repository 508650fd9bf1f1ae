"""CORS on the real app, through the parity gateway: several allowed origins,
preflights anywhere without auth, nothing for origins not on the list."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import DISALLOWED_ORIGIN, OTHER_ALLOWED_ORIGIN, TEST_ORIGIN

PREFLIGHT = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "content-type, authorization"}


def preflight(client: Any, path: str, origin: str) -> Any:
    return client.request("OPTIONS", path, headers={"Origin": origin, **PREFLIGHT})


@pytest.mark.parametrize("origin", [TEST_ORIGIN, OTHER_ALLOWED_ORIGIN])
def test_each_allowed_origin_is_echoed(client: Any, origin: str) -> None:
    response = client.get("/health", headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert response.headers["Vary"] == "Origin"
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert exposed == {"X-Request-Id", "ETag", "Location", "Retry-After", "Link", "Content-Disposition"}


@pytest.mark.parametrize("path", ["/health", "/no/such/path"])
def test_preflight_is_204_with_the_cors_headers(client: Any, path: str) -> None:
    response = preflight(client, path, TEST_ORIGIN)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "authorization", "x-api-key", "idempotency-key", "if-match"} <= allowed
    assert "OPTIONS" in response.headers["Access-Control-Allow-Methods"]
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert response.headers["Vary"] == "Origin"
    assert response.body in (b"", None)


def test_a_browser_may_send_every_header_a_route_reads(client: Any) -> None:
    """The dashboard's form editor creates with If-None-Match: * (PUT /dashboard/forms/{id});
    a header missing from the preflight's list never leaves the browser."""
    from app import app
    from chalicelib.http.operations import operation_of

    read = {header.lower() for entry in app.routes.values() for route in entry.values()
            if (operation := operation_of(route.view_function)) is not None
            for header in operation.headers}
    assert "if-none-match" in read
    response = client.request("OPTIONS", "/dashboard/forms/quote", headers={
        "Origin": TEST_ORIGIN, "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "if-none-match"})
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert read <= allowed


def test_preflight_lists_the_paths_own_methods(client: Any) -> None:
    methods = preflight(client, "/health", TEST_ORIGIN).headers["Access-Control-Allow-Methods"]
    assert [m.strip() for m in methods.split(",")] == ["GET", "OPTIONS"]


def test_a_disallowed_origin_gets_no_allow_origin(client: Any) -> None:
    response = client.get("/health", headers={"Origin": DISALLOWED_ORIGIN})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Vary"] == "Origin"
    denied = preflight(client, "/health", DISALLOWED_ORIGIN)
    assert "Access-Control-Allow-Origin" not in denied.headers
    assert "Access-Control-Allow-Methods" not in denied.headers


def test_an_origin_that_only_starts_like_an_allowed_one_is_refused(client: Any) -> None:
    for origin in (TEST_ORIGIN + ".evil.test", TEST_ORIGIN + "/", "null", TEST_ORIGIN.upper()):
        response = client.get("/health", headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in response.headers, origin


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/no/such/path", 404), ("POST", "/health", 405), ("DELETE", "/health", 405)])
def test_gateway_and_chalice_errors_carry_cors(client: Any, method: str, path: str,
                                               status: int) -> None:
    response = client.request(method, path, headers={"Origin": TEST_ORIGIN})
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    assert response.json_body["error"]["requestId"] == response.headers["X-Request-Id"]


def test_no_origin_no_cors_headers_but_still_vary(client: Any) -> None:
    response = client.get("/health")
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Vary"] == "Origin"
