"""MessageStore: contact messages in the single table.

- Create: one transaction puts the message (notification pending, due now),
  adds to the messagesNew and notificationsPending counters, and, with an
  Idempotency-Key, remembers the answer (chalicelib/core/idempotency.py).
- List: one GSI1 page of a status's partition, newest first (chalicelib/db/listing.py).
- Status change and delete: conditional on the state just read, with the
  counters moved in the same transaction; a concurrent change means read again.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from chalicelib.contact.model import NOTIFY_PENDING, Message, Notification
from chalicelib.core.domain_errors import DependencyUnavailable, KeyInUse, RecordNotFound
from chalicelib.core.idempotency import IdempotentRequest
from chalicelib.db import keys
from chalicelib.db.clock import iso, utc_now
from chalicelib.db.counters import counter_update
from chalicelib.db.expressions import attr, delete, put, update
from chalicelib.db.listing import newest_first
from chalicelib.db.rate_limit import Charge
from chalicelib.db.reads import get_item
from chalicelib.db.table import GSI1_PK, PK
from chalicelib.db.transactions import ConditionFailed, PartOrder, Parts, as_written, transact_write
from chalicelib.outbox.kinds import NOTIFICATION, Requested, counter_moves
from chalicelib.platform.ids import is_ulid, new_id

STATUS_COUNTER = {"new": "messagesNew", "read": "messagesRead", "replied": "messagesReplied",
                  "archived": "messagesArchived"}


class CompanionDelivery(Protocol):
    """A delivery kind stored beside each new message (the chat post)."""
    part: str  # its part's name in the message's transaction

    def new_delivery(self, message: Message) -> Requested: ...


class MessageStore:
    def __init__(self, client: Any, table_name: str, *,
                 clock: Callable[[], datetime] = utc_now, ids: Callable[[], str] = new_id,
                 companions: Sequence[CompanionDelivery] = (),
                 part_order: PartOrder = as_written) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock
        self._ids = ids
        self._companions = tuple(companions)
        self._part_order = part_order

    # -- submissions ---------------------------------------------------------

    def create(self, fields: dict[str, str], request: IdempotentRequest | None,
               charge: Charge | None = None) -> dict[str, Any]:
        """Store a submission and return POST /contact's answer. With `request`,
        remember the answer in the same transaction (KeyInUse if a concurrent
        request with the key got there first); with `charge`, count it against
        its client's rate limit (refused: RateExceeded). Either way, nothing is
        stored unless all of it is."""
        moment = self._clock()
        now = iso(moment)
        message = Message(id=self._ids(), name=fields["name"], email=fields["email"],
                          subject=fields.get("subject"), message=fields["message"], status="new",
                          created_at=now, updated_at=now,
                          notification=Notification(NOTIFY_PENDING, 0, next_attempt_at=now))
        response = {"id": message.id, "status": "received"}
        owner_mail = message.requested()
        parts = {"message": {"Put": put(self._table, owner_mail.item,
                                        condition=attr(PK).not_exists())}}
        counted = Counter({STATUS_COUNTER["new"]: 1, **owner_mail.counters})
        for companion in self._companions:  # its own delivery, stored with the message
            delivery = companion.new_delivery(message)
            parts[companion.part] = {"Put": put(self._table, delivery.item)}
            counted.update(delivery.counters)
        parts["counters"] = counter_update(self._table, **counted)
        if request is not None:
            parts["idempotency"] = request.record_put(self._table, response,
                                                      int(moment.timestamp()))
        if charge is not None:
            parts["rateLimit"] = charge.update
        try:
            transact_write(self._client, parts, order=self._part_order)
        except ConditionFailed as exc:
            if exc.failed("idempotency"):
                raise KeyInUse() from exc
            if charge is not None and exc.failed("rateLimit"):
                raise charge.refused() from exc
            raise
        return response

    # -- the dashboard -------------------------------------------------------

    def get(self, message_id: str) -> Message:
        if not is_ulid(message_id):
            raise RecordNotFound("No message has this id.")
        item = get_item(self._client, self._table, keys.message(message_id))
        if item is None:
            raise RecordNotFound("No message has this id.")
        return Message.from_item(item)

    def list(self, *, status: str, limit: int,
             cursor: str | None = None) -> tuple[list[Message], str | None]:
        items, next_cursor = newest_first(self._client, self._table,
                                          partition=keys.message_list(status),
                                          limit=limit, cursor=cursor)
        return [Message.from_item(item) for item in items], next_cursor

    def set_status(self, message_id: str, status: str) -> Message:
        for _ in range(3):
            current = self.get(message_id)
            if current.status == status:
                return current
            updated = current.with_status(status, iso(self._clock()))
            try:
                transact_write(self._client, {
                    "message": {"Update": update(
                        self._table, keys.message(message_id),
                        set={"status": status, "updatedAt": updated.updated_at,
                             GSI1_PK: keys.message_list(status)},
                        condition=attr("status").eq(current.status))},
                    "counters": counter_update(self._table, **{STATUS_COUNTER[current.status]: -1,
                                                               STATUS_COUNTER[status]: 1}),
                }, order=self._part_order)
                return updated
            except ConditionFailed:
                continue  # changed (or deleted) since we read it
        raise DependencyUnavailable("The message kept changing. Try again.")

    def delete(self, message_id: str, attached: Parts | None = None,
               counter_deltas: dict[str, int] | None = None) -> None:
        """Delete the message, and in the same transaction the `attached`
        parts (its settled replies, its chat post) with their `counter_deltas`."""
        for _ in range(3):
            current = self.get(message_id)
            notify = current.notification.status
            deltas = Counter({STATUS_COUNTER[current.status]: -1})
            deltas.update(counter_moves(NOTIFICATION, notify, -1))
            deltas.update(counter_deltas or {})
            try:
                transact_write(self._client, {
                    **(attached or {}),
                    "message": {"Delete": delete(
                        self._table, keys.message(message_id),
                        condition=attr("status").eq(current.status)
                        & attr("notifyStatus").eq(notify))},
                    "counters": counter_update(self._table, **deltas),
                }, order=self._part_order)
                return
            except ConditionFailed:
                continue
        raise DependencyUnavailable("The message kept changing. Try again.")
