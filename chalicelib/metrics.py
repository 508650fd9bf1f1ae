"""Metrics, written as CloudWatch embedded metric format (EMF) lines on stdout.

Lambda ships stdout to CloudWatch Logs, which extracts the metrics from these
lines asynchronously: no PutMetricData call, so no latency, IAM grant or
failure mode on the request path. Powertools writes and validates the EMF
(its limits on names, units and dimensions are easy to get subtly wrong by hand).

Two kinds of metric:
- `request(...)`, called once per request by the HTTP pipeline: Requests,
  Latency and Errors, by route and status class;
- `count(name)`, for events other modules see: ContactReceived,
  NotificationsSent, NotificationsFailed, RateLimited, RepliesSent, RepliesFailed;
- `age(name, seconds)`, for how long something has waited, measured now:
  OldestPendingNotificationAge (written by each retry run; an alarm watches it).

Modules get a `Metrics` handed to them (app.py builds one per container);
tests pass `tests.support.metrics.RecordingMetrics` or read the EMF lines.
"""
from __future__ import annotations

from typing import Protocol

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

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


class UnknownMetric(ValueError):
    pass


class MetricsSink(Protocol):
    def count(self, name: str, value: int = 1) -> None: ...

    def age(self, name: str, seconds: float) -> None: ...

    def request(self, *, method: str, route: str, status: int, duration_ms: float) -> None: ...


def status_class(status: int) -> str:
    return f"{status // 100}xx"


class Metrics:
    """One EMF line per call. Every line carries the `service` and `Stage`
    dimensions, so dev and prod never mix even in one account."""

    def __init__(self, *, stage: str, namespace: str = NAMESPACE, service: str = SERVICE) -> None:
        self._stage = stage
        self._namespace = namespace
        self._service = service

    def _emf(self) -> EphemeralMetrics:
        # EphemeralMetrics, not Metrics: Powertools' Metrics shares its buffer
        # between all instances in the process (class attributes).
        emf = EphemeralMetrics(namespace=self._namespace, service=self._service)
        emf.add_dimension(name="Stage", value=self._stage)
        return emf

    def count(self, name: str, value: int = 1) -> None:
        if name not in EVENT_METRICS:
            raise UnknownMetric(f"{name!r} is not one of {sorted(EVENT_METRICS)}")
        emf = self._emf()
        emf.add_metric(name=name, unit=MetricUnit.Count, value=value)
        emf.flush_metrics()

    def age(self, name: str, seconds: float) -> None:
        if name not in AGE_METRICS:
            raise UnknownMetric(f"{name!r} is not one of {sorted(AGE_METRICS)}")
        emf = self._emf()
        emf.add_metric(name=name, unit=MetricUnit.Seconds, value=seconds)
        emf.flush_metrics()

    def request(self, *, method: str, route: str, status: int, duration_ms: float) -> None:
        emf = self._emf()
        emf.add_dimension(name="Route", value=f"{method} {route or '(unknown)'}")
        emf.add_dimension(name="StatusClass", value=status_class(status))
        emf.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
        emf.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=duration_ms)
        if status >= 400:
            emf.add_metric(name="Errors", unit=MetricUnit.Count, value=1)
        emf.flush_metrics()
