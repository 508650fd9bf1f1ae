"""What a kind of delivery tells the outbox, and the one shape of a delivery.

Every delivery, whatever its kind, is an item of its own in the partition of
the record that causes it (chalicelib/db/keys.py `delivery`: the message's
MSG#<id>, SK DELIVERY#<kind>[#<sub-id>]), with the same attributes:

    type     "delivery"
    kind     the kind's name (chalicelib/outbox/kinds.py)
    id       the delivery's id (its record's: the message's, the reply's)
    record   the sort key of the record that caused it, in the same partition
    status   pending | sent | failed
    attempts how many were started (a claim counts one)
    nextAt   when a pending one is due
    lastError, sentAt
    createdAt when it was requested
    payload  a map: what the kind's sender needs to compose it, copied from
             the record when it was requested (so it is sent as it was asked
             for, even if the record changes or goes)
    claim, claimUntil   while an attempt holds it
    gsi2pk, gsi2sk      while pending: its kind's partition of due deliveries

A kind may also keep a summary of its state (status, attempts, nextAt,
lastError, sentAt) on the record that caused it, in attributes named by the
kind's prefix (`notifyStatus`, ...): written when it is requested and updated
by every settle, in the same transaction, so a list of records shows each
one's progress without reading its deliveries. A delivery decided against
when its record was written (an autoresponse over its limit) has no item at
all, only that summary: status `skipped`, with its reason (`…Reason`).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from chalicelib.db import keys

PENDING, SENT, FAILED = "pending", "sent", "failed"
# Only ever in a record's summary: no delivery item exists (see above).
SKIPPED = "skipped"

DELIVERY_TYPE = "delivery"
# The delivery item's attributes, the same for every kind.
KIND, ID, RECORD, STATUS, ATTEMPTS = "kind", "id", "record", "status", "attempts"
NEXT_AT, LAST_ERROR, SENT_AT, CREATED_AT = "nextAt", "lastError", "sentAt", "createdAt"
PAYLOAD, CLAIM, CLAIM_UNTIL = "payload", "claim", "claimUntil"


class PermanentFailure(Exception):
    """No retry can fix this delivery (it cannot be composed, or the provider
    refused it for good): the outbox marks it failed at once."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(Exception):
    """The receiver did not take the delivery this time (unreachable, timed
    out, an error status): the outbox retries it with backoff."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DeliveryState:
    """A delivery's progress, as the dashboard shows it."""
    status: str
    attempts: int = 0
    next_attempt_at: str | None = None
    last_error: str | None = None
    sent_at: str | None = None
    reason: str | None = None  # why it was skipped


@dataclass(frozen=True)
class Summary:
    """The attribute names of a kind's summary on the record that causes it."""
    prefix: str

    @property
    def status(self) -> str:
        return f"{self.prefix}Status"

    @property
    def attempts(self) -> str:
        return f"{self.prefix}Attempts"

    @property
    def next_at(self) -> str:
        return f"{self.prefix}NextAt"

    @property
    def last_error(self) -> str:
        return f"{self.prefix}LastError"

    @property
    def sent_at(self) -> str:
        return f"{self.prefix}SentAt"

    @property
    def reason(self) -> str:
        return f"{self.prefix}Reason"

    def attributes(self, state: DeliveryState) -> dict[str, Any]:
        """The record's attributes for `state` (None: absent)."""
        values = {self.status: state.status, self.attempts: state.attempts,
                  self.next_at: state.next_attempt_at if state.status == PENDING else None,
                  self.last_error: state.last_error, self.sent_at: state.sent_at}
        if state.status == SKIPPED:  # only then: a settle never writes one
            values[self.reason] = state.reason
        return values

    def read(self, record: dict[str, Any]) -> DeliveryState | None:
        """The state summarised on `record`; None if it has none of this kind."""
        status = record.get(self.status)
        if status is None:
            return None
        return DeliveryState(status=str(status), attempts=int(record.get(self.attempts, 0)),
                             next_attempt_at=record.get(self.next_at) if status == PENDING
                             else None,
                             last_error=record.get(self.last_error),
                             sent_at=record.get(self.sent_at),
                             reason=record.get(self.reason) if status == SKIPPED else None)


@dataclass(frozen=True)
class Declared:
    """What the outbox and the stores know of a kind (chalicelib/outbox/kinds.py
    declares each one)."""
    name: str  # the items' `kind`, their sort key's and due partition's part, and in logs
    sent_metric: str
    failed_metric: str
    # Counters moved as deliveries enter and leave pending (None: not counted).
    pending_counter: str | None = None
    failed_counter: str | None = None
    # Written after each schedule run: seconds the oldest pending one has waited.
    age_metric: str | None = None
    # The prefix of its summary on the record that causes it (None: none kept).
    summary_prefix: str | None = None
    # Whether a pending one is still sent when its message is deleted (then
    # removed with its record once settled), rather than deleted with it.
    outlives_message: bool = False

    @property
    def due_partition(self) -> str:
        return keys.due_deliveries(self.name)

    @property
    def summary(self) -> Summary | None:
        return Summary(self.summary_prefix) if self.summary_prefix else None


class DeliveryKind(ABC):
    """How to send one kind. `class X(DeliveryKind, declared=KIND)` names the
    kind's declaration."""
    declared: Declared

    def __init_subclass__(cls, declared: Declared | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if declared is not None:
            cls.declared = declared

    @property
    def name(self) -> str:
        return self.declared.name

    @abstractmethod
    def send(self, payload: dict[str, Any]) -> None:
        """Compose and send the delivery `payload` (the delivery item's) asks
        for. Raise PermanentFailure for what no retry can fix; AWS errors are
        judged by the outbox."""

    def settled(self, item: dict[str, Any], status: str) -> None:  # noqa: B027 (optional hook)
        """Called with the delivery item once it is sent or failed for good;
        nothing by default."""
