"""Exact counts for the dashboard, kept in one item and changed inside the same
transactions as the writes they count, so they never drift and never need a
Scan. Concurrent transactions on the item conflict rather than lose updates;
chalicelib/db/transactions.py retries those."""
from __future__ import annotations

from typing import Any

from chalicelib.db import keys
from chalicelib.db.items import to_item, to_value
from chalicelib.db.reads import get_item

COUNTERS = ("users", "messagesNew", "messagesRead", "messagesReplied", "messagesArchived",
            "notificationsPending", "notificationsFailed", "chatPending", "chatFailed")


def counter_update(table_name: str, **deltas: int) -> dict[str, Any]:
    """A TransactWriteItems entry adding each delta to its counter."""
    changed = {name: delta for name, delta in deltas.items() if delta}
    unknown = set(changed) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    names = {f"#{name}": name for name in changed}
    values = {f":{name}": to_value(delta) for name, delta in changed.items()}
    return {"Update": {
        "TableName": table_name,
        "Key": to_item(keys.STATS),
        "UpdateExpression": "ADD " + ", ".join(f"#{name} :{name}" for name in changed),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }}


def read_counters(client: Any, table_name: str) -> dict[str, int]:
    values = get_item(client, table_name, keys.STATS) or {}
    return {name: int(values.get(name, 0)) for name in COUNTERS}
