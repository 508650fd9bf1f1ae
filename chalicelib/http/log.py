"""Structured logs: one JSON object per line, carrying the request id.

Never pass tokens, passwords, message bodies, names or addresses in `fields`;
the access log records only method, route, status, duration and the request
id. Text this code does not write itself can still name someone: an AWS error
(SES's sandbox refusal lists the unverified recipients), a webhook's answer, a
traceback. So every line's message, string fields and traceback have email
addresses replaced by `<address>` (tests/observability/test_log_privacy.py).
"""
from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any

import msgspec

from chalicelib.http import context

# msgspec writes a line in a tenth of the time json.dumps takes; anything it
# cannot encode is written as its str(), as json.dumps(default=str) would.
_encoder = msgspec.json.Encoder(enc_hook=str)


# ".000Z" to ".999Z": the end of every time, looked up rather than formatted.
_MILLISECONDS = tuple(f".{n:03d}Z" for n in range(1000))


class _UtcClock:
    """ISO 8601 times with milliseconds. Every line of one second shares its
    date and time, so they are formatted once per second."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def format(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return self._text + _MILLISECONDS[int((created - second) * 1000)]


def _line(clock: _UtcClock, created: float, level: str, logger: str, message: str,
          fields: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "time": clock.format(created),
        "level": level,
        "logger": logger,
        "message": message,
        "requestId": context.request_id.get(),
        "coldStart": context.cold_start.get(),
    }
    entry.update(fields)
    return entry


# Anything shaped like an address: local part, @, a domain with a dot.
_ADDRESS = re.compile(r"[^\s@<>()\[\]:;,\"']+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def without_addresses(text: str) -> str:
    return _ADDRESS.sub("<address>", text) if "@" in text else text


class JsonFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__()
        self._clock = _UtcClock()

    def format(self, record: logging.LogRecord) -> str:
        fields = {name: without_addresses(value) if isinstance(value, str) else value
                  for name, value in getattr(record, "fields", {}).items()}
        entry = _line(self._clock, record.created, record.levelname, record.name,
                      without_addresses(record.getMessage()), fields)
        if record.exc_info:
            entry["exception"] = without_addresses(self.formatException(record.exc_info))
        return _encoder.encode(entry).decode()


# Routes come from the app's route table, but a method is whatever the caller
# sent: past this many distinct (method, route, status), encode each afresh.
_MAX_CACHED = 256


class AccessLog:
    """The one INFO record per request, in JsonFormatter's shape (the same keys
    in the same order). Through the logging module the same line costs several
    times more (a LogRecord, a caller lookup, the handler's lock and flush),
    and it is written on every request. The logger's level still decides. Its
    fields are fixed: nothing from the request but its method and route goes in.

    The members a (method, route, status) always has are encoded once; a
    record joins them around its time, request id, cold-start flag and
    duration.

    `line` gives the record's text; the pipeline hands it to the metrics,
    which write it and the request's EMF document as one line (one flushed
    write on Lambda; chalicelib/platform/metrics.py, docs/operations.md "Logs
    and metrics")."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._clock = _UtcClock()
        self._after_time = (f'","level":"INFO","logger":{_encoder.encode(logger.name).decode()},'
                            '"message":"request","requestId":')
        self._members: dict[tuple[str, str, int], str] = {}

    def _members_of(self, method: str, route: str, status: int) -> str:
        """`,"method":…,"route":…,"status":…,"durationMs":`, for the key."""
        members = self._members.get((method, route, status))
        if members is None:
            encoded = _encoder.encode({"method": method, "route": route, "status": status})
            members = f',{encoded.decode()[1:-1]},"durationMs":'
            if len(self._members) < _MAX_CACHED:
                self._members[(method, route, status)] = members
        return members

    def line(self, *, method: str, route: str, status: int, duration_ms: float) -> str | None:
        """The record as one JSON object's text, or None when the logger's level
        is above INFO."""
        if not self._logger.isEnabledFor(logging.INFO):
            return None
        request_id = _encoder.encode(context.request_id.get()).decode()
        cold = "true" if context.cold_start.get() else "false"
        return (f'{{"time":"{self._clock.format(time.time())}{self._after_time}{request_id},'
                f'"coldStart":{cold}{self._members_of(method, route, status)}'
                f'{float(duration_ms)!r}}}')


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
