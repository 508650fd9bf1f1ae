"""Submissions per client IP per fixed window, counted in DynamoDB so the limit
holds across Lambda containers. Windows expire by TTL.

A fixed window can admit up to twice the limit around a window boundary; for
a contact form that trade for one conditional write per request is fine.
"""
from __future__ import annotations

import hashlib
import math
import time
from typing import Any, Callable

from botocore.exceptions import ClientError

from chalicelib.db import keys
from chalicelib.db.errors import aws_unavailable_as_503, error_code
from chalicelib.db.items import to_item, to_value
from chalicelib.db.table import TTL_ATTRIBUTE
from chalicelib.errors import RateLimited


class RateLimiter:
    def __init__(self, client: Any, table: str, *, limit: int, window_seconds: int,
                 clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._table = table
        self._limit = limit
        self._window = window_seconds
        self._clock = clock

    def hit(self, client_id: str) -> None:
        """Count one request from `client_id`, or raise RateLimited."""
        now = self._clock()
        window_start = int(now // self._window) * self._window
        resets_at = window_start + self._window
        # The IP is hashed: the table need not hold addresses.
        client_digest = hashlib.sha256(client_id.encode()).hexdigest()[:32]
        try:
            with aws_unavailable_as_503():
                self._client.update_item(
                    TableName=self._table, Key=to_item(keys.rate_window(client_digest, window_start)),
                    UpdateExpression="ADD #count :one SET #expires = :expires",
                    ConditionExpression="attribute_not_exists(#count) OR #count < :limit",
                    ExpressionAttributeNames={"#count": "count", "#expires": TTL_ATTRIBUTE},
                    ExpressionAttributeValues={":one": to_value(1), ":limit": to_value(self._limit),
                                               ":expires": to_value(resets_at + 60)})
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            raise RateLimited(headers={"Retry-After": str(max(1, math.ceil(resets_at - now)))}) from exc
