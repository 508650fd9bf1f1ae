"""Requests per client per fixed window, counted in DynamoDB so the limit holds
across Lambda containers. Windows expire by TTL. One limiter per scope:
contact submissions per client IP, replies per admin.

A charge is one conditional ADD on the window's counter. For a real write it
goes into the same transaction that stores the record, so a request that
stores nothing (a replay racing its original, a failed write) counts nothing
either. A fixed window can admit up to twice the limit around a boundary; for
these uses that trade for one item per request is fine.
"""
from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.domain_errors import RateExceeded
from chalicelib.db import keys
from chalicelib.db.errors import aws_unavailable_mapped, error_code
from chalicelib.db.expressions import attr, update
from chalicelib.db.table import TTL_ATTRIBUTE


@dataclass(frozen=True)
class Charge:
    """One request counted against its client's window."""
    update: dict[str, Any]  # a TransactWriteItems "Update" entry
    retry_after_seconds: int

    def refused(self) -> RateExceeded:
        return RateExceeded(self.retry_after_seconds)


class RateLimiter:
    def __init__(self, client: Any, table: str, *, scope: str, limit: int, window_seconds: int,
                 clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._scope = scope
        self._table = table
        self._limit = limit
        self._window = window_seconds
        self._clock = clock

    def charge(self, client_id: str) -> Charge:
        now = self._clock()
        window_start = int(now // self._window) * self._window
        resets_at = window_start + self._window
        # Hashed: the table need not hold addresses.
        client_digest = hashlib.sha256(client_id.encode()).hexdigest()[:32]
        key = keys.rate_window(self._scope, client_digest, window_start)
        count = attr("count")
        charged = update(self._table, key, add={"count": 1},
                         set={TTL_ATTRIBUTE: resets_at + 60},
                         condition=count.not_exists() | count.lt(self._limit))
        return Charge({"Update": charged}, max(1, math.ceil(resets_at - now)))

    def hit(self, client_id: str) -> None:
        """Count one request on its own, or raise RateExceeded."""
        charge = self.charge(client_id)
        try:
            with aws_unavailable_mapped():
                self._client.update_item(**charge.update["Update"])
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            raise charge.refused() from exc
