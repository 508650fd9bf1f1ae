"""How long a message is kept: the one place its expiry is computed. (In core,
not contact: the settings read the stage's at every cold start, which must not
load the contact package.)

A message and everything under its partition (MSG#<id>: its replies, its
deliveries, anything attached to it) carry the same expiry in TTL_ATTRIBUTE
(`expiresAt`, epoch seconds), and DynamoDB's TTL deletes each item after it
(within about two days, not to the second: docs/operations.md). The time is:
- its ordinary expiry: the stage's `retentionDays` (frontdesk.json; 365 unless
  set; 0 keeps forever), or, where the message's form sets one, the form's
  `retentionDays` (null: the stage's), counted from when the message came;
- while it is spam: `spamRetentionDays` (30 unless set) after it became spam
  (when it came, or when an admin marked it: its `spamAt`), or its ordinary
  expiry if that comes first. Clearing spam gives it its ordinary expiry back.
A reply or a delivery written later takes its message's expiry. When a setting
changes, `make deploy`'s retention backfill (infra/retention_backfill.py)
recomputes every message's with this function.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec

from chalicelib.db.table import TTL_ATTRIBUTE

DEFAULT_DAYS = 365
DEFAULT_SPAM_DAYS = 30
FOREVER = 0
# Days an audit entry is kept (the stage's auditRetentionDays; chalicelib/audit).
AUDIT_DAYS = 400
MAX_DAYS = 3650  # ten years: more is a typo, or "forever" (0)
DAY_SECONDS = 86_400


class Retention(msgspec.Struct, frozen=True):
    """What a stage keeps (a Struct: loaded at init)."""
    days: int = DEFAULT_DAYS  # the stage's retentionDays; FOREVER (0) keeps every message
    spam_days: int = DEFAULT_SPAM_DAYS  # the stage's spamRetentionDays

    def days_for(self, form_days: int | None) -> int:
        """The days a message of a form with `form_days` (None: unset) is kept."""
        return self.days if form_days is None else form_days

    def expires_at(self, *, created_at: str, spam_since: str | None = None,
                   form_days: int | None = None) -> int | None:
        """`message_expiry` of a message as stored (ISO times)."""
        return message_expiry(_moment(created_at), self, form_days=form_days,
                              spam_since=None if spam_since is None else _moment(spam_since))


# The stage defaults, for stores built without settings (tests, tools).
KEEP_STAGE_DEFAULT = Retention()
DEFAULT_RETENTION = KEEP_STAGE_DEFAULT


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def message_expiry(received_at: datetime, retention: Retention, *,
                   form_days: int | None = None,
                   spam_since: datetime | None = None) -> int | None:
    """When a message received at `received_at` expires, in epoch seconds
    (TTL_ATTRIBUTE's value); None when it is kept forever. `spam_since`: when
    it became spam (None: it is not)."""
    days = retention.days_for(form_days)
    ordinary = None if days == FOREVER else int(received_at.timestamp()) + days * DAY_SECONDS
    if spam_since is None:
        return ordinary
    spam = int(spam_since.timestamp()) + retention.spam_days * DAY_SECONDS
    return spam if ordinary is None else min(spam, ordinary)


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
