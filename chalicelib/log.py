"""Structured logs: one JSON object per line, carrying the request id.

Never pass tokens, passwords or message bodies in `fields`; the access log
records only method, route, status, duration and the request id.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from chalicelib.http import context


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "requestId": context.request_id.get(),
            "coldStart": context.cold_start.get(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is at the time (so test capture sees it)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure(logger: logging.Logger, level: int = logging.INFO) -> logging.Logger:
    """Give `logger` a single JSON handler on stdout (CloudWatch reads stdout)."""
    handler = _StdoutHandler()
    handler.setFormatter(JsonFormatter())
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    return logger
