"""Every kind of delivery, declared once, and the one way in and out of the outbox.

A declaration says where a kind's state lives (its attribute prefix), its GSI2
partition of due deliveries, the counters it moves and its metrics. The stores
never name those again:

- `request(kind, item, ...)` is how any delivery enters the outbox: the item
  that carries it (the message for the owner's mail, the reply, the chat
  post), pending and due, plus the counters to move in the same transaction;
- `discard(kind, ...)` is how one leaves with its record: the transaction part
  that deletes it (conditional on the state it was read in) and its counters;
- `counter_moves(kind, status, delta)` is what a delivery in `status` counts.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.db import keys
from chalicelib.db.expressions import attr, delete
from chalicelib.outbox.kind import FAILED, PENDING, Declared, DeliveryFields
from chalicelib.platform.metrics import (
    CHAT_FAILED,
    CHAT_SENT,
    NOTIFICATIONS_FAILED,
    NOTIFICATIONS_SENT,
    OLDEST_PENDING_NOTIFICATION_AGE,
    REPLIES_FAILED,
    REPLIES_SENT,
)

# The site owner's email of each contact message; its state is in the message.
NOTIFICATION = Declared("notification", "message", DeliveryFields("notify"),
                        keys.PENDING_NOTIFICATIONS, NOTIFICATIONS_SENT, NOTIFICATIONS_FAILED,
                        "notificationsPending", "notificationsFailed",
                        OLDEST_PENDING_NOTIFICATION_AGE)
# An admin's reply, mailed to the visitor; its state is in the reply.
REPLY = Declared("reply", "reply", DeliveryFields("delivery"), keys.PENDING_REPLIES,
                 REPLIES_SENT, REPLIES_FAILED)
# Each contact message posted to a chat webhook, in an item of its own (CHAT).
CHAT = Declared("chat", "chat", DeliveryFields("chat"), keys.PENDING_CHAT, CHAT_SENT,
                CHAT_FAILED, "chatPending", "chatFailed")
KINDS = (NOTIFICATION, REPLY, CHAT)


@dataclass(frozen=True)
class Requested:
    item: dict[str, Any]  # the carrying item, its delivery pending
    counters: dict[str, int]  # to move in the transaction that writes it


def counter_moves(kind: Declared, status: str, delta: int) -> dict[str, int]:
    counter = {PENDING: kind.pending_counter, FAILED: kind.failed_counter}.get(status)
    return {counter: delta} if counter else {}


def request(kind: Declared, item: Mapping[str, Any], *, delivery_id: str, due: str) -> Requested:
    """`item` asking for a delivery of `kind`, due at `due` (an ISO time):
    written in the same transaction as the record that causes it, with the
    counters it moves."""
    fields = kind.fields
    return Requested(
        {**item, fields.status: PENDING, fields.attempts: 0, fields.next_at: due,
         **keys.pending_delivery(kind.pending_partition, due, delivery_id)},
        counter_moves(kind, PENDING, 1))


def discard(kind: Declared, table: str, key: Mapping[str, Any],
            status: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The transaction part deleting a delivery of `kind` read in `status`
    (the write fails if it moved on meanwhile), and the counters that moves."""
    return ({"Delete": delete(table, key, condition=attr(kind.fields.status).eq(status))},
            counter_moves(kind, status, -1))
