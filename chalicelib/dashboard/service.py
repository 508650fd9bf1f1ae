"""The dashboard's operations: the lists and threads of messages, their status,
replies, counts and CSV exports. HTTP-free; chalicelib/api/dashboard.py is
its edge."""
from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.attachments.model import Attachment
from chalicelib.audit.log import Audited
from chalicelib.contact.model import ALL_STATUSES, SPAM, STATUSES, Message
from chalicelib.contact.search import Selection
from chalicelib.contact.status import STATUS_COUNTER
from chalicelib.contact.store import Found, MessageStore
from chalicelib.core.domain_errors import DependencyUnavailable, RecordNotFound
from chalicelib.core.idempotency import IdempotencyStore, IdempotentRequest
from chalicelib.dashboard.bulk import (
    ACTION_STATUS,
    DELETED,
    NOT_SPAM,
    BulkChange,
    Outcome,
    run_each,
)
from chalicelib.dashboard.export import (
    MESSAGE_COLUMNS,
    USER_COLUMNS,
    CsvPage,
    Row,
    csv_page,
    form_columns,
    form_message_cells,
    message_cells,
    user_cells,
)
from chalicelib.dashboard.reply_store import ReplyStore, Thread
from chalicelib.db import keys
from chalicelib.db.counters import FORM_COUNTER_PREFIX
from chalicelib.db.listing import (
    BY_GSI1,
    BY_GSI2,
    Index,
    newest_first_across,
    resume_cursor,
    resume_point,
)
from chalicelib.db.rate_limit import RateLimiter
from chalicelib.forms.builtin import CONTACT_ID, contact_form
from chalicelib.forms.store import FormStore
from chalicelib.platform.ids import first_ulid_at, last_ulid_at
from chalicelib.users.model import User

# Below and above every ULID.
_LOWEST, _HIGHEST = "0", "~"
_EXPORT = "export"


@dataclass(frozen=True)
class ExportLimits:
    max_rows: int = 10_000
    max_bytes: int = 5_000_000  # under Lambda's 6 MB response, headers and all


@dataclass(frozen=True)
class TimeRange:
    """from <= createdAt < to; either end may be open."""
    start: datetime | None = None
    end: datetime | None = None

    def id_bounds(self) -> tuple[str, str] | None:
        """The lowest and highest id a message made in the range can have;
        None when none can (it ends by 1970, where ULID time starts, or is
        narrower than a millisecond), so the export asks DynamoDB nothing:
        BETWEEN with its low above its high is a ValidationException there.
        A ULID's time runs to the year 10889, past any date `datetime` reads."""
        low, high = _LOWEST, _HIGHEST
        if self.start is not None and (start := _ms(self.start)) > 0:
            low = first_ulid_at(start)
        if self.end is not None:
            end = _ms(self.end)
            if end <= 0:
                return None
            high = last_ulid_at(end - 1)
        return (low, high) if low <= high else None


def _ms(moment: datetime) -> int:
    return math.ceil(moment.timestamp() * 1000)


