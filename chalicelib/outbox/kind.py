"""What a kind of delivery tells the outbox.

A delivery's state lives in the item that asks for it (the contact message,
the reply), in attributes named by the kind's prefix: <prefix>Status,
<prefix>Attempts, ... So a delivery is written in the same transaction as
the record it belongs to, and the record's reader sees its progress.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

PENDING, SENT, FAILED = "pending", "sent", "failed"


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
class DeliveryFields:
    """The attribute names of one kind's delivery state."""
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
    def claim(self) -> str:
        return f"{self.prefix}Claim"

    @property
    def claim_until(self) -> str:
        return f"{self.prefix}ClaimUntil"


@dataclass(frozen=True)
class Declared:
    """What the outbox and the stores know of a kind (chalicelib/outbox/kinds.py
    declares each one)."""
    name: str  # in logs
    item_type: str  # the `type` attribute of the items that carry it
    fields: DeliveryFields
    pending_partition: str  # its GSI2 partition of due deliveries
    sent_metric: str
    failed_metric: str
    # Counters moved as deliveries enter and leave pending (None: not counted).
    pending_counter: str | None = None
    failed_counter: str | None = None
    # Written after each schedule run: seconds the oldest pending one has waited.
    age_metric: str | None = None


class DeliveryKind(ABC):
    """How to send one kind. `class X(DeliveryKind, declared=KIND)` takes the
    rest from the kind's declaration."""
    name: str  # in logs: "notification", "reply"
    item_type: str  # the `type` attribute of the items that carry this delivery
    fields: DeliveryFields
    pending_partition: str  # its GSI2 partition of due deliveries
    # Counters moved as deliveries leave pending (None: not counted).
    pending_counter: str | None = None
    failed_counter: str | None = None
    sent_metric: str
    failed_metric: str
    # Written after each schedule run: seconds the oldest pending delivery has waited.
    age_metric: str | None = None

    def __init_subclass__(cls, declared: Declared | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if declared is not None:
            for name, value in vars(declared).items():
                setattr(cls, name, value)

    @abstractmethod
    def send(self, item: dict[str, Any]) -> None:
        """Compose and send the delivery `item` asks for. Raise PermanentFailure
        for what no retry can fix; AWS errors are judged by the outbox."""

    def settled(self, item: dict[str, Any], status: str) -> None:  # noqa: B027 (optional hook)
        """Called once the delivery is sent or failed for good; nothing by default."""
