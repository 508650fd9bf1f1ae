"""Every kind of delivery, declared once, and the one way in and out of the outbox.

A declaration names the kind (its delivery items' `kind`, their sort key
DELIVERY#<name>[#<sub-id>] and their GSI2 partition DUE#<name>), the counters
it moves, its metrics, the summary it keeps on the record that causes it, and
what becomes of it when its message is deleted. Adding a kind is one more
declaration here, a DeliveryKind that sends it, and a `request(...)` in the
write that causes it; nothing else names its attributes:

- `request(kind, record, ...)` is how any delivery enters the outbox: its
  item, pending and due, the summary to add to the record, and the counters
  to move, all written in the transaction that writes the record;
- `discard(kind, ...)` is how one leaves with its record: the transaction
  part deleting it, the condition the record's delete must add (the delivery
  still in the state it was read in) and its counters;
- `state_of(kind, record)` is what the record's summary says of it;
- `skipped(kind, reason)` is the summary of one decided against when the
  record was written: no item, nothing to send, discard or count.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.db import keys
from chalicelib.db.expressions import Condition, attr, delete, put
from chalicelib.db.table import PK, SK, TTL_ATTRIBUTE
from chalicelib.outbox.kind import (
    ATTEMPTS,
    CREATED_AT,
    DELIVERY_TYPE,
    FAILED,
    ID,
    KIND,
    NEXT_AT,
    PAYLOAD,
    PENDING,
    RECORD,
    SKIPPED,
    STATUS,
    Declared,
    DeliveryState,
)
from chalicelib.platform.metrics import (
    AUTORESPONSES_FAILED,
    AUTORESPONSES_SENT,
    CHAT_FAILED,
    CHAT_SENT,
    NOTIFICATIONS_FAILED,
    NOTIFICATIONS_SENT,
    OLDEST_PENDING_NOTIFICATION_AGE,
    REPLIES_FAILED,
    REPLIES_SENT,
)

# The site owner's email of each contact message; summarised on the message.
NOTIFICATION = Declared("notification", NOTIFICATIONS_SENT, NOTIFICATIONS_FAILED,
                        pending_counter="notificationsPending",
                        failed_counter="notificationsFailed",
                        age_metric=OLDEST_PENDING_NOTIFICATION_AGE, summary_prefix="notify")
# An admin's reply, mailed to the visitor; summarised on the reply. One that is
# pending when its message is deleted is still sent.
REPLY = Declared("reply", REPLIES_SENT, REPLIES_FAILED, summary_prefix="delivery",
                 outlives_message=True)
# Each contact message posted to a chat webhook; summarised on the message.
CHAT = Declared("chat", CHAT_SENT, CHAT_FAILED, pending_counter="chatPending",
                failed_counter="chatFailed", summary_prefix="chat")
# The mail a form may send the visitor who posted it (chalicelib/autoresponder);
# summarised on the message, deleted with it while pending, not counted.
AUTORESPONSE = Declared("autoresponse", AUTORESPONSES_SENT, AUTORESPONSES_FAILED,
                        summary_prefix="autoresponse")
KINDS = (NOTIFICATION, REPLY, CHAT, AUTORESPONSE)


@dataclass(frozen=True)
class Requested:
    kind: Declared
    delivery: dict[str, Any]  # its item, pending and due
    summary: dict[str, Any]  # to add to the record that causes it
    counters: dict[str, int]  # to move in the transaction that writes both

    def put(self, table: str, *, expires_at: int | None = None) -> dict[str, Any]:
        """The transaction part writing the delivery (never over another),
        expiring with its record at `expires_at` (epoch seconds; None: never)."""
        item = self.delivery if expires_at is None else {**self.delivery,
                                                         TTL_ATTRIBUTE: expires_at}
        return {"Put": put(table, item, condition=attr(PK).not_exists())}


def counter_moves(kind: Declared, status: str, delta: int) -> dict[str, int]:
    counter = {PENDING: kind.pending_counter, FAILED: kind.failed_counter}.get(status)
    return {counter: delta} if counter else {}


def request(kind: Declared, record: Mapping[str, Any], *, delivery_id: str, due: str,
            payload: Mapping[str, Any], sub_id: str | None = None) -> Requested:
    """A delivery of `kind` caused by `record` (its keys are enough), due at
    `due` (an ISO time), carrying `payload` for its sender."""
    key = keys.delivery({PK: record[PK], SK: record[SK]}, kind.name, sub_id)
    item = {**key, "type": DELIVERY_TYPE, KIND: kind.name, ID: delivery_id,
            RECORD: record[SK], STATUS: PENDING, ATTEMPTS: 0, NEXT_AT: due, CREATED_AT: due,
            PAYLOAD: {name: value for name, value in payload.items() if value is not None},
            **keys.pending_delivery(kind.due_partition, due, delivery_id)}
    summary = kind.summary
    return Requested(
        kind, item, summary.attributes(DeliveryState(PENDING, 0, next_attempt_at=due)) if summary
        else {}, counter_moves(kind, PENDING, 1))


def state_of(kind: Declared, record: Mapping[str, Any]) -> DeliveryState | None:
    """The kind's delivery as summarised on `record`; None if it has none."""
    summary = kind.summary
    return summary.read(dict(record)) if summary else None