class Dashboard:
    def __init__(self, messages: MessageStore, replies: ReplyStore, *, dynamodb: Any,
                 table_name: str, counters: Callable[[], dict[str, int]],
                 reply_limiter: RateLimiter, idempotency: IdempotencyStore,
                 export_limits: ExportLimits = ExportLimits(),
                 forms: FormStore | None = None) -> None:
        self._forms = forms
        self._messages = messages
        self._replies = replies
        self._idempotency = idempotency
        self._dynamodb = dynamodb
        self._table = table_name
        self._counters = counters
        self._reply_limiter = reply_limiter
        self._export_limits = export_limits

    # -- messages ------------------------------------------------------------

    def list(self, *, status: str | None, limit: int, cursor: str | None,
             form_id: str | None = None) -> tuple[list[Message], str | None]:
        return self._messages.list(status=status, limit=limit, cursor=cursor, form_id=form_id)

    def find(self, selection: Selection, *, limit: int, cursor: str | None) -> Found:
        """A page of the selection's messages: a list, or a bounded search."""
        return self._messages.select(selection, limit=limit, cursor=cursor)

    def thread(self, message_id: str) -> Thread:
        return self._replies.thread(message_id)

    def set_status(self, message_id: str, status: str, audited: Audited | None = None) -> Thread:
        self._messages.set_status(message_id, status, audited)
        return self.thread(message_id)

    def attachment(self, message_id: str, index: str) -> Attachment:
        """The message's attachment at `index` (from 0, as its `attachments` list it)."""
        attachments = self._messages.get(message_id).attachments  # RecordNotFound
        if not index.isdigit() or len(index) > 3 or int(index) >= len(attachments):
            raise RecordNotFound("The message has no attachment with this number.")
        return attachments[int(index)]

    def delete(self, message_id: str, audited: Audited | None = None, how: str = "", *,
               cancel_pending: bool = False) -> Thread:
        """Delete the message with its replies and every delivery of them: the
        one path a message leaves by (an erasure's too, which also cancels
        replies still to be mailed: `cancel_pending`); with `audited`, its
        audit entry in the same transaction. What it deleted."""
        thread = self.thread(message_id)
        self._messages.delete(message_id, *self._replies.deliveries_discarded(
            thread, cancel_pending=cancel_pending), audited=audited, how=how)
        return thread

    def bulk(self, change: BulkChange, audited: Audited | None = None) -> builtins.list[Outcome]:
        """`change.action` on each of its messages, as its own route would
        (PATCH's status change, DELETE), concurrently: one outcome per id, in
        order, and one audit entry per message changed, in its own
        transaction. DependencyUnavailable when the database failed every one."""
        change.check()
        how = f" (bulk {change.action})"

        def one(message_id: str) -> str:
            if change.action == "delete":
                self.delete(message_id, audited, how)
                return DELETED
            if change.action == NOT_SPAM:
                current = self._messages.get(message_id)
                if current.status != SPAM:
                    return current.status  # not spam: nothing to clear
            return self._messages.set_status(message_id, ACTION_STATUS[change.action],
                                             audited, how).status

        outcomes = run_each(change.ids, one)
        unavailable = [o.error for o in outcomes if isinstance(o.error, DependencyUnavailable)]
        if len(unavailable) == len(outcomes):
            raise unavailable[0]  # the database failed them all: the request failed (503)
        return outcomes

    def counts(self) -> dict[str, int]:
        return self._counters()

    def form_counts(self, counts: dict[str, int]) -> dict[str, int]:
        """Messages stored per form: every form's (0 without any), and a
        deleted form's while it has some. The contact form's is every
        message's less the others' (chalicelib/db/counters.py)."""
        counted = {name.removeprefix(FORM_COUNTER_PREFIX): value for name, value in counts.items()
                   if name.startswith(FORM_COUNTER_PREFIX) and value}
        forms = {form.id: counted.get(form.id, 0)
                 for form in (self._forms.list() if self._forms else [contact_form()])}
        forms.update(counted)
        every = sum(counts[STATUS_COUNTER[status]] for status in STATUSES)
        forms[CONTACT_ID] = every - sum(value for form_id, value in counted.items()
                                        if form_id != CONTACT_ID)
        return dict(sorted(forms.items()))

    # -- replies ---------------------------------------------------------------

    def reply(self, message_id: str, *, body: str, author: str, author_key: str,
              request: IdempotentRequest | None,
              audited: Audited | None = None) -> dict[str, Any]:
        """Store a reply to be mailed; the answer is {"id", "status"}. With an
        Idempotency-Key, a retry gets the first answer and stores nothing
        (nor records anything: the first did)."""
        return self._idempotency.once(request, lambda keyed: self._replies.create(
            message_id, body=body, author=author, request=keyed,
            charge=self._reply_limiter.charge(author_key), audited=audited))

    # -- exports -----------------------------------------------------------------

    def export_messages(self, *, status: str | None, period: TimeRange,
                        cursor: str | None, form_id: str | None = None) -> CsvPage:
        """Every form's messages with the contact form's columns; or one form's,
        with a column per field of its current definition (RecordNotFound for
        a form that does not exist)."""
        statuses = (status,) if status else ALL_STATUSES
        if form_id is None:
            rows = self._rows([keys.message_list(s) for s in statuses], period, cursor,
                              lambda item: message_cells(Message.from_item(item)))
            return csv_page(MESSAGE_COLUMNS, rows, max_rows=self._export_limits.max_rows,
                            max_bytes=self._export_limits.max_bytes)
        if self._forms is None:
            raise RecordNotFound("No form has this id.")
        form = self._forms.get(form_id).definition
        rows = self._rows([keys.form_message_list(form_id, s) for s in statuses], period, cursor,
                          lambda item: form_message_cells(form, Message.from_item(item)),
                          index=BY_GSI2)
        return csv_page(form_columns(form), rows, max_rows=self._export_limits.max_rows,
                        max_bytes=self._export_limits.max_bytes)

    def export_users(self, *, cursor: str | None) -> CsvPage:
        rows = self._rows([keys.USER_LIST], TimeRange(), cursor,
                          lambda item: user_cells(User.from_item(item)))
        return csv_page(USER_COLUMNS, rows, max_rows=self._export_limits.max_rows,
                        max_bytes=self._export_limits.max_bytes)

    def _rows(self, partitions: builtins.list[str], period: TimeRange, cursor: str | None,
              cells: Callable[[dict[str, Any]], builtins.list[Any]],
              index: Index = BY_GSI1) -> Iterator[Row]:
        resume = resume_point(cursor, partitions, _EXPORT)  # a bad cursor is refused first
        bounds = period.id_bounds()
        if bounds is None:
            return
        low, high = bounds
        for partition, item in newest_first_across(self._dynamodb, self._table,
                                                   partitions=partitions, lowest=low,
                                                   highest=high, resume=resume, index=index):
            yield cells(item), _cursor_after(partition, str(item["id"]))


def _cursor_after(partition: str, item_id: str) -> Callable[[], str]:
    return lambda: resume_cursor(_EXPORT, partition, item_id)
