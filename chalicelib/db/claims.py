"""Expiring claims: an item whose existence, until its `expiresAt`, says
"taken". The autoresponder's one-a-day limit and the spam rules' duplicate
window are each one.

A claim is put in the transaction that stores the message, on condition that
it is absent or expired: of concurrent writers, one transaction holds it and
the others fail that part (the caller knows the part by its name). It carries
the table's TTL attribute, so DynamoDB removes it in time; until then (TTL
deletes lag by up to days) its `expiresAt` is what counts. Whole seconds:
a claim at 10.9 s for 60 s expires at 70 and is free from 71 on, so a window
is never shorter than asked.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chalicelib.db.expressions import attr, put
from chalicelib.db.table import PK, TTL_ATTRIBUTE


def claim(table: str, key: Mapping[str, str], attributes: Mapping[str, Any], *,
          now: datetime, seconds: int, taken_over: bool = False) -> dict[str, Any]:
    """The transaction part taking the claim at `key` for `seconds` from
    `now`; it fails its condition while an unexpired claim holds the key.
    `taken_over`: put it whatever holds it (a new window from `now`)."""
    now_epoch = int(now.timestamp())
    item = {**key, **attributes, TTL_ATTRIBUTE: now_epoch + seconds}
    if taken_over:
        return {"Put": put(table, item)}
    return {"Put": put(table, item,
                       condition=attr(PK).not_exists() | attr(TTL_ATTRIBUTE).lt(now_epoch))}
