"""Claiming uploads for a message: each once, exactly, under concurrency.

A post's uploads are claimed in the transaction that stores its message: one
part per upload, a put of `UPLOAD#<uploadId>` on condition that none exists
(chalicelib/db/keys.py `upload_claim`). Of two posts naming one upload, one
transaction wins; the other fails that part's condition and stores nothing,
and the post is told which field named an upload already sent. The claim
outlives the unclaimed object (which a lifecycle rule expires after a day),
so an upload can never be claimed a second time.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.attachments.model import Attachment
from chalicelib.db import keys
from chalicelib.db.expressions import attr, put
from chalicelib.db.table import PK, TTL_ATTRIBUTE
from chalicelib.db.transactions import ConditionFailed

CLAIM_SECONDS = 3 * 24 * 3600  # longer than the unclaimed prefix's 1-day lifecycle
_PART = "claim "


def part_name(attachment: Attachment) -> str:
    return f"{_PART}{attachment.upload_id}"


def claim_parts(table: str, attachments: Sequence[Attachment], *, message_id: str,
                now: int) -> dict[str, dict[str, Any]]:
    """The transaction parts that claim `attachments` for the message."""
    return {part_name(a): {"Put": put(table, {
        **keys.upload_claim(a.upload_id), "type": "uploadClaim", "messageId": message_id,
        TTL_ATTRIBUTE: now + CLAIM_SECONDS}, condition=attr(PK).not_exists())}
        for a in attachments}


def already_claimed(attachments: Sequence[Attachment],
                    failure: ConditionFailed) -> list[dict[str, str]]:
    """The field errors for the uploads another message claimed first."""
    return [{"field": a.field, "message": f"names an upload ({a.filename}) already sent with "
                                          "another message: upload the file again"}
            for a in attachments if failure.failed(part_name(a))]
