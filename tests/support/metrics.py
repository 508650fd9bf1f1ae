"""A MetricsSink for tests of code that counts events: it keeps what it is told."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from chalicelib.platform.metrics import AGE_METRICS, EVENT_METRICS, UnknownMetric


@dataclass
class RecordingMetrics:
    counts: list[tuple[str, int]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    ages: list[tuple[str, float]] = field(default_factory=list)

    def count(self, name: str, value: int = 1) -> None:
        if name not in EVENT_METRICS:  # same contract as the real one
            raise UnknownMetric(name)
        self.counts.append((name, value))

    def age(self, name: str, seconds: float) -> None:
        if name not in AGE_METRICS:
            raise UnknownMetric(name)
        self.ages.append((name, seconds))

    def request(self, *, method: str, route: str, status: int, duration_ms: float,
                log: str | None = None) -> None:
        self.requests.append({"method": method, "route": route, "status": status,
                              "duration_ms": duration_ms})
        if log is not None:  # the access record is the sink's to write, as the real one does
            sys.stdout.write(log + "\n")
