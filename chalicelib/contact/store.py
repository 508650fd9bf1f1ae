"""MessageStore: contact messages in the single table.

- Create: one transaction puts the message (notification pending, due now),
  adds to the messagesNew and notificationsPending counters, and, with an
  Idempotency-Key, remembers the answer (chalicelib/idempotency.py).
- List: one GSI1 page of a status's partition, newest first (chalicelib/db/listing.py).
- Status change and delete: conditional on the state just read, with the
  counters moved in the same transaction; a concurrent change means read again.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from chalicelib.contact.model import NOTIFY_FAILED, NOTIFY_PENDING, Message, Notification
from chalicelib.db import keys
from chalicelib.db.clock import iso, utc_now
from chalicelib.db.counters import counter_update
from chalicelib.db.items import to_item, to_value
from chalicelib.db.listing import newest_first
from chalicelib.db.rate_limit import Charge
from chalicelib.db.reads import get_item
from chalicelib.db.table import GSI1_PK
from chalicelib.db.transactions import ConditionFailed, transact_write
from chalicelib.domain_errors import DependencyUnavailable, KeyInUse, RecordNotFound
from chalicelib.idempotency import IdempotentRequest
from chalicelib.ids import is_ulid, new_id

STATUS_COUNTER = {"new": "messagesNew", "read": "messagesRead", "replied": "messagesReplied",
                  "archived": "messagesArchived"}
NOTIFY_COUNTER = {NOTIFY_PENDING: "notificationsPending", NOTIFY_FAILED: "notificationsFailed"}


class CompanionDelivery(Protocol):
    """A delivery kind stored beside each new message (the chat post)."""
    pending_counter: str | None

    def new_delivery(self, message: Message) -> dict[str, Any]: ...


class MessageStore:
    def __init__(self, client: Any, table_name: str, *,
                 clock: Callable[[], datetime] = utc_now, ids: Callable[[], str] = new_id,
                 companions: Sequence[CompanionDelivery] = ()) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock
        self._ids = ids
        self._companions = tuple(companions)

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
        counted = {"messagesNew": 1, "notificationsPending": 1}
        items = [
            {"Put": {"TableName": self._table, "Item": to_item(message.to_item()),
                     "ConditionExpression": "attribute_not_exists(#pk)",
                     "ExpressionAttributeNames": {"#pk": "pk"}}},
        ]
        for companion in self._companions:  # its own delivery, stored with the message
            items.append({"Put": {"TableName": self._table,
                                  "Item": to_item(companion.new_delivery(message))}})
            if companion.pending_counter:
                counted[companion.pending_counter] = 1
        items.insert(1, counter_update(self._table, **counted))
        remembered: int | None = None
        charged: int | None = None
        if request is not None:
            remembered = len(items)
            items.append(request.record_put(self._table, response, int(moment.timestamp())))
        if charge is not None:
            charged = len(items)
            items.append(charge.update)
        try:
            transact_write(self._client, items)
        except ConditionFailed as exc:
            if exc.failed(remembered):
                raise KeyInUse() from exc
            if charge is not None and exc.failed(charged):
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
                transact_write(self._client, [
                    {"Update": {
                        "TableName": self._table, "Key": to_item(keys.message(message_id)),
                        "UpdateExpression": "SET #status = :new, #updatedAt = :now, "
                                            "#gsi1pk = :listing",
                        "ConditionExpression": "#status = :old",
                        "ExpressionAttributeNames": {"#status": "status", "#updatedAt": "updatedAt",
                                                     "#gsi1pk": GSI1_PK},
                        "ExpressionAttributeValues": {
                            ":new": to_value(status), ":old": to_value(current.status),
                            ":now": to_value(updated.updated_at),
                            ":listing": to_value(keys.message_list(status))}}},
                    counter_update(self._table, **{STATUS_COUNTER[current.status]: -1,
                                                   STATUS_COUNTER[status]: 1}),
                ])
                return updated
            except ConditionFailed:
                continue  # changed (or deleted) since we read it
        raise DependencyUnavailable("The message kept changing. Try again.")

    def delete(self, message_id: str, attached: Sequence[dict[str, Any]] = (),
               counter_deltas: dict[str, int] | None = None) -> None:
        """Delete the message, and in the same transaction the `attached`
        TransactWriteItems entries (its settled replies, its chat post) with
        their `counter_deltas`."""
        for _ in range(3):
            current = self.get(message_id)
            notify = current.notification.status
            deltas = {STATUS_COUNTER[current.status]: -1, **(counter_deltas or {})}
            if notify in NOTIFY_COUNTER:
                deltas[NOTIFY_COUNTER[notify]] = -1
            try:
                transact_write(self._client, [
                    {"Delete": {
                        "TableName": self._table, "Key": to_item(keys.message(message_id)),
                        "ConditionExpression": "#status = :status AND #notify = :notify",
                        "ExpressionAttributeNames": {"#status": "status", "#notify": "notifyStatus"},
                        "ExpressionAttributeValues": {":status": to_value(current.status),
                                                      ":notify": to_value(notify)}}},
                    counter_update(self._table, **deltas),
                    *attached,
                ])
                return
            except ConditionFailed:
                continue
        raise DependencyUnavailable("The message kept changing. Try again.")
