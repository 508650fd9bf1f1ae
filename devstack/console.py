"""What `make dev` prints while it runs: the app's log made readable.

In Lambda the app writes one JSON object per log line and one CloudWatch
embedded-metric (EMF) document per metric to stdout, because CloudWatch reads
stdout. On a developer's terminal that is a wall of JSON. `make dev` therefore
puts a `Console` in front of stdout that
- writes each access-log line as `13:12:00  POST /contact  202  129 ms  <request id>`,
- writes other log lines as `13:12:00  WARNING  frontdesk.outbox  delivery failed  kind=…`,
- moves the EMF documents to a file (`.local/metrics.jsonl`), where they stay
  readable with `tail -f` or `jq`; a request's line is both its access record
  and its EMF document (chalicelib/platform/metrics.py), so it goes to both,
- passes everything else through.

FRONTDESK_LOG=json keeps the raw lines, exactly as Lambda would write them.
"""
from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import Any, TextIO

# The fields every JSON log line has (chalicelib/http/log.py); the rest are the line's own.
_COMMON = ("time", "level", "logger", "message", "requestId", "coldStart")


def readable(entry: dict[str, Any]) -> str:
    """One JSON log line (chalicelib/http/log.py's shape) as a terminal line."""
    clock = str(entry.get("time", ""))[11:19]
    request_id = entry.get("requestId") or ""
    if entry.get("message") == "request" and "status" in entry:
        cold = "  (cold start)" if entry.get("coldStart") else ""
        return (f"{clock}  {entry.get('method', '?')} {entry.get('route') or '(unknown)'}  "
                f"{entry['status']}  {entry.get('durationMs', 0):g} ms  {request_id}{cold}")
    extra = "  ".join(f"{name}={value}" for name, value in entry.items()
                      if name not in _COMMON and name != "exception")
    line = (f"{clock}  {entry.get('level', '')}  {entry.get('logger', '')}  "
            f"{entry.get('message', '')}  {extra}").rstrip()
    if request_id:
        line += f"  {request_id}"
    if entry.get("exception"):
        line += "\n" + str(entry["exception"])
    return line


class Console(io.TextIOBase):
    """A stdout that rewrites whole lines as the module docstring says.
    Thread-safe: the API, the stream poller and the schedule all write here."""

    def __init__(self, terminal: TextIO, metrics_file: Path) -> None:
        super().__init__()
        self._terminal = terminal
        self._metrics_file = metrics_file
        self._metrics: TextIO | None = None
        self._pending = ""
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            *lines, self._pending = (self._pending + text).split("\n")
            for line in lines:
                self._route(line)
        return len(text)

    def flush(self) -> None:
        with self._lock:
            self._terminal.flush()
            if self._metrics is not None:
                self._metrics.flush()

    def _route(self, line: str) -> None:
        if not line.startswith("{"):
            self._terminal.write(line + "\n")
            self._terminal.flush()
            return
        try:
            entry = json.loads(line)
        except ValueError:
            self._terminal.write(line + "\n")
            self._terminal.flush()
            return
        if isinstance(entry, dict) and "_aws" in entry:
            if self._metrics is None:
                self._metrics_file.parent.mkdir(parents=True, exist_ok=True)
                self._metrics = self._metrics_file.open("w", encoding="utf-8", buffering=1)
            self._metrics.write(line + "\n")
            if "message" not in entry:
                return
        if isinstance(entry, dict) and "message" in entry:
            self._terminal.write(readable(entry) + "\n")
        else:
            self._terminal.write(line + "\n")
        self._terminal.flush()
