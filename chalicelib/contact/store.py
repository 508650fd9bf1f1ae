"""MessageStore: messages (posts to any form) in the single table.

- Create: one transaction puts the message, its mentions in the person index
  (chalicelib/contact/mentions.py), and the deliveries it asks for
  (the owner's mail, and the chat post on a stage that posts; each pending,
  due now, summarised on the message: chalicelib/outbox/kinds.py `request`),
  moves the counters, and, with an Idempotency-Key, remembers the answer
  (chalicelib/core/idempotency.py). For a form with an autoresponse it
  also requests that, with the one-a-day limit's claim (chalicelib/autoresponder);
  when only the claim is refused, the same transaction is written again with
  the autoresponse skipped.
- List: one GSI1 page of a status's partition, newest first (chalicelib/db/listing.py);
  filtered by form, one GSI2 page of that form's and status's partition; by
  sender, one GSI3 range of the sender's partition per status. Several
  statuses (`status=all`) are merged newest first. A search (words; a form
  within one sender's) examines those lists' messages newest first, at most a
  budget of them per page (chalicelib/contact/search.py).
- Status change (to what Message.status_after makes of the request) and
  delete: conditional on the state just read, with the
  counters moved in the same transaction; a concurrent change means read again.
  A delete takes the message's deliveries (`discard_all`) and mentions with it, and its
  attachments' files (chalicelib/attachments/files.py): every delete of a
  message, one or many, or a person's, is this one.
"""
from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec

from chalicelib.attachments.claims import already_claimed, claim_parts
from chalicelib.attachments.files import AttachmentFiles
from chalicelib.attachments.model import Attachment
from chalicelib.audit.entry import Target
from chalicelib.audit.log import PART as AUDIT_PART
from chalicelib.audit.log import Audited
from chalicelib.autoresponder.decision import Verdict
from chalicelib.autoresponder.plan import plan
from chalicelib.contact.mentions import mention_deletes, mention_puts
from chalicelib.contact.model import (
    ALL_STATUSES,
    HELD,
    NOTIFY_PENDING,
    SPAM,
    Message,
    Notification,
)
from chalicelib.contact.search import SEARCH_BUDGET, Selection
from chalicelib.contact.status import (
    STATUS_COUNTER,
    CompanionDelivery,
    StatusChanged,
    status_change,
)
from chalicelib.core.domain_errors import (
    DependencyUnavailable,
    InvalidFields,
    KeyInUse,
    RecordNotFound,
)
from chalicelib.core.idempotency import IdempotentRequest
from chalicelib.core.retention import KEEP_STAGE_DEFAULT, Retention, message_expiry
from chalicelib.db import keys
from chalicelib.db.clock import iso, utc_now
from chalicelib.db.counters import counter_update, form_counter
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import attr, delete, put
from chalicelib.db.items import from_item, to_value
from chalicelib.db.listing import (
    BY_GSI1,
    BY_GSI2,
    BY_GSI3,
    Slice,
    matching_newest_first,
    newest_first_of,
)
from chalicelib.db.rate_limit import Charge
from chalicelib.db.reads import get_item
from chalicelib.db.table import PK, SK
from chalicelib.db.transactions import ConditionFailed, PartOrder, Parts, as_written, transact_write
from chalicelib.forms.builtin import CONTACT_ID, contact_form
from chalicelib.forms.model import Form
from chalicelib.forms.submission import FieldValue
from chalicelib.outbox.kind import Declared
from chalicelib.outbox.kinds import discard_all, summary_of
from chalicelib.platform.ids import is_ulid, new_id
from chalicelib.spam.duplicate import CLAIM_PART as DUPLICATE_PART
from chalicelib.spam.duplicate import REASON as DUPLICATE
from chalicelib.spam.screen import CLEAN, Screening


def form_counted(message: Message, delta: int) -> dict[str, int]:
    """The message's form's counter; the contact form's count is the rest
    (chalicelib/db/counters.py)."""
    return {} if message.form_id == CONTACT_ID else {form_counter(message.form_id): delta}


