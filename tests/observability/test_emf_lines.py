"""Each EMF line is filled in from a template Powertools wrote once: it must be
the very line Powertools itself would write for the same metrics."""
from __future__ import annotations

import json
import time
from typing import Any

import pytest
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from chalicelib.metrics import EVENT_METRICS, Metrics


def powertools_line(dimensions: dict[str, str], metrics: list[tuple[str, MetricUnit, float]]) -> str:
    emf = EphemeralMetrics(namespace="Frontdesk", service="frontdesk")
    for name, value in dimensions.items():
        emf.add_dimension(name=name, value=value)
    for name, unit, number in metrics:
        emf.add_metric(name=name, unit=unit, value=number)
    return json.dumps(emf.serialize_metric_set(), separators=(",", ":"))


def without_timestamp(line: str) -> tuple[dict[str, Any], int]:
    document = json.loads(line)
    return document, document["_aws"].pop("Timestamp")


@pytest.mark.parametrize(("method", "route", "status", "duration_ms"), [
    ("GET", "/health", 200, 0.3),
    ("GET", "/users/{user_id}", 404, 12.5),
    ("POST", "/users", 503, 1000.0),
    ("DELETE", "", 405, 0.0),
])
def test_a_request_line_is_the_line_powertools_writes(
        capsys: Any, method: str, route: str, status: int, duration_ms: float) -> None:
    metrics = Metrics(stage="prod")
    capsys.readouterr()
    before = int(time.time() * 1000)
    metrics.request(method=method, route=route, status=status, duration_ms=duration_ms)
    ours = capsys.readouterr().out
    values = [("Requests", MetricUnit.Count, 1), ("Latency", MetricUnit.Milliseconds, duration_ms)]
    if status >= 400:
        values.append(("Errors", MetricUnit.Count, 1))
    expected = powertools_line({"Stage": "prod", "Route": f"{method} {route or '(unknown)'}",
                                "StatusClass": f"{status // 100}xx"}, values)
    assert ours.endswith("\n") and ours.count("\n") == 1
    document, timestamp = without_timestamp(ours)
    assert document == without_timestamp(expected)[0]
    assert ours.replace(str(timestamp), "T") == expected.replace(
        str(json.loads(expected)["_aws"]["Timestamp"]), "T") + "\n"
    assert before <= timestamp <= int(time.time() * 1000)


@pytest.mark.parametrize("name", sorted(EVENT_METRICS))
def test_an_event_line_is_the_line_powertools_writes(capsys: Any, name: str) -> None:
    Metrics(stage="dev").count(name, 3)
    document, _ = without_timestamp(capsys.readouterr().out)
    assert document == without_timestamp(
        powertools_line({"Stage": "dev"}, [(name, MetricUnit.Count, 3)]))[0]


def test_lines_of_one_route_carry_each_requests_own_values(capsys: Any) -> None:
    metrics = Metrics(stage="dev")
    capsys.readouterr()
    for duration_ms in (1.5, 250.0, 0.1):
        metrics.request(method="GET", route="/users", status=200, duration_ms=duration_ms)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["Latency"] for line in lines] == [[1.5], [250.0], [0.1]]
    assert all(line["Requests"] == [1.0] and "Errors" not in line for line in lines)


def test_a_route_with_braces_and_quotes_stays_valid_json(capsys: Any) -> None:
    Metrics(stage="dev").request(method='GE"T', route="/a/{b}/{{c}}", status=500, duration_ms=2.0)
    line = json.loads(capsys.readouterr().out)
    assert line["Route"] == 'GE"T /a/{b}/{{c}}' and line["Errors"] == [1.0]
