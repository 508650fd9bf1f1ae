"""Errors are answered where a route is declared, not by a pass over the app at
its end: a route declared after everything else maps its domain errors, and
gets its OPTIONS and 405 answers, like the first one."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.auth import roles
from chalicelib.core import domain_errors as domain
from chalicelib.http import log
from chalicelib.http.application import Application
from chalicelib.http.pipeline import HttpPipeline
from chalicelib.platform.config import Settings
from tests.support.client import parity_client
from tests.support.metrics import RecordingMetrics

SETTINGS = Settings(stage="local", region="us-east-1", table_name="unused",
                    allowed_origins=("https://site.example.test",), max_body_bytes=1024)


def build_app() -> Application:
    app = Application(app_name="error-map", configure_logs=False)
    log.configure(app.log)
    app.register_middleware(HttpPipeline.for_app(app, SETTINGS, RecordingMetrics()), "http")

    @app.route("/first", methods=["GET"])
    @roles.public
    def first() -> None:
        raise domain.RecordNotFound()

    # Declared last, after the middleware and every other route.
    @app.route("/late/{kind}", methods=["GET"])
    @roles.public
    def late(kind: str) -> None:
        raise {"missing": domain.RecordNotFound(), "taken": domain.EmailTaken(),
               "busy": domain.DependencyUnavailable(),
               "invalid": domain.InvalidFields([{"field": "name", "message": "is required"}]),
               "rate": domain.RateExceeded(7)}[kind]

    @app.route("/first", methods=["POST"])  # a method added to a path declared earlier
    @roles.public
    def first_post() -> dict[str, Any]:
        return {"posted": True}

    return app


@pytest.fixture(scope="module")
def http() -> Iterator[Any]:
    with parity_client(build_app()) as client:
        yield client


def error_of(response: Any) -> dict[str, Any]:
    error: dict[str, Any] = json.loads(response.body)["error"]
    return error


@pytest.mark.parametrize("kind,status,code", [
    ("missing", 404, "not_found"), ("taken", 409, "conflict"),
    ("busy", 503, "service_unavailable"), ("invalid", 400, "validation_failed"),
    ("rate", 429, "rate_limited")])
def test_a_route_declared_last_maps_its_domain_errors(http: Any, kind: str, status: int,
                                                      code: str) -> None:
    response = http.get(f"/late/{kind}")
    assert response.status_code == status
    assert error_of(response)["code"] == code


def test_the_mapping_keeps_the_details_and_headers(http: Any) -> None:
    assert error_of(http.get("/late/taken"))["details"] == [
        {"field": "email", "message": "is already in use"}]
    assert error_of(http.get("/late/invalid"))["details"] == [
        {"field": "name", "message": "is required"}]
    assert http.get("/late/rate").headers["Retry-After"] == "7"


def test_the_first_route_maps_them_the_same_way(http: Any) -> None:
    assert error_of(http.get("/first"))["code"] == "not_found"


def test_a_path_declared_last_answers_preflight_and_405(http: Any) -> None:
    response = http.request("DELETE", "/late/missing")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, OPTIONS"
    preflight = http.request("OPTIONS", "/late/missing", headers={
        "Origin": "https://site.example.test", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204


def test_a_method_declared_later_replaces_its_405(http: Any) -> None:
    assert http.post("/first", headers={"Content-Type": "application/json"},
                     body="{}").status_code == 200
    response = http.request("PUT", "/first")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST, OPTIONS"