def skipped(kind: Declared, reason: str) -> dict[str, Any]:
    """The record's summary of a delivery of `kind` decided against as the
    record was written, with why (the kind must keep a summary)."""
    summary = kind.summary
    if summary is None:
        raise ValueError(f"{kind.name} keeps no summary to say it was skipped")
    return summary.attributes(DeliveryState(SKIPPED, 0, reason=reason))


def summary_of(kind: Declared, state: DeliveryState) -> dict[str, Any]:
    """The record's attributes summarising `state` (for a record written whole)."""
    summary = kind.summary
    return summary.attributes(state) if summary else {}


@dataclass(frozen=True)
class Discarded:
    part: dict[str, Any]  # deletes the delivery item
    record_condition: Condition | None  # for the record's delete: its summary as read
    counters: dict[str, int]


def discard(kind: Declared, table: str, record: Mapping[str, Any], status: str,
            sub_id: str | None = None) -> Discarded:
    """Deleting the delivery of `kind` that `record` caused, read in `status`,
    with the record. The record's delete must carry `record_condition` (the
    summary, which every settle moves with the delivery, still says `status`),
    so that the write fails if the delivery moved on meanwhile."""
    key = keys.delivery({PK: record[PK], SK: record[SK]}, kind.name, sub_id)
    summary = kind.summary
    if summary is None:  # then the delivery's own status is the condition
        return Discarded({"Delete": delete(table, key, condition=attr(STATUS).eq(status))},
                         None, counter_moves(kind, status, -1))
    # A record written before deliveries had items of their own has the
    # summary only (infra/delivery_upgrade.py): deleting no item is no error.
    return Discarded({"Delete": delete(table, key)}, attr(summary.status).eq(status),
                     counter_moves(kind, status, -1))


@dataclass(frozen=True)
class Discards:
    """Every delivery summarised on one record, discarded with it."""
    parts: dict[str, dict[str, Any]]  # by name: "<kind> delivery"
    record_condition: Condition | None
    counters: dict[str, int]


def discard_all(table: str, record: Mapping[str, Any], *, sub_id: str | None = None,
                keep_pending: bool = False) -> Discards:
    """Each delivery `record` summarises, deleted with it. With `keep_pending`,
    a pending one of a kind that outlives its message is left to be sent (the
    record must then stay too: see `kept`)."""
    parts: dict[str, dict[str, Any]] = {}
    condition: Condition | None = None
    counters: dict[str, int] = {}
    for kind in KINDS:
        state = state_of(kind, record)
        if state is None or state.status == SKIPPED:  # a skipped one has no item
            continue
        if keep_pending and kind.outlives_message and state.status == PENDING:
            continue
        discarded = discard(kind, table, record, state.status, sub_id)
        parts[f"{kind.name} delivery"] = discarded.part
        if discarded.record_condition is not None:
            condition = discarded.record_condition if condition is None \
                else condition & discarded.record_condition
        for name, delta in discarded.counters.items():
            counters[name] = counters.get(name, 0) + delta
    return Discards(parts, condition, counters)


def kept(record: Mapping[str, Any]) -> bool:
    """Whether `record` stays when its message is deleted: it summarises a
    pending delivery that is still sent (then removed with the record)."""
    return any(kind.outlives_message and (state := state_of(kind, record)) is not None
               and state.status == PENDING for kind in KINDS)
