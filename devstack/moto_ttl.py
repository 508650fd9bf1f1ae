"""DynamoDB's TTL, which moto stores the setting of and never applies.

DynamoDB (its "Time to Live" guide): an item whose TTL attribute holds a
Number of epoch seconds in the past is deleted by a background process,
typically within a few days of that time, and until then is read, queried and
scanned like any other. An attribute of another type, or a time more than five
years in the past, is ignored. Each deletion writes a REMOVE record to the
table's stream, as any delete does, marked with the userIdentity
`{"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}` (GetRecords'
shape; Lambda's event spells it `type` and `principalId`); a delete by a
request has no userIdentity.

`sweep` does exactly that, now rather than within days: every table with TTL
enabled, every expired item deleted, its stream record so marked. The local
server (devstack/moto_server.py) runs it under its one-request-at-a-time lock:
every minute for `make dev`, and whenever a test (or anyone) POSTs
SWEEP_PATH, optionally with `?now=<epoch seconds>` to sweep as of another time.
"""
from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation
from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

SWEEP_PATH = "/moto-api/frontdesk/ttl-sweep"
TTL_IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
# DynamoDB ignores a TTL value more than five years in the past.
IGNORED_AFTER_SECONDS = 5 * 365 * 86_400


def _expiry(item: Item, attribute: str) -> Decimal | None:
    value = item.attrs.get(attribute)
    if value is None or value.type != "N":
        return None
    try:
        return Decimal(str(value.value))
    except InvalidOperation:
        return None


def expired_items(table: Table, now: float) -> list[Item]:
    if table.ttl.get("TimeToLiveStatus") != "ENABLED":
        return []
    attribute = str(table.ttl["AttributeName"])
    return [item for item in table.all_items()
            if (expiry := _expiry(item, attribute)) is not None
            and now - IGNORED_AFTER_SECONDS <= expiry <= now]


def sweep(now: float | None = None) -> int:
    """Delete every expired item of every table, as DynamoDB's TTL does; how many."""
    moment = time.time() if now is None else now
    deleted = 0
    for regions in list(dynamodb_backends.values()):
        for backend in list(regions.values()):
            for table in list(backend.tables.values()):
                for item in expired_items(table, moment):
                    table.delete_item(item.hash_key, item.range_key)
                    shard = table.stream_shard
                    if shard is not None and shard.items:
                        shard.items[-1].record["userIdentity"] = dict(TTL_IDENTITY)
                    deleted += 1
    return deleted


def sweep_request(environ: dict[str, Any]) -> int:
    """A sweep asked for over HTTP (POST SWEEP_PATH[?now=<epoch seconds>])."""
    from urllib.parse import parse_qs
    now = parse_qs(environ.get("QUERY_STRING", "")).get("now", [None])[0]
    return sweep(float(now) if now else None)
