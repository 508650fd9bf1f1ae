"""Idempotency-Key: a retried submission returns the first answer instead of
storing (and mailing) the message again.

The record lives next to the message and is written in the same transaction,
so "stored" and "remembered" cannot disagree. Keys are hashed before they go
into a DynamoDB key. TTL deletes records after 24 hours, but TTL deletion lags
(up to days), so expiry is also checked on read and in the write condition.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from chalicelib.db import keys
from chalicelib.db.items import to_item, to_value
from chalicelib.db.reads import get_item
from chalicelib.db.table import TTL_ATTRIBUTE
from chalicelib.domain_errors import IdempotencyKeyInvalid, IdempotencyKeyReused

TTL_SECONDS = 24 * 60 * 60
HEADER = "Idempotency-Key"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def checked_key(value: str | None) -> str | None:
    if value is None:
        return None
    # Printable ASCII only: what UUIDs and random tokens are made of.
    if not (8 <= len(value) <= 128) or not all("\x21" <= ch <= "\x7e" for ch in value):
        raise IdempotencyKeyInvalid()
    return value


@dataclass(frozen=True)
class IdempotentRequest:
    key: str
    body: dict[str, Any]

    @property
    def key_digest(self) -> str:
        return digest(self.key)

    @property
    def body_digest(self) -> str:
        return digest(json.dumps(self.body, sort_keys=True, separators=(",", ":")))

    def record_put(self, table: str, response: dict[str, Any], now_epoch: int) -> dict[str, Any]:
        """TransactWriteItems entry: remember the response, unless a live record exists."""
        return {"Put": {
            "TableName": table,
            "Item": to_item({**keys.idempotency(self.key_digest), "type": "idempotency",
                             "bodyDigest": self.body_digest, "response": json.dumps(response),
                             TTL_ATTRIBUTE: now_epoch + TTL_SECONDS}),
            "ConditionExpression": "attribute_not_exists(#pk) OR #expires < :now",
            "ExpressionAttributeNames": {"#pk": "pk", "#expires": TTL_ATTRIBUTE},
            "ExpressionAttributeValues": {":now": to_value(now_epoch)},
        }}


def remembered_response(client: Any, table: str, request: IdempotentRequest,
                        now_epoch: int) -> dict[str, Any] | None:
    """The response remembered for this key, None if there is none, or
    IdempotencyKeyReused if the key was used with a different body."""
    record = get_item(client, table, keys.idempotency(request.key_digest))
    if record is None or record[TTL_ATTRIBUTE] < now_epoch:
        return None
    if record["bodyDigest"] != request.body_digest:
        raise IdempotencyKeyReused()
    response: dict[str, Any] = json.loads(record["response"])
    return response
