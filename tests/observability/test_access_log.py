"""The access log record is made without the logging module's machinery, but
it is the same JSON object, and the logger's level still decides. It is
written on the request's EMF line (tests/observability/test_metrics.py)."""
from __future__ import annotations

import json
import logging
from typing import Any

from chalicelib.http import context, log


def test_the_access_line_has_the_formatters_shape(capsys: Any) -> None:
    logger = log.configure(logging.getLogger("frontdesk.test-access"))
    token = context.request_id.set("req-1")
    try:
        print(log.AccessLog(logger).line(method="GET", route="/health", status=200,
                                         duration_ms=0.4))
        logger.info("request", extra={"fields": {"method": "GET", "route": "/health",
                                                 "status": 200, "durationMs": 0.4}})
    finally:
        context.request_id.reset(token)
    direct, through_logging = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert set(direct) == set(through_logging)
    assert {k: v for k, v in direct.items() if k != "time"} == \
        {k: v for k, v in through_logging.items() if k != "time"}
    assert direct["requestId"] == "req-1" and direct["level"] == "INFO"
    assert direct["time"].endswith("Z") and len(direct["time"]) == len("2026-01-01T00:00:00.000Z")


def test_a_logger_above_info_makes_no_access_record() -> None:
    logger = log.configure(logging.getLogger("frontdesk.test-quiet"), level=logging.WARNING)
    assert log.AccessLog(logger).line(method="GET", route="/health", status=200,
                                      duration_ms=0.4) is None


def test_values_json_cannot_hold_are_written_as_text(capsys: Any) -> None:
    logger = log.configure(logging.getLogger("frontdesk.test-odd"))
    logger.warning("odd", extra={"fields": {"thing": object.__new__(type("Odd", (), {
        "__str__": lambda self: "odd-thing"}))}})
    assert json.loads(capsys.readouterr().out)["thing"] == "odd-thing"
