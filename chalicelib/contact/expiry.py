"""When a message expires: the one place that says so.

DynamoDB's TTL deletes an item some time after the epoch second in its
`expiresAt` (chalicelib/db/table.py TTL_ATTRIBUTE): within a few days, not
at that second, and a read meanwhile still returns it. Every item of a message
(MSG#<id>: the message, its deliveries, its replies) carries its message's
expiry, so the message goes whole.

- Spam: `spam_days` after it became spam (when it came, or when an admin
  marked it: the message's `spamAt`), or its ordinary expiry if that comes first.
- Otherwise: its ordinary expiry; today none (kept until deleted).
Clearing spam gives the message its ordinary expiry back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DAY_SECONDS = 86_400
DEFAULT_SPAM_DAYS = 30


def _epoch(moment: str) -> int:
    return int(datetime.fromisoformat(moment).timestamp())


@dataclass(frozen=True)
class Retention:
    spam_days: int = DEFAULT_SPAM_DAYS

    def expires_at(self, *, created_at: str, spam_since: str | None = None) -> int | None:
        """The epoch second a message received at `created_at` expires; spam
        since `spam_since` (None: not spam). None: never."""
        ordinary: int | None = None
        if spam_since is None:
            return ordinary
        spam = _epoch(spam_since) + self.spam_days * DAY_SECONDS
        return spam if ordinary is None else min(spam, ordinary)


DEFAULT_RETENTION = Retention()
