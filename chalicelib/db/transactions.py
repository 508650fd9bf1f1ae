"""TransactWriteItems with the outcomes sorted out.

A transaction is cancelled as a whole. Its reasons say why, item by item:
a failed condition is the caller's to interpret (ConditionFailed carries the
reasons in request order); a conflict with another transaction on the same
item (the counters item, typically) is retried with jittered backoff.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.db.errors import aws_unavailable_mapped, cancellation_reasons, error_code
from chalicelib.domain_errors import DependencyUnavailable

RETRYABLE_REASONS = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded",
                     "None"}


class ConditionFailed(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__(reasons)
        self.reasons = reasons

    def failed(self, index: int | None) -> bool:
        """Whether the item at `index` (None: not in this transaction) failed its condition."""
        return index is not None and 0 <= index < len(self.reasons) \
            and self.reasons[index] == "ConditionalCheckFailed"


def transact_write(client: Any, items: list[dict[str, Any]], *, attempts: int = 5,
                   sleep: Callable[[float], None] = time.sleep) -> None:
    for attempt in range(attempts):
        try:
            with aws_unavailable_mapped():
                client.transact_write_items(TransactItems=items)
            return
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            reasons = cancellation_reasons(exc)
            if "ConditionalCheckFailed" in reasons:
                raise ConditionFailed(reasons) from exc
            if not set(reasons) <= RETRYABLE_REASONS:
                raise
        if attempt < attempts - 1:
            sleep(random.uniform(0, 0.05 * 2 ** attempt))  # noqa: S311 (backoff jitter)
    raise DependencyUnavailable("The database is busy. Try again shortly.")
