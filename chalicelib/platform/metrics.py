"""Metrics, written as CloudWatch embedded metric format (EMF) lines on stdout.

Lambda ships stdout to CloudWatch Logs, which extracts the metrics from these
lines asynchronously: no PutMetricData call, so no latency, IAM grant or
failure mode on the request path.

Two kinds of metric:
- `request(...)`, called once per request by the HTTP pipeline: Requests,
  Latency and Errors, by route and status class, on one line with the
  request's access log record;
- `count(name)`, for events other modules see: ContactReceived,
  NotificationsSent, NotificationsFailed, RateLimited, RepliesSent, RepliesFailed,
  AutoresponsesSent, AutoresponsesFailed;
- `age(name, seconds)`, for how long something has waited, measured now:
  OldestPendingNotificationAge (written by each retry run; an alarm watches it).

Each distinct document (per route, status class and event name) is written
once as a template with a hole for the timestamp and one for the measured
value (the counts in a request's document are always 1), and every line
after that joins the template's pieces around those two, well under 1 µs. The document is the
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
AUTORESPONSES_SENT = "AutoresponsesSent"
AUTORESPONSES_FAILED = "AutoresponsesFailed"
# A fixed list, so a typo in a caller fails its tests instead of quietly
# starting a new metric nobody alarms on.
EVENT_METRICS = frozenset({CONTACT_RECEIVED, NOTIFICATIONS_SENT, NOTIFICATIONS_FAILED, RATE_LIMITED,
                           CHAT_SENT, CHAT_FAILED,
                           REPLIES_SENT, REPLIES_FAILED, AUTORESPONSES_SENT,
                           AUTORESPONSES_FAILED})
OLDEST_PENDING_NOTIFICATION_AGE = "OldestPendingNotificationAge"
AGE_METRICS = frozenset({OLDEST_PENDING_NOTIFICATION_AGE})

# The CloudWatch units these metrics use (the full list is in the EMF specification).
Unit = Literal["Count", "Milliseconds", "Seconds"]


class UnknownMetric(ValueError):
    pass


class MetricsSink(Protocol):
    def count(self, name: str, value: int = 1) -> None: ...

    def age(self, name: str, seconds: float) -> None: ...

    def request(self, *, method: str, route: str, status: int, duration_ms: float,
                log: str | None = None) -> None: ...


def status_class(status: int) -> str:
    return f"{status // 100}xx"


# Stand-ins for the two things that change from line to line, cut out of the
# document once it is written.
_TIMESTAMP_HOLE = "@@timestamp@@"
_VALUE_HOLE = "@@value@@"
# Routes come from the app's route table, but a method is whatever the caller
# sent: past this many distinct documents, build each line afresh instead.
_MAX_TEMPLATES = 256


class EmfTemplate:
    """One EMF document, cut around its two holes: the timestamp, and the one
    metric whose value is measured (`None` in `metrics`). Every other metric
    has a fixed value (a request counts 1), written into the document once.
    `line(timestamp_ms, value)` fills the holes: two joins, no parsing."""

    def __init__(self, namespace: str, dimensions: dict[str, str],
                 metrics: list[tuple[str, Unit, float | None]]) -> None:
        document = {
            "_aws": {"Timestamp": _TIMESTAMP_HOLE, "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [list(dimensions)],
                "Metrics": [{"Name": name, "Unit": unit} for name, unit, _ in metrics]}]},
            **dimensions,
            # Each value as a list of one float ([1.0]), as Powertools wrote them.
            **{name: _VALUE_HOLE if value is None else [float(value)]
               for name, _, value in metrics},
        }
        text = json.dumps(document, separators=(",", ":"))
        head, rest = text.split(json.dumps(_TIMESTAMP_HOLE))
        middle, tail = rest.split(json.dumps(_VALUE_HOLE))
        # The head without its "{": a log record's members may go before it.
        self._head, self._middle, self._tail = head[1:], middle + "[", "]" + tail + "\n"

    def line(self, timestamp_ms: int, value: float, log: str | None = None) -> str:
        """The document's line; with `log` (a non-empty JSON object's text),
        that object's members first, then the document's, in one object."""
        opening = f"{log[:-1]}," if log else "{"
        return f"{opening}{self._head}{timestamp_ms}{self._middle}{float(value)!r}{self._tail}"


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
        self._request_templates: dict[tuple[str, str, int], EmfTemplate] = {}

    def _template(self, key: tuple[str, ...], dimensions: dict[str, str],
                  metrics: list[tuple[str, Unit, float | None]]) -> EmfTemplate:
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
        template = self._template(("count", name), {}, [(name, "Count", None)])
        sys.stdout.write(template.line(_now_ms(), value))

    def age(self, name: str, seconds: float) -> None:
        if name not in AGE_METRICS:
            raise UnknownMetric(f"{name!r} is not one of {sorted(AGE_METRICS)}")
        template = self._template(("age", name), {}, [(name, "Seconds", None)])
        sys.stdout.write(template.line(_now_ms(), seconds))

    def request(self, *, method: str, route: str, status: int, duration_ms: float,
                log: str | None = None) -> None:
        """The request's EMF line. `log` is the request's access record
        (chalicelib/http/log.py's AccessLog.line), written as the same line:
        CloudWatch extracts the metrics from `_aws` and keeps the other members
        as the log event's fields, so a request costs one write to stdout,
        which Lambda flushes per write (a system call each)."""
        # On every request: one lookup by what varies; the document is built once per key.
        template = self._request_templates.get((method, route, status // 100))
        if template is None:
            template = self._request_template(method, route, status)
        sys.stdout.write(template.line(_now_ms(), duration_ms, log))

    def _request_template(self, method: str, route: str, status: int) -> EmfTemplate:
        route_name = f"{method} {route or '(unknown)'}"
        status_name = status_class(status)
        metrics: list[tuple[str, Unit, float | None]] = [
            ("Requests", "Count", 1), ("Latency", "Milliseconds", None)]
        if status >= 400:
            metrics.append(("Errors", "Count", 1))
        template = self._template(("request", route_name, status_name), {
            "Route": route_name, "StatusClass": status_name}, metrics)
        if len(self._request_templates) < _MAX_TEMPLATES:
            self._request_templates[(method, route, status // 100)] = template
        return template
