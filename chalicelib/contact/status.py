"""A message's status change as transaction parts, built from the state read:
the one place that says what a change writes, so one change (PATCH) and many
(the bulk actions) write the same.

- Every change moves the message between its status's lists (GSI1, and its
  form's on GSI2) and its counters, on condition that its status is still
  the one read.
- To `spam` (an admin's hand): `spamReason` ["manual"], and every item of
  the message (MSG#<id>: the message, its deliveries, its replies) gets the
  spam expiry (chalicelib/core/retention.py). Deliveries already requested
  stay as they are: a mail already sent is not unsent.
- From `spam`: `spamReason` goes, every item gets the ordinary expiry back,
  and each delivery the message held back when it came as spam (its owner
  mail, its chat post: summarised `skipped`, reason `spam`) is requested now,
  through the outbox, in the same transaction. Its summary is then pending,
  never held again, so marking and clearing again never sends it twice; the
  delivery's put is also conditional on its absence. The autoresponse a spam
  post skipped is never sent.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from chalicelib.contact.model import HELD, SPAM, Message
from chalicelib.core.retention import Retention
from chalicelib.db import keys
from chalicelib.db.expressions import Condition, attr, update
from chalicelib.db.table import GSI1_PK, GSI2_PK, PK, SK, TTL_ATTRIBUTE
from chalicelib.db.transactions import ConditionFailed
from chalicelib.outbox.kind import Declared
from chalicelib.outbox.kinds import NOTIFICATION, Requested, state_of

STATUS_COUNTER = {"new": "messagesNew", "read": "messagesRead", "replied": "messagesReplied",
                  "archived": "messagesArchived", "spam": "messagesSpam"}
MANUAL = "manual"  # the reason of a message an admin marked spam


class CompanionDelivery(Protocol):
    """A delivery kind requested by each new message besides the owner's mail
    (the chat post)."""

    def new_delivery(self, message: Message) -> Requested: ...


def listed_as(message: Message, status: str) -> tuple[dict[str, str], Condition]:
    """What moves `message` to `status`'s lists (GSI1's, its form's on GSI2,
    its sender's on GSI3), and the condition that keeps it from taking GSI2
    from a delivery stored in the shape before deliveries had items of their
    own (a pending owner mail's NOTIFY#pending, until the deploy's upgrade
    rewrites it)."""
    listing = {GSI1_PK: keys.message_list(status),
               **keys.form_message_listing(message.form_id, status, message.id),
               **message.sender_listing(status)}
    gsi2 = attr(GSI2_PK)
    return listing, gsi2.not_exists() | gsi2.begins_with(keys.FORM_MESSAGES_PREFIX)


def is_held(kind: Declared, item: Mapping[str, Any]) -> bool:
    return state_of(kind, item) == HELD


@dataclass(frozen=True)
class StatusChanged:
    """One message's change: its transaction parts (named after the message,
    so several messages' parts fit one transaction), its counter deltas (to
    add into the transaction's one counters part), and the message as it
    will read."""
    message_id: str
    parts: dict[str, dict[str, Any]]
    counters: dict[str, int]
    message: Message
    previous_status: str

    def failed(self, failure: ConditionFailed) -> bool:
        """Whether `failure` is this message's (changed or deleted since it was read)."""
        return any(failure.failed(name) for name in self.parts)


def status_change(table: str, item: Mapping[str, Any], children: Sequence[Mapping[str, str]],
                  requested: str, now: str, *, retention: Retention,
                  companions: Sequence[CompanionDelivery] = ()) -> StatusChanged | None:
    """The change of the message `item` (as read) to the status `requested`
    gives it (Message.status_after: `replied` is never lost); `children` are
    the keys of the other items of its partition. None: it has that status."""
    current = Message.from_item(dict(item))
    status = current.status_after(requested)
    if current.status == status:
        return None
    name = f"{current.id} "
    listing, ours = listed_as(current, status)
    changes: dict[str, Any] = {"status": status, "updatedAt": now, **listing}
    removed: list[str] = []
    parts: dict[str, dict[str, Any]] = {}
    counters = Counter({STATUS_COUNTER[current.status]: -1, STATUS_COUNTER[status]: 1})
    updated = replace(current, status=status, updated_at=now)
    if status == SPAM:
        updated = replace(updated, spam_reason=(MANUAL,), spam_at=now)
        changes.update({"spamReason": [MANUAL], "spamAt": now})
    elif current.status == SPAM:
        updated = replace(updated, spam_reason=(), spam_at=None)
        removed += ["spamReason", "spamAt"]
    expiry = retention.expires_at(created_at=current.created_at, spam_since=updated.spam_at,
                                  form_days=current.retention_days)
    written: set[str] = set()  # sort keys put below (a child read later may be one)
    if current.status == SPAM:
        for delivery in _released(item, updated, companions, now):
            if expiry is not None:
                delivery = replace(delivery, delivery={**delivery.delivery,
                                                         TTL_ATTRIBUTE: expiry})
            written.add(str(delivery.delivery[SK]))
            summary = delivery.kind.summary
            assert summary is not None  # noqa: S101 (only a summarised kind is held)
            changes.update({k: v for k, v in delivery.summary.items() if v is not None})
            removed.append(summary.reason)
            parts[f"{name}{delivery.kind.name} delivery"] = delivery.put(table)
            counters.update(delivery.counters)
            if delivery.kind is NOTIFICATION:
                updated = replace(updated, notification=summary.read(delivery.summary) or HELD)
    if status == SPAM or current.status == SPAM:
        for key in children:
            if key[SK] in written:
                continue
            parts[f"{name}{key[SK]}"] = {"Update": update(
                table, {PK: key[PK], SK: key[SK]}, **_expiry(expiry),
                condition=attr(PK).exists())}
        if expiry is None:
            removed.append(TTL_ATTRIBUTE)
        else:
            changes[TTL_ATTRIBUTE] = expiry
    parts[f"{name}message"] = {"Update": update(
        table, keys.message(current.id), set=changes, remove=removed,
        condition=attr("status").eq(current.status) & ours)}
    return StatusChanged(current.id, parts, dict(counters), updated, current.status)


def _expiry(expiry: int | None) -> dict[str, Any]:
    return {"remove": [TTL_ATTRIBUTE]} if expiry is None else {"set": {TTL_ATTRIBUTE: expiry}}


def _released(item: Mapping[str, Any], message: Message,
              companions: Sequence[CompanionDelivery], now: str) -> list[Requested]:
    """The deliveries `item` held back as spam, requested now."""
    released = [message.requested(due=now)] if is_held(NOTIFICATION, item) else []
    for companion in companions:
        requested = companion.new_delivery(message)
        if is_held(requested.kind, item):
            released.append(requested)
    return released
