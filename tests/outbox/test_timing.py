"""The outbox's fixed timing holds against the functions' real timeout."""
from __future__ import annotations

import json
from pathlib import Path

from chalice.constants import DEFAULT_LAMBDA_TIMEOUT

from chalicelib.outbox.timing import (
    CLAIM_SECONDS,
    FUNCTION_TIMEOUT_SECONDS,
    MIN_CLAIM_SECONDS,
    RUN_SECONDS,
    SEND_CONNECT_TIMEOUT_SECONDS,
    SEND_READ_TIMEOUT_SECONDS,
    SETTLE_CLAIM_MARGIN_SECONDS,
    SETTLE_RETRY_WAITS,
)

CHALICE_CONFIG = Path(__file__).resolve().parents[2] / ".chalice" / "config.json"


def test_every_stage_runs_its_functions_with_the_timeout_the_outbox_assumes() -> None:
    config = json.loads(CHALICE_CONFIG.read_text())
    app_timeout = config.get("lambda_timeout", DEFAULT_LAMBDA_TIMEOUT)
    for name, stage in config["stages"].items():
        timeouts = [stage.get("lambda_timeout", app_timeout),
                    *(function.get("lambda_timeout", app_timeout)
                      for function in stage.get("lambda_functions", {}).values())]
        assert max(timeouts) <= FUNCTION_TIMEOUT_SECONDS, name


def test_a_delivery_started_in_time_can_retry_its_settle_before_the_timeout() -> None:
    send = SEND_CONNECT_TIMEOUT_SECONDS + SEND_READ_TIMEOUT_SECONDS
    assert RUN_SECONDS + send + sum(SETTLE_RETRY_WAITS) + SETTLE_CLAIM_MARGIN_SECONDS \
        < FUNCTION_TIMEOUT_SECONDS < CLAIM_SECONDS
    assert send + sum(SETTLE_RETRY_WAITS) + SETTLE_CLAIM_MARGIN_SECONDS < MIN_CLAIM_SECONDS
