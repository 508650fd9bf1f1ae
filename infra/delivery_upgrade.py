"""Deliveries stored in the shape before each had an item of its own, rewritten
into it: the upgrade `make deploy` runs (infra/deploy.py) once the new
functions are live, with the deploying operator's credentials. Nothing else
reads the old shape, and no function runs this (its Scan is no grant of
theirs): it lives in infra/, outside the functions' package.

The old shape (Frontdesk before 2026-12-07):
- the owner's mail: `notify*` attributes on the message item, a pending one
  in GSI2 partition NOTIFY#pending;
- a reply's mail: `delivery*` attributes on the reply item, REPLY#pending;
- a chat post: a companion item MSG#<id>/CHAT holding a copy of the message
  and `chat*` attributes, CHAT#pending.
An attempt in progress held `<prefix>Claim` and `<prefix>ClaimUntil`.

The new shape keeps those status attributes on the message and the reply as
the kind's summary (chalicelib/outbox/kind.py), under the same names, so a
settled owner mail or reply needs no rewrite. What is rewritten:
1. every pending delivery in the three old partitions gets its delivery item
   (pending, due when it was, its attempts and last error kept), and leaves
   the old partition, in one transaction conditional on it being still
   pending and unclaimed. A claim an old function still holds is waited out:
   that function may yet settle it, in the old shape;
2. every chat companion item becomes the chat summary on its message, its
   delivery item (in whatever state it is) and is deleted, in one transaction
   conditional on the item as read. They are found by a Scan (settled ones
   are in no index): a backfill (infra/backfill.py), resumable, and run no
   more once done.
Counters are not moved: a pending delivery counts as pending in either shape.
Each run does step 1 again (three Queries of partitions that are empty once
upgraded), so a delivery an old function still wrote while the deploy ran is
rewritten by the next deploy at the latest, and sent once then.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.db import keys
from chalicelib.db.clock import iso, utc_now
from chalicelib.db.counters import counter_update
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import Condition, attr, delete, put, update
from chalicelib.db.items import to_value
from chalicelib.db.reads import get_item
from chalicelib.db.table import GSI2, GSI2_PK, GSI2_SK, PK, SK
from chalicelib.db.transactions import ConditionFailed, transact_write
from chalicelib.forms.builtin import CONTACT_ID
from chalicelib.outbox.kind import (
    ATTEMPTS,
    CREATED_AT,
    DELIVERY_TYPE,
    ID,
    KIND,
    LAST_ERROR,
    NEXT_AT,
    PAYLOAD,
    PENDING,
    RECORD,
    SENT_AT,
    STATUS,
    Declared,
    DeliveryState,
)
from chalicelib.outbox.kinds import CHAT, NOTIFICATION, REPLY, counter_moves, summary_of
from infra.backfill import Backfill, Report, run_backfill

MARKER = "deliveries"
# Never wait longer than this for old functions' claims (they last 120 s as deployed).
MAX_CLAIM_WAIT_SECONDS = 600
_MAX_PASSES = 20


@dataclass(frozen=True)
class OldShape:
    kind: Declared
    partition: str  # its GSI2 partition of pending deliveries
    prefix: str  # of its status attributes
    payload: tuple[str, ...]  # the item's attributes its sender reads

    def name(self, field: str) -> str:
        return f"{self.prefix}{field}"


OLD_SHAPES = (
    OldShape(NOTIFICATION, keys.LEGACY_PENDING_NOTIFICATIONS, "notify",
             ("id", "name", "email", "subject", "message", "createdAt")),
    OldShape(REPLY, keys.LEGACY_PENDING_REPLIES, "delivery",
             ("id", "messageId", "body", "createdAt", "to", "toName", "subject", "quoted",
              "quotedAt")),
    OldShape(CHAT, keys.LEGACY_PENDING_CHAT, "chat",
             ("id", "format", "name", "email", "subject", "message", "createdAt")),
)
_CHAT = OLD_SHAPES[2]


@dataclass
class Upgraded:
    pending: int = 0  # pending deliveries rewritten
    chat: int = 0  # chat companion items rewritten (pending ones included)
    waited: int = 0  # claims of old functions waited out

    def summary(self) -> str:
        return (f"{self.pending} pending deliveries and {self.chat} chat posts rewritten "
                f"into delivery items" + (f" ({self.waited} claims waited out)"
                                          if self.waited else ""))


class Upgrade:
    def __init__(self, dynamodb: Any, table: str, *,
                 clock: Callable[[], datetime] = utc_now,
                 sleep: Callable[[float], None] = time.sleep,
                 max_claim_wait: float = MAX_CLAIM_WAIT_SECONDS,
                 report: Report | None = None) -> None:
        self._dynamodb = dynamodb
        self._table = table
        self._clock = clock
        self._sleep = sleep
        self._max_claim_wait = max_claim_wait
        self._report = report

    def run(self) -> Upgraded:
        done = Upgraded()
        self._pending(done)
        run_backfill(self._dynamodb, self._table, self.chat_backfill(done), report=self._report)
        return done

    # -- step 1: pending deliveries, from the old partitions ---------------------

    def _pending(self, done: Upgraded) -> None:
        waited_until = self._clock() + timedelta(seconds=self._max_claim_wait)
        for _ in range(_MAX_PASSES):
            claimed_until: list[str] = []
            again = False
            for shape in OLD_SHAPES:
                for key in self._old_partition(shape.partition):
                    item = get_item(self._dynamodb, self._table, key)
                    if item is None or item.get(GSI2_PK) != shape.partition:
                        continue  # settled or deleted since
                    held = self._held_until(shape, item)
                    if held is not None:
                        claimed_until.append(held)
                        continue
                    if self._rewrite(shape, item):
                        done.pending += 1
                        done.chat += shape is _CHAT
                    else:  # it moved on as we wrote: read it again
                        again = True
            if not claimed_until:
                if again:
                    continue
                return
            wake = datetime.fromisoformat(max(claimed_until).replace("Z", "+00:00"))
            if wake > waited_until:
                raise TimeoutError("deliveries claimed by the functions before the upgrade "
                                   "stayed claimed; run `make deploy` again")
            done.waited += len(claimed_until)
            self._sleep(max((wake - self._clock()).total_seconds(), 0) + 1)
        raise RuntimeError("pending deliveries kept changing while they were rewritten; "
                           "run `make deploy` again")

    def _old_partition(self, partition: str) -> list[dict[str, str]]:
        query: dict[str, Any] = {
            "TableName": self._table, "IndexName": GSI2,
            "KeyConditionExpression": "#pk = :pk", "ProjectionExpression": "#h, #r",
            "ExpressionAttributeNames": {"#pk": GSI2_PK, "#h": PK, "#r": SK},
            "ExpressionAttributeValues": {":pk": to_value(partition)}}
        found = []
        while True:
            with aws_unavailable_mapped():
                page = self._dynamodb.query(**query)
            found += [{PK: item[PK]["S"], SK: item[SK]["S"]} for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return found
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _held_until(self, shape: OldShape, item: dict[str, Any]) -> str | None:
        until = item.get(shape.name("ClaimUntil"))
        return str(until) if until is not None and str(until) >= iso(self._clock()) else None

    def _unchanged(self, shape: OldShape, item: dict[str, Any]) -> Condition:
        claim_until = attr(shape.name("ClaimUntil"))
        return attr(shape.name("Status")).eq(item[shape.name("Status")]) \
            & (claim_until.not_exists() | claim_until.lt(iso(self._clock())))

    def _rewrite(self, shape: OldShape, item: dict[str, Any]) -> bool:
        if shape is _CHAT:
            return self._rewrite_chat(item)
        record = {PK: item[PK], SK: item[SK]}
        sub_id = str(item["id"]) if shape.kind is REPLY else None
        removed = [shape.name("Claim"), shape.name("ClaimUntil")]
        listing: dict[str, str] = {}
        unchanged = self._unchanged(shape, item)
        if shape.kind is NOTIFICATION:
            # GSI2 passes from the mail to the message's list by form, on the
            # status read (infra/index_upgrades.py lists the others).
            listing = keys.form_message_listing(str(item.get("formId", CONTACT_ID)),
                                                str(item["status"]), str(item["id"]))
            unchanged = unchanged & attr("status").eq(item["status"])
        else:
            removed += [GSI2_PK, GSI2_SK]
        parts = {
            "delivery": {"Put": put(self._table, self._delivery(shape, item, record, sub_id),
                                    condition=attr(PK).not_exists())},
            "old": {"Update": update(self._table, record, set=listing or None, remove=removed,
                                     condition=unchanged)}}
        return self._write(parts)

    def _delivery(self, shape: OldShape, item: dict[str, Any], record: dict[str, str],
                  sub_id: str | None) -> dict[str, Any]:
        status = str(item[shape.name("Status")])
        next_at = item.get(shape.name("NextAt")) or item.get("createdAt") or iso(self._clock())
        delivery = {
            **keys.delivery(record, shape.kind.name, sub_id), "type": DELIVERY_TYPE,
            KIND: shape.kind.name, ID: str(item["id"]), RECORD: record[SK], STATUS: status,
            ATTEMPTS: int(item.get(shape.name("Attempts"), 0)),
            LAST_ERROR: item.get(shape.name("LastError")),
            SENT_AT: item.get(shape.name("SentAt")),
            CREATED_AT: item.get("createdAt") or next_at,
            PAYLOAD: {name: item[name] for name in shape.payload if item.get(name) is not None}}
        if status == PENDING:
            delivery.update({NEXT_AT: next_at, **keys.pending_delivery(
                shape.kind.due_partition, str(next_at), str(item["id"]))})
        return delivery

    def _write(self, parts: dict[str, dict[str, Any]]) -> bool:
        """Whether it was written; False when the item moved on meanwhile (an
        old function settled it, or the dashboard deleted it): read again."""
        try:
            transact_write(self._dynamodb, parts)
        except ConditionFailed:
            return False
        return True

    # -- step 2: chat companion items, by a backfill (a resumable Scan) ---------

    def chat_backfill(self, done: Upgraded) -> Backfill:
        def rewrite(item: dict[str, Any]) -> str:
            held = self._held_until(_CHAT, item)
            while held is not None:  # an old function is posting it: let it finish
                done.waited += 1
                self._sleep(max((datetime.fromisoformat(held.replace("Z", "+00:00"))
                                 - self._clock()).total_seconds(), 0) + 1)
                item = get_item(self._dynamodb, self._table, {PK: item[PK], SK: item[SK]}) or {}
                held = self._held_until(_CHAT, item) if item else None
            if item and self._rewrite_chat(item):
                done.chat += 1
                return "rewritten"
            return "gone"
        return Backfill(MARKER, attr(SK).eq(keys.legacy_chat_delivery("x")[SK]), rewrite)

    def _rewrite_chat(self, item: dict[str, Any]) -> bool:
        message = keys.message(str(item["id"]))
        status = str(item[_CHAT.name("Status")])
        parts: dict[str, dict[str, Any]] = {
            "old": {"Delete": delete(self._table, {PK: item[PK], SK: item[SK]},
                                     condition=self._unchanged(_CHAT, item))}}
        if get_item(self._dynamodb, self._table, message) is None:
            # Its message was deleted, the post not with it: nothing to show it on.
            moved = counter_moves(CHAT, status, -1)
            if moved:
                parts["counters"] = counter_update(self._table, **moved)
            return self._write(parts)
        delivery = self._delivery(_CHAT, item, message, None)
        state = DeliveryState(status, delivery[ATTEMPTS], next_attempt_at=delivery.get(NEXT_AT),
                              last_error=delivery[LAST_ERROR], sent_at=delivery[SENT_AT])
        summary = summary_of(CHAT, state)
        parts["delivery"] = {"Put": put(self._table, delivery, condition=attr(PK).not_exists())}
        parts["summary"] = {"Update": update(
            self._table, message,
            set={name: value for name, value in summary.items() if value is not None},
            condition=attr(PK).exists())}
        return self._write(parts)
