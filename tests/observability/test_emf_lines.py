"""Each EMF line is filled in from a template written once per distinct
document. Every kind of line must satisfy the rules of AWS's embedded metric
format specification that CloudWatch Logs enforces when it extracts metrics
(a line that breaks one is dropped silently, so no alarm would ever fire), and
stay the line Powertools 3.37 wrote for the same metrics before it was
dropped from the runtime (dashboards and alarms read these names)."""
from __future__ import annotations

import json
import math
import time
from typing import Any

import pytest

from chalicelib.platform.metrics import AGE_METRICS, EVENT_METRICS, Metrics

# CloudWatch's metric units, as the EMF specification lists them.
CLOUDWATCH_UNITS = frozenset({
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
    "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
    "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
    "Terabits/Second", "Count/Second", "None"})
MAX_DIMENSIONS_PER_SET = 30
MAX_METRICS_PER_DIRECTIVE = 100
MAX_VALUES_PER_METRIC = 100


def emf_problems(line: str) -> list[str]:
    """What in one log line breaks the EMF specification's rules (empty: none)."""
    problems: list[str] = []
    if not line.endswith("\n") or line.count("\n") != 1:
        problems.append("not exactly one line")
    document = json.loads(line)
    metadata = document.get("_aws")
    if not isinstance(metadata, dict):
        return ["no _aws metadata object"]
    timestamp = metadata.get("Timestamp")
    if not isinstance(timestamp, int) or isinstance(timestamp, bool) or timestamp <= 0:
        problems.append(f"Timestamp {timestamp!r} is not epoch milliseconds")
    directives = metadata.get("CloudWatchMetrics")
    if not isinstance(directives, list) or not directives:
        return [*problems, "no CloudWatchMetrics directive"]
    for directive in directives:
        namespace = directive.get("Namespace")
        if not isinstance(namespace, str) or not 1 <= len(namespace) <= 255:
            problems.append(f"Namespace {namespace!r}")
        for dimension_set in directive.get("Dimensions", []):
            if len(dimension_set) > MAX_DIMENSIONS_PER_SET:
                problems.append(f"{len(dimension_set)} dimensions in one set")
            for key in dimension_set:
                value = document.get(key)
                if not 1 <= len(key) <= 255:
                    problems.append(f"dimension name {key!r}")
                if not isinstance(value, str) or not 1 <= len(value) <= 1024:
                    problems.append(f"dimension {key!r} has no string value of 1-1024 chars")
        definitions = directive.get("Metrics", [])
        if not definitions or len(definitions) > MAX_METRICS_PER_DIRECTIVE:
            problems.append(f"{len(definitions)} metrics in one directive")
        names = [definition.get("Name") for definition in definitions]
        if len(set(names)) != len(names):
            problems.append(f"duplicate metric names {names}")
        for definition in definitions:
            name, unit = definition.get("Name"), definition.get("Unit", "None")
            if not isinstance(name, str) or not 1 <= len(name) <= 255:
                problems.append(f"metric name {name!r}")
                continue
            if unit not in CLOUDWATCH_UNITS:
                problems.append(f"{name}: unit {unit!r} is not a CloudWatch unit")
            value = document.get(name)
            samples = value if isinstance(value, list) else [value]
            if not 1 <= len(samples) <= MAX_VALUES_PER_METRIC or not all(
                    isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
                    for x in samples):
                problems.append(f"{name}: value {value!r} is not numeric")
    return problems


def request_line(capsys: Any, method: str, route: str, status: int, duration_ms: float) -> str:
    metrics = Metrics(stage="prod")
    capsys.readouterr()
    metrics.request(method=method, route=route, status=status, duration_ms=duration_ms)
    line: str = capsys.readouterr().out
    return line


REQUESTS = [("GET", "/health", 200, 0.3), ("GET", "/users/{user_id}", 404, 12.5),
            ("POST", "/users", 503, 1000.0), ("DELETE", "", 405, 0.0)]


