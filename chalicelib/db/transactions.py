"""TransactWriteItems with the outcomes sorted out.

A transaction is built from named parts and cancelled as a whole. Its reasons
say why, part by part: a failed condition is the caller's to interpret
(ConditionFailed names the parts that failed theirs, so what a failure means
never depends on the parts' order); a conflict with another transaction on the
same item (the counters item, typically) is retried with jittered backoff.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.domain_errors import DependencyUnavailable
from chalicelib.db.errors import aws_unavailable_mapped, cancellation_reasons, error_code

RETRYABLE_REASONS = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded",
                     "None"}


# A TransactWriteItems part ({"Put": ...}, {"Update": ...}, ...) by its name.
Parts = Mapping[str, dict[str, Any]]
# The order in which a transaction's parts are sent: as written, unless a test
# says otherwise (what a part's failure means never depends on it).
PartOrder = Callable[[list[str]], list[str]]


def as_written(names: list[str]) -> list[str]:
    return names


class ConditionFailed(Exception):
    def __init__(self, parts: frozenset[str]) -> None:
        super().__init__(sorted(parts))
        self.parts = parts

    def failed(self, part: str) -> bool:
        """Whether the part named `part` failed its condition (False when the
        transaction had no such part)."""
        return part in self.parts


def transact_write(client: Any, parts: Parts, *, attempts: int = 5,
                   sleep: Callable[[float], None] = time.sleep,
                   order: PartOrder = as_written) -> None:
    names = list(parts)
    if order is not as_written:  # a test's order: it must keep every part once
        names = order(names)
        if sorted(names) != sorted(parts):
            raise ValueError("a part order must keep every part once")
    items = [parts[name] for name in names]
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
                # Reasons come in request order, one per part.
                raise ConditionFailed(frozenset(
                    name for name, reason in zip(names, reasons, strict=False)
                    if reason == "ConditionalCheckFailed")) from exc
            if not set(reasons) <= RETRYABLE_REASONS:
                raise
        if attempt < attempts - 1:
            sleep(random.uniform(0, 0.05 * 2 ** attempt))  # noqa: S311 (backoff jitter)
    raise DependencyUnavailable("The database is busy. Try again shortly.")
