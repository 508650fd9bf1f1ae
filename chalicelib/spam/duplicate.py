"""The duplicate window: the same text from the same address to the same form
within N hours is spam.

It is an expiring claim (chalicelib/db/claims.py) on a digest of the form, the
sender's address (normalised as the autoresponder's limit does: lower-cased,
without a +tag) and every text value of the post (each folded as the content
rules fold text, spaces collapsed), put in the transaction that stores the
message. When the claim is held, the post is a duplicate: it is stored as spam
with the reason `duplicate`, and the claim is taken over, so the window runs
from the latest post. A post without a sender address is never a duplicate.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.core.addresses import normalised_address as normalised
from chalicelib.db import keys
from chalicelib.db.claims import claim
from chalicelib.db.transactions import ConditionFailed
from chalicelib.spam.matching import fold

CLAIM_PART = "duplicateClaim"  # its name in the message's transaction
REASON = "duplicate"


@dataclass(frozen=True)
class DuplicateCheck:
    digest: str
    window_seconds: int

    @classmethod
    def of(cls, form_id: str, address: str | None, texts: Sequence[str],
           window_hours: int | None) -> DuplicateCheck | None:
        if window_hours is None or not address:
            return None
        folded = "\n".join(" ".join(fold(value).split()) for value in texts)
        digest = hashlib.sha256("\x00".join((form_id, normalised(address), folded)).encode())
        return cls(digest.hexdigest()[:32], window_hours * 3600)

    def part(self, table: str, *, message_id: str, now: datetime,
             taken_over: bool = False) -> dict[str, Any]:
        return claim(table, keys.duplicate_claim(self.digest),
                     {"type": "duplicateClaim", "messageId": message_id}, now=now,
                     seconds=self.window_seconds, taken_over=taken_over)

    @staticmethod
    def refused_by(failure: ConditionFailed) -> bool:
        return failure.failed(CLAIM_PART)