def held(kind: Declared) -> dict[str, Any]:
    """A spam message's summary of a delivery of `kind` it holds back."""
    return summary_of(kind, HELD)


def counts_of_removed(table: str, item: Mapping[str, Any]) -> Counter[str]:
    """What the counters lose when the message `item` goes, deleted or expired:
    its status, its form's count, and its deliveries' pending or failed (from
    the summaries on it; its replies' mails count nothing)."""
    message = Message.from_item(dict(item))
    counts = Counter({STATUS_COUNTER[message.status]: -1, **form_counted(message, -1)})
    counts.update(discard_all(table, item).counters)
    return counts


def slices_of(selection: Selection) -> list[Slice]:
    """The lists a selection reads: its sender's (GSI3), else its form's
    (GSI2), else every form's (GSI1); one per status."""
    if selection.email is not None:
        partition = keys.sender_messages(selection.email)
        return [Slice(BY_GSI3, partition, keys.sender_status_prefix(status))
                for status in selection.statuses]
    if selection.form_id is not None:
        return [Slice(BY_GSI2, keys.form_message_list(selection.form_id, status))
                for status in selection.statuses]
    return [Slice(BY_GSI1, keys.message_list(status)) for status in selection.statuses]


# A Struct, not a dataclass (chalicelib/http/operations.py says why).
class Found(msgspec.Struct, frozen=True):
    """A page of messages; a search's says how many it examined."""
    messages: list[Message]
    next_cursor: str | None
    searched: int | None = None


