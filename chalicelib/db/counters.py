"""Exact counts for the dashboard, without a single hot item.

Each count is spread over SHARDS items, each in its own partition: a write
adds its deltas to one shard, picked at random, inside the same transaction as
the write it counts, so counts never drift and never need a Scan. A read sums
the shards (one BatchGetItem). Concurrent writes touch the same item only when
they pick the same shard; a transaction that still conflicts is retried by
chalicelib/db/transactions.py. docs/data-model.md has the design and its limits.
"""
from __future__ import annotations

import random
from typing import Any

from chalicelib.core.domain_errors import DependencyUnavailable
from chalicelib.db import keys
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import update
from chalicelib.db.items import from_item, to_item

# A new counter (a new message status) is one more name here.
COUNTERS = ("users", "messagesNew", "messagesRead", "messagesReplied", "messagesArchived",
            "messagesSpam", "notificationsPending", "notificationsFailed", "chatPending",
            "chatFailed")
# Messages stored per form, one counter each, named by this prefix and the
# form's id (form ids are lower-case letters, digits and hyphens). The
# contact form has none: its count is every message's less the other forms'
# (messages stored before forms were are all the contact form's).
FORM_COUNTER_PREFIX = "messagesOf#"


def form_counter(form_id: str) -> str:
    return f"{FORM_COUNTER_PREFIX}{form_id}"


# Raise it freely; never lower it: a read sums shards 0..SHARDS-1 only.
SHARDS = 10
_BATCH_READ_ATTEMPTS = 5


def counter_update(table_name: str, *, shard: int | None = None, **deltas: int) -> dict[str, Any]:
    """A TransactWriteItems entry adding each delta to its counter, on one shard
    (random unless named)."""
    changed = {name: delta for name, delta in deltas.items() if delta}
    unknown = {name for name in changed
               if name not in COUNTERS and not name.startswith(FORM_COUNTER_PREFIX)}
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    # Not for security: a random shard only spreads the writes.
    key = keys.stats_shard(random.randrange(SHARDS) if shard is None else shard)  # noqa: S311
    return {"Update": update(table_name, key, add=changed)}


def read_counters(client: Any, table_name: str) -> dict[str, int]:
    """Every counter, summed over its shards (strongly consistent); the
    per-form ones only where some shard has them."""
    totals = dict.fromkeys(COUNTERS, 0)
    request = {table_name: {"Keys": [to_item(keys.stats_shard(n)) for n in range(SHARDS)],
                            "ConsistentRead": True}}
    for _ in range(_BATCH_READ_ATTEMPTS):
        with aws_unavailable_mapped():
            response = client.batch_get_item(RequestItems=request)
        for item in response.get("Responses", {}).get(table_name, []):
            values = from_item(item)
            for name in COUNTERS:
                totals[name] += int(values.get(name, 0))
            for name, value in values.items():
                if name.startswith(FORM_COUNTER_PREFIX):
                    totals[name] = totals.get(name, 0) + int(value)
        # DynamoDB may leave some keys unread (throttling); ask for those again.
        request = response.get("UnprocessedKeys") or {}
        if not request:
            return totals
    raise DependencyUnavailable("The database is busy. Try again shortly.")
