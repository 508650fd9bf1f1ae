"""How long a message is kept: the one place its expiry is computed. (In core,
not contact: the settings read the stage's at every cold start, which must not
load the contact package.)

A message and everything under its partition (MSG#<id>: its replies, its
deliveries, anything attached to it) carry the same expiry in TTL_ATTRIBUTE
(`expiresAt`, epoch seconds), and DynamoDB's TTL deletes each item after it
(within about two days, not to the second: docs/operations.md). The time is set
when the item is written, from:
- the stage's `retentionDays` (frontdesk.json; 365 unless set; 0 keeps forever),
- else, where the message's form sets one, the form's `retentionDays`
  (null: the stage's),
counted from when the message was received. A reply or a delivery written
later takes its message's expiry (`expires_at` on the item read), so a thread
goes at once. When a setting changes, `make deploy`'s retention backfill
(infra/retention_backfill.py) recomputes every message's with this function.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec

from chalicelib.db.table import TTL_ATTRIBUTE

DEFAULT_DAYS = 365
FOREVER = 0
MAX_DAYS = 3650  # ten years: more is a typo, or "forever" (0)
_DAY = 86_400


class Retention(msgspec.Struct, frozen=True):
    """What a stage keeps (a Struct: loaded at init)."""
    days: int = DEFAULT_DAYS  # the stage's retentionDays; FOREVER (0) keeps every message

    def days_for(self, form_days: int | None) -> int:
        """The days a message of a form with `form_days` (None: unset) is kept."""
        return self.days if form_days is None else form_days


# The stage default (DEFAULT_DAYS), for stores built without settings (tests, tools).
KEEP_STAGE_DEFAULT = Retention()


def message_expiry(received_at: datetime, retention: Retention, *,
                   form_days: int | None = None) -> int | None:
    """When a message received at `received_at` expires, in epoch seconds
    (TTL_ATTRIBUTE's value); None when it is kept forever."""
    days = retention.days_for(form_days)
    if days == FOREVER:
        return None
    return int(received_at.timestamp()) + days * _DAY


def expiry_attribute(expires_at: int | None) -> dict[str, int]:
    """What an item written with this expiry carries (nothing: kept forever)."""
    return {} if expires_at is None else {TTL_ATTRIBUTE: expires_at}


def expires_at(item: Mapping[str, Any]) -> int | None:
    """The expiry an item carries, None if it has none."""
    value = item.get(TTL_ATTRIBUTE)
    return None if value is None else int(value)


def shown(expiry: int | None) -> str | None:
    """An expiry as the API shows it: ISO 8601 UTC (None: kept forever)."""
    if expiry is None:
        return None
    return datetime.fromtimestamp(expiry, UTC).isoformat().replace("+00:00", "Z")
