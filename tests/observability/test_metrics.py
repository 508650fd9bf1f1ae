"""Metrics are CloudWatch EMF lines on stdout: per request by route and status
class, and named events other modules count. No PutMetricData anywhere (the
IAM conformance test would catch one: no policy grants it)."""
from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.auth import roles
from chalicelib.http.application import Application
from chalicelib.http.errors import RateLimited
from chalicelib.http.pipeline import HttpPipeline
from chalicelib.platform.config import Settings
from chalicelib.platform.metrics import (
    CONTACT_RECEIVED,
    OLDEST_PENDING_NOTIFICATION_AGE,
    Metrics,
    MetricsSink,
    UnknownMetric,
)
from tests.observability.test_emf_lines import emf_problems
from tests.support.metrics import RecordingMetrics


def emf_lines(out: str) -> list[dict[str, Any]]:
    entries = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [entry for entry in entries if "_aws" in entry]


def definition(entry: dict[str, Any]) -> dict[str, Any]:
    (metric_directive,) = entry["_aws"]["CloudWatchMetrics"]
    return metric_directive


def test_each_request_writes_one_emf_line_by_route_and_status_class(client: Any, capsys: Any) -> None:
    capsys.readouterr()
    client.get("/health")
    (entry,) = emf_lines(capsys.readouterr().out)
    directive = definition(entry)
    assert directive["Namespace"] == "Frontdesk"
    assert [set(d) for d in directive["Dimensions"]] == [{"service", "Stage", "Route", "StatusClass"}]
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {
        "Requests": "Count", "Latency": "Milliseconds"}
    assert entry["Route"] == "GET /health" and entry["StatusClass"] == "2xx"
    assert entry["Stage"] == "local" and entry["service"] == "frontdesk"
    # EMF values may be lists of samples; we always write one.
    assert entry["Requests"] == [1] and entry["Latency"][0] >= 0


def test_a_request_is_one_line_both_its_access_record_and_its_emf_document(
        client: Any, capsys: Any) -> None:
    # One line, so one write: Lambda flushes stdout on every write.
    capsys.readouterr()
    response = client.get("/health")
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert emf_problems(out) == []
    entry = json.loads(out)
    assert entry["message"] == "request" and entry["level"] == "INFO"
    assert entry["requestId"] == response.headers["X-Request-Id"]
    assert (entry["method"], entry["route"], entry["status"]) == ("GET", "/health", 200)
    assert entry["Route"] == "GET /health" and entry["Latency"] == [entry["durationMs"]]
    # The record's members first, so a raw line reads as a log line.
    assert list(entry)[:4] == ["time", "level", "logger", "message"]


def test_a_quieter_log_level_leaves_the_request_metrics(capsys: Any) -> None:
    http_log = logging.getLogger("frontdesk.http")
    level = http_log.level
    http_log.setLevel(logging.WARNING)
    try:
        with Client(small_app(Metrics(stage="dev"))) as client:
            capsys.readouterr()
            client.http.get("/ok")
    finally:
        http_log.setLevel(level)
    out = capsys.readouterr().out
    assert emf_problems(out) == []
    entry = json.loads(out)
    assert entry["Route"] == "GET /ok" and "message" not in entry


def test_an_error_response_also_counts_in_errors(client: Any, capsys: Any) -> None:
    capsys.readouterr()
    client.post("/health", body=b"{}", headers={"Content-Type": "application/json"})
    (entry,) = emf_lines(capsys.readouterr().out)
    assert entry["Route"] == "POST /health" and entry["StatusClass"] == "4xx"
    assert entry["Errors"] == [1] and entry["Requests"] == [1]


def test_count_writes_one_emf_line_per_event(capsys: Any) -> None:
    Metrics(stage="dev").count(CONTACT_RECEIVED)
    (entry,) = emf_lines(capsys.readouterr().out)
    assert [m["Name"] for m in definition(entry)["Metrics"]] == [CONTACT_RECEIVED]
    assert entry[CONTACT_RECEIVED] == [1] and entry["Stage"] == "dev"


def test_a_misspelt_event_metric_is_refused(capsys: Any) -> None:
    with pytest.raises(UnknownMetric):
        Metrics(stage="dev").count("ContactRecieved")
    assert emf_lines(capsys.readouterr().out) == []


def small_app(metrics: MetricsSink) -> Application:
    app = Application(app_name="metrics-test")

    @app.route("/ok")
    @roles.public
    def ok() -> dict:
        return {}

    @app.route("/busy")
    @roles.public
    def busy() -> dict:
        raise RateLimited()

    settings = Settings.from_env({"STAGE": "local", "ALLOWED_ORIGINS": "http://localhost:8080"})
    app.register_middleware(HttpPipeline.for_app(app, settings, metrics), "http")
    return app


def test_a_429_counts_as_rate_limited() -> None:
    metrics = RecordingMetrics()
    with Client(small_app(metrics)) as client:
        assert client.http.get("/busy").status_code == 429
        assert client.http.get("/ok").status_code == 200
    assert metrics.counts == [("RateLimited", 1)]
    assert [(r["route"], r["status"]) for r in metrics.requests] == [("/busy", 429), ("/ok", 200)]


def test_only_the_first_request_of_a_container_is_logged_as_cold(capsys: Any) -> None:
    with Client(small_app(RecordingMetrics())) as client:
        capsys.readouterr()
        client.http.get("/ok")
        client.http.get("/ok")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    access = [entry for entry in lines if entry.get("message") == "request"]
    assert [entry["coldStart"] for entry in access] == [True, False]


def test_age_writes_one_emf_line_in_seconds(capsys: Any) -> None:
    Metrics(stage="dev").age(OLDEST_PENDING_NOTIFICATION_AGE, 90.5)
    (entry,) = emf_lines(capsys.readouterr().out)
    assert definition(entry)["Metrics"] == [{"Name": OLDEST_PENDING_NOTIFICATION_AGE,
                                             "Unit": "Seconds"}]
    assert entry[OLDEST_PENDING_NOTIFICATION_AGE] == [90.5] and entry["Stage"] == "dev"


def test_an_unknown_age_is_refused() -> None:
    with pytest.raises(UnknownMetric):
        Metrics(stage="dev").age("OldestPendingNotificatonAge", 1)