@pytest.mark.parametrize(("method", "route", "status", "duration_ms"), REQUESTS)
def test_a_request_line_meets_the_emf_specification(
        capsys: Any, method: str, route: str, status: int, duration_ms: float) -> None:
    before = int(time.time() * 1000)
    line = request_line(capsys, method, route, status, duration_ms)
    assert emf_problems(line) == []
    document = json.loads(line)
    assert before <= document["_aws"]["Timestamp"] <= int(time.time() * 1000)
    assert document["Route"] == f"{method} {route or '(unknown)'}"
    assert document["Latency"] == [duration_ms] and ("Errors" in document) is (status >= 400)


@pytest.mark.parametrize("name", sorted(EVENT_METRICS))
def test_an_event_line_meets_the_emf_specification(capsys: Any, name: str) -> None:
    Metrics(stage="dev").count(name, 3)
    line = capsys.readouterr().out
    assert emf_problems(line) == [] and json.loads(line)[name] == [3.0]


@pytest.mark.parametrize("name", sorted(AGE_METRICS))
def test_an_age_line_meets_the_emf_specification(capsys: Any, name: str) -> None:
    Metrics(stage="dev").age(name, 90.5)
    line = capsys.readouterr().out
    assert emf_problems(line) == [] and json.loads(line)[name] == [90.5]


def test_the_checker_catches_what_cloudwatch_would_drop() -> None:
    good = json.loads(
        '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["S"]],'
        '"Metrics":[{"Name":"Requests","Unit":"Count"}]}]},"S":"x","Requests":[1.0]}')
    broken = json.loads(json.dumps(good))
    broken["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] = "Requests"
    broken["_aws"]["CloudWatchMetrics"][0]["Dimensions"] = [[f"d{i}" for i in range(31)]]
    broken["Requests"] = ["1"]
    problems = emf_problems(json.dumps(broken) + "\n")
    assert any("unit 'Requests'" in p for p in problems)
    assert any("31 dimensions" in p for p in problems)
    assert any("Requests: value" in p for p in problems)
    assert emf_problems(json.dumps(good) + "\n") == []


# Written by Powertools 3.37's EphemeralMetrics.serialize_metric_set for the
# same metrics (dimensions Stage, Route, StatusClass, then service), with the
# timestamp replaced by T.
POWERTOOLS_REQUEST_LINE = (
    '{"_aws":{"Timestamp":T,"CloudWatchMetrics":[{"Namespace":"Frontdesk","Dimensions":'
    '[["Stage","Route","StatusClass","service"]],"Metrics":[{"Name":"Requests","Unit":"Count"},'
    '{"Name":"Latency","Unit":"Milliseconds"},{"Name":"Errors","Unit":"Count"}]}]},'
    '"Stage":"prod","Route":"GET /users/{user_id}","StatusClass":"4xx","service":"frontdesk",'
    '"Requests":[1.0],"Latency":[12.5],"Errors":[1.0]}\n')
POWERTOOLS_EVENT_LINE = (
    '{"_aws":{"Timestamp":T,"CloudWatchMetrics":[{"Namespace":"Frontdesk","Dimensions":'
    '[["Stage","service"]],"Metrics":[{"Name":"ContactReceived","Unit":"Count"}]}]},'
    '"Stage":"dev","service":"frontdesk","ContactReceived":[3.0]}\n')


def without_timestamp(line: str) -> str:
    return line.replace(str(json.loads(line)["_aws"]["Timestamp"]), "T", 1)


def test_lines_are_the_ones_powertools_wrote(capsys: Any) -> None:
    assert without_timestamp(
        request_line(capsys, "GET", "/users/{user_id}", 404, 12.5)) == POWERTOOLS_REQUEST_LINE
    Metrics(stage="dev").count("ContactReceived", 3)
    assert without_timestamp(capsys.readouterr().out) == POWERTOOLS_EVENT_LINE


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
    line = capsys.readouterr().out
    document = json.loads(line)
    assert document["Route"] == 'GE"T /a/{b}/{{c}}' and document["Errors"] == [1.0]
    assert emf_problems(line) == []