class MessageStore:
    def __init__(self, client: Any, table_name: str, *,
                 clock: Callable[[], datetime] = utc_now, ids: Callable[[], str] = new_id,
                 companions: Sequence[CompanionDelivery] = (),
                 part_order: PartOrder = as_written,
                 retention: Retention = KEEP_STAGE_DEFAULT,
                 files: AttachmentFiles | None = None) -> None:
        self._client = client
        self._files = files
        self._table = table_name
        self._clock = clock
        self._ids = ids
        self._companions = tuple(companions)
        self._part_order = part_order
        self._retention = retention

    # -- submissions ---------------------------------------------------------

    def create(self, values: Mapping[str, FieldValue], request: IdempotentRequest | None,
               charge: Charge | None = None, *, form: Form | None = None,
               extra: Mapping[str, str] | None = None, topic: str | None = None,
               deliveries: Sequence[CompanionDelivery] = (),
               verdict: Verdict = Verdict.ACCEPTED,
               screening: Screening = CLEAN,
               attachments: Sequence[Attachment] = ()) -> dict[str, Any]:
        """Store a post to `form` (the built-in contact form if None: `values`
        are then its fields) and return its receipt. The owner's mail, the
        stage's companions' deliveries, the form's own `deliveries` and its
        autoresponse (as the submission's `verdict` allows, and its limit) are
        requested in the same transaction. With `screening` naming a spam
        rule, or its duplicate window's claim held, the message is stored as
        spam: its deliveries held back, no autoresponse, expiring after the
        spam retention. With `request`, remember the answer in it too
        (KeyInUse if a concurrent request with the key got there first); with
        `charge`, count it against its client's rate limit (refused:
        RateExceeded). With `attachments`, claim each of their uploads
        (chalicelib/attachments/claims.py: one claimed already is InvalidFields
        naming its field). Either way, nothing is stored unless all of it is."""
        moment = self._clock()
        now = iso(moment)
        form = form or contact_form()
        message_id = self._ids()
        response = {"id": message_id, "status": "received"}
        companions = (*self._companions, *deliveries)
        reasons = list(screening.reasons)
        duplicate = screening.duplicate
        autoresponse_refused = False
        while True:
            # Spam from when it came, or its ordinary expiry (chalicelib/core/retention.py).
            expires = message_expiry(moment, self._retention,
                                     form_days=form.definition.retention_days,
                                     spam_since=moment if reasons else None)
            message = Message.received(message_id, now, form, values, extra=extra or {},
                                       topic=topic,
                                       notification=Notification(NOTIFY_PENDING, 0,
                                                                 next_attempt_at=now),
                                       spam_reason=tuple(reasons), spam_check=screening.check,
                                       expires_at=expires, attachments=tuple(attachments))
            spam = message.status == SPAM
            item = message.to_item()
            counted = Counter({STATUS_COUNTER[message.status]: 1, **form_counted(message, 1)})
            parts = {}
            if spam:
                for companion in companions:
                    item.update(held(companion.new_delivery(message).kind))
            else:
                for delivery in (message.requested(),
                                 *(c.new_delivery(message) for c in companions)):
                    item.update(delivery.summary)
                    parts[f"{delivery.kind.name} delivery"] = delivery.put(self._table,
                                                                           expires_at=expires)
                    counted.update(delivery.counters)
            autoresponse = plan(self._table, form, values, Verdict.SPAM if spam else verdict,
                                message_id=message.id, received_at=moment, expires_at=expires)
            if autoresponse is not None and autoresponse_refused:
                autoresponse = autoresponse.refused()
            if autoresponse is not None:
                item.update(autoresponse.summary)
                parts.update(autoresponse.parts)
                counted.update(autoresponse.counters)
            if duplicate is not None:
                parts[DUPLICATE_PART] = duplicate.part(self._table, message_id=message.id,
                                                       now=moment,
                                                       taken_over=DUPLICATE in reasons)
            parts["message"] = {"Put": put(self._table, item, condition=attr(PK).not_exists())}
            parts.update(mention_puts(self._table, message))
            parts.update(claim_parts(self._table, attachments, message_id=message.id,
                                     now=int(moment.timestamp())))
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
                claimed = already_claimed(attachments, exc)
                if claimed:
                    raise InvalidFields(claimed) from exc
                again = False
                if duplicate is not None and DUPLICATE not in reasons \
                        and duplicate.refused_by(exc):
                    reasons.append(DUPLICATE)  # stored as spam, the window renewed
                    again = True
                if autoresponse is not None and autoresponse.refused_by(exc):
                    # This address had one lately: store the message all the same.
                    autoresponse_refused = again = True
                if again:
                    continue
                raise
            except DependencyUnavailable:
                if self._stored(message.id):
                    return response
                raise
            return response

    def _stored(self, message_id: str) -> bool:
        """Whether a create that ended unavailable stored its message after all:
        DynamoDB may have applied the transaction and only its answer been lost
        (a read timeout, and botocore's retries, which the token answers as the
        first success, refused or timed out too). Answering "try again" then
        would have the visitor post it twice. False if that cannot be read either."""
        try:
            return get_item(self._client, self._table, keys.message(message_id)) is not None
        except DependencyUnavailable:
            return False

    # -- the dashboard -------------------------------------------------------

    def get(self, message_id: str) -> Message:
        return Message.from_item(self._item(message_id))

    def _item(self, message_id: str) -> dict[str, Any]:
        if not is_ulid(message_id):
            raise RecordNotFound("No message has this id.")
        item = get_item(self._client, self._table, keys.message(message_id))
        if item is None:
            raise RecordNotFound("No message has this id.")
        return item

    def list(self, *, status: str | None, limit: int, cursor: str | None = None,
             form_id: str | None = None) -> tuple[list[Message], str | None]:
        """One page of a status's messages (None: of every status but spam,
        merged newest first), or of one form's of that status."""
        statuses = ALL_STATUSES if status is None else (status,)
        found = self.select(Selection(statuses, form_id), limit=limit, cursor=cursor)
        return found.messages, found.next_cursor

    def select(self, selection: Selection, *, limit: int, cursor: str | None = None,
               budget: int = SEARCH_BUDGET) -> Found:
        """One page of the selection's messages, newest first. A list reads at
        most limit + 1 items per status; a search examines at most `budget`
        messages, and its page says how many (`searched`)."""
        slices = slices_of(selection)
        if not selection.is_search:
            items, next_cursor = newest_first_of(self._client, self._table, slices,
                                                 limit=limit, cursor=cursor)
            return Found([Message.from_item(item) for item in items], next_cursor)
        examined = matching_newest_first(self._client, self._table, slices,
                                         matches=selection.matches, limit=limit,
                                         budget=budget, cursor=cursor)
        return Found([Message.from_item(item) for item in examined.items],
                     examined.next_cursor, examined.examined)

    def status_change(self, message_id: str, requested: str) -> StatusChanged | Message:
        """What moving the message to the status `requested` gives it
        (Message.status_after) writes, as read now (chalicelib/contact/status.py):
        its parts and counter deltas, to write alone (`set_status`) or with
        other messages' in one transaction; or the message itself when it
        already has that status. RecordNotFound for none."""
        item = self._item(message_id)
        spam_involved = SPAM in (requested, item["status"])
        change = status_change(self._table, item,
                               self._children(message_id) if spam_involved else (),
                               requested, iso(self._clock()), retention=self._retention,
                               companions=self._companions)
        return Message.from_item(item) if change is None else change

    def set_status(self, message_id: str, requested: str, audited: Audited | None = None,
                   how: str = "") -> Message:
        """Move the message to the status `requested` gives it (a no-op if it
        has it, recorded nowhere); the message as it now is. With `audited`,
        the change's audit entry (`how` it was asked, in its summary) is in
        its transaction."""
        for _ in range(3):
            change = self.status_change(message_id, requested)
            if isinstance(change, Message):
                return change
            parts = {**change.parts, "counters": counter_update(self._table, **change.counters)}
            if audited is not None:
                parts[AUDIT_PART] = audited.part(
                    "message.update", Target("message", message_id),
                    f"status {change.previous_status} → {change.message.status}{how}")
            try:
                transact_write(self._client, parts, order=self._part_order)
                return change.message
            except ConditionFailed:
                continue  # changed (or deleted) since we read it
        raise DependencyUnavailable("The message kept changing. Try again.")

    def _children(self, message_id: str) -> builtins.list[dict[str, str]]:
        """The keys of every item of the message's partition but the message."""
        query: dict[str, Any] = {
            "TableName": self._table, "ConsistentRead": True, "ProjectionExpression": "#pk, #sk",
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
            "ExpressionAttributeValues": {":pk": to_value(keys.message(message_id)[PK])}}
        found: builtins.list[dict[str, str]] = []
        while True:
            with aws_unavailable_mapped():
                answer = self._client.query(**query)
            found += [{PK: str(key[PK]), SK: str(key[SK])}
                      for key in map(from_item, answer["Items"]) if key[SK] != "MSG"]
            if "LastEvaluatedKey" not in answer:
                return found
            query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def delete(self, message_id: str, attached: Parts | None = None,
               counter_deltas: dict[str, int] | None = None, *,
               audited: Audited | None = None, how: str = "") -> None:
        """Delete the message with its deliveries (the owner's mail, the chat
        post), and in the same transaction the `attached` parts (its replies)
        with their `counter_deltas`, and with `audited` its audit entry. Its
        attachments' files go first: if S3 cannot delete them, the message stays
        (DependencyUnavailable), so the delete can be asked again; a message is
        never gone with its files left."""
        for _ in range(3):
            item = self._item(message_id)
            current = Message.from_item(item)
            if current.attachments and self._files is not None:
                self._files.delete(current.attachments)
            deliveries = discard_all(self._table, item)
            deltas = counts_of_removed(self._table, item)
            deltas.update(counter_deltas or {})
            condition = attr("status").eq(current.status)
            if deliveries.record_condition is not None:
                condition = condition & deliveries.record_condition
            parts = {
                **(attached or {}), **deliveries.parts, **mention_deletes(self._table, current),
                "message": {"Delete": delete(self._table, keys.message(message_id),
                                             condition=condition)},
                "counters": counter_update(self._table, **deltas),
            }
            if audited is not None:
                parts[AUDIT_PART] = audited.part(
                    "message.delete", Target("message", message_id),
                    f"deleted a {current.status} message of form {current.form_id}{how}")
            try:
                transact_write(self._client, parts, order=self._part_order)
                return
            except ConditionFailed:
                continue
        raise DependencyUnavailable("The message kept changing. Try again.")
