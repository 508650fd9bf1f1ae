"""Metrics, written as CloudWatch embedded metric format (EMF) lines on stdout.

Lambda ships stdout to CloudWatch Logs, which extracts the metrics from these
lines asynchronously: no PutMetricData call, so no latency, IAM grant or
failure mode on the request path.

Two kinds of metric:
- `request(...)`, called once per request by the HTTP pipeline: Requests,
  Latency and Errors, by route and status class;
- `count(name)`, for events other modules see: ContactReceived,
  NotificationsSent, NotificationsFailed, RateLimited, RepliesSent, RepliesFailed;
- `age(name, seconds)`, for how long something has waited, measured now:
  OldestPendingNotificationAge (written by each retry run; an alarm watches it).

Each distinct document (per route, status class and event name) is written
once as a template with holes for the values, and every line after that
fills in the timestamp and the values, for about 2 µs. The document is the
one AWS's EMF specification describes, written here directly: names and
units come from the fixed lists below, so there is nothing left to validate
per line (tests/observability/test_emf_lines.py holds every kind of line to
the specification's rules).

Modules get a `Metrics` handed to them (app.py builds one per container);
tests pass `tests.support.metrics.RecordingMetrics` or read the EMF lines.
"""
from __future__ import annotations

import json
import sys
import time
from typing import Literal, Protocol

NAMESPACE = "Frontdesk"
SERVICE = "frontdesk"

CONTACT_RECEIVED = "ContactReceived"
NOTIFICATIONS_SENT = "NotificationsSent"
NOTIFICATIONS_FAILED = "NotificationsFailed"
RATE_LIMITED = "RateLimited"
CHAT_SENT = "ChatNotificationsSent"
CHAT_FAILED = "ChatNotificationsFailed"
REPLIES_SENT = "RepliesSent"
REPLIES_FAILED = "RepliesFailed"
# A fixed list, so a typo in a caller fails its tests instead of quietly
# starting a new metric nobody alarms on.
EVENT_METRICS = frozenset({CONTACT_RECEIVED, NOTIFICATIONS_SENT, NOTIFICATIONS_FAILED, RATE_LIMITED,
                           CHAT_SENT, CHAT_FAILED,
                           REPLIES_SENT, REPLIES_FAILED})
OLDEST_PENDING_NOTIFICATION_AGE = "OldestPendingNotificationAge"
AGE_METRICS = frozenset({OLDEST_PENDING_NOTIFICATION_AGE})

# The CloudWatch units these metrics use (the full list is in the EMF specification).
Unit = Literal["Count", "Milliseconds", "Seconds"]


class UnknownMetric(ValueError):
    pass


class MetricsSink(Protocol):
    def count(self, name: str, value: int = 1) -> None: ...

    def age(self, name: str, seconds: float) -> None: ...

    def request(self, *, method: str, route: str, status: int, duration_ms: float) -> None: ...


def status_class(status: int) -> str:
    return f"{status // 100}xx"


# Stand-ins for the values, swapped for str.format fields once the document
# around them is written.
_TIMESTAMP_HOLE = "@@timestamp@@"
_VALUE_HOLE = "@@value{}@@"
# Routes come from the app's route table, but a method is whatever the caller
# sent: past this many distinct documents, build each line afresh instead.
_MAX_TEMPLATES = 256


class EmfTemplate:
    """One EMF document with holes for the timestamp and for each metric's
    value: `line(timestamp_ms, *values)` fills them."""

    def __init__(self, namespace: str, dimensions: dict[str, str],
                 metrics: list[tuple[str, Unit]]) -> None:
        document = {
            "_aws": {"Timestamp": _TIMESTAMP_HOLE, "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [list(dimensions)],
                "Metrics": [{"Name": name, "Unit": unit} for name, unit in metrics]}]},
            **dimensions,
            **{name: _VALUE_HOLE.format(index) for index, (name, _) in enumerate(metrics)},
        }
        text = json.dumps(document, separators=(",", ":")).replace("{", "{{").replace("}", "}}")
        text = text.replace(json.dumps(_TIMESTAMP_HOLE), "{0}")
        for index in range(len(metrics)):
            # Each value as a list of one float ([1.0]), as Powertools wrote them.
            text = text.replace(json.dumps(_VALUE_HOLE.format(index)), f"[{{{index + 1}!r}}]")
        self._format = text + "\n"

    def line(self, timestamp_ms: int, *values: float) -> str:
        return self._format.format(timestamp_ms, *(float(value) for value in values))


def _now_ms() -> int:
    return int(time.time() * 1000)


class Metrics:
    """One EMF line per call. Every line carries the `service` and `Stage`
    dimensions, so dev and prod never mix even in one account."""

    def __init__(self, *, stage: str, namespace: str = NAMESPACE, service: str = SERVICE) -> None:
        self._stage = stage
        self._namespace = namespace
        self._service = service
        self._templates: dict[tuple[str, ...], EmfTemplate] = {}

    def _template(self, key: tuple[str, ...], dimensions: dict[str, str],
                  metrics: list[tuple[str, Unit]]) -> EmfTemplate:
        template = self._templates.get(key)
        if template is None:
            template = EmfTemplate(self._namespace, {"Stage": self._stage, **dimensions,
                                                     "service": self._service}, metrics)
            if len(self._templates) < _MAX_TEMPLATES:
                self._templates[key] = template
        return template

    def count(self, name: str, value: int = 1) -> None:
        if name not in EVENT_METRICS:
            raise UnknownMetric(f"{name!r} is not one of {sorted(EVENT_METRICS)}")
        template = self._template(("count", name), {}, [(name, "Count")])
        sys.stdout.write(template.line(_now_ms(), value))

    def age(self, name: str, seconds: float) -> None:
        if name not in AGE_METRICS:
            raise UnknownMetric(f"{name!r} is not one of {sorted(AGE_METRICS)}")
        template = self._template(("age", name), {}, [(name, "Seconds")])
        sys.stdout.write(template.line(_now_ms(), seconds))

    def request(self, *, method: str, route: str, status: int, duration_ms: float) -> None:
        errored = status >= 400
        route_name = f"{method} {route or '(unknown)'}"
        status_name = status_class(status)
        metrics: list[tuple[str, Unit]] = [("Requests", "Count"), ("Latency", "Milliseconds")]
        if errored:
            metrics.append(("Errors", "Count"))
        template = self._template(("request", route_name, status_name), {
            "Route": route_name, "StatusClass": status_name}, metrics)
        values = (1, duration_ms, 1) if errored else (1, duration_ms)
        sys.stdout.write(template.line(_now_ms(), *values))
