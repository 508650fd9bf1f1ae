"""Messages DynamoDB's TTL deleted (chalicelib/core/retention.py): their
counts taken out, exactly once, from the table stream's REMOVE records.

A message deleted from the dashboard moves its counters in the delete's own
transaction. One that TTL deletes has nobody to: DynamoDB removes the item and
writes a REMOVE record to the stream, with the item's old image (the stream is
NEW_AND_OLD_IMAGES) and, as the one mark of a TTL deletion, the userIdentity
`{"type": "Service", "principalId": "dynamodb.amazonaws.com"}`. Here each
expired message's counters move as its delete's would (`counts_of_removed`);
its replies and deliveries expire too, and count nothing of their own. Its
attachments' files are deleted from the bucket (S3 unreachable raises: the
batch is retried, and deleting them again is harmless).

Exactly once: the counters' transaction also puts an idempotency record keyed
on the message (chalicelib/core/idempotency.py; it lives 24 hours, as long as
the stream keeps a record), so a batch that Lambda retries counts nothing
twice. The table being unavailable raises, and the batch is retried; an image
that is not a message this code can read is logged and passed over.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from chalicelib.attachments.files import AttachmentFiles
from chalicelib.contact.model import Message
from chalicelib.contact.store import counts_of_removed
from chalicelib.core.idempotency import Scope
from chalicelib.db import keys
from chalicelib.db.clock import utc_now
from chalicelib.db.counters import counter_update
from chalicelib.db.items import from_item
from chalicelib.db.table import SK
from chalicelib.db.transactions import ConditionFailed, PartOrder, as_written, transact_write

log = logging.getLogger("frontdesk.expired")

TTL_PRINCIPAL = "dynamodb.amazonaws.com"
_ONCE = Scope("TTL expiry of a message")


def removed_by_ttl(record: Mapping[str, Any]) -> bool:
    """Whether a stream record is DynamoDB's TTL deleting an item (not a request's delete)."""
    identity = record.get("userIdentity") or {}
    return (record.get("eventName") == "REMOVE" and identity.get("type") == "Service"
            and identity.get("principalId") == TTL_PRINCIPAL)


class ExpiredMessages:
    def __init__(self, client: Any, table_name: str, *,
                 clock: Callable[[], datetime] = utc_now,
                 part_order: PartOrder = as_written,
                 files: AttachmentFiles | None = None) -> None:
        self._files = files
        self._client = client
        self._table = table_name
        self._clock = clock
        self._part_order = part_order

    def on_removed(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Stream handler: the stream's records as Lambda passes them; returns
        how many expired messages were counted out (now, not before)."""
        counted = 0
        for record in records:
            if not removed_by_ttl(record):
                continue
            image = from_item(record.get("dynamodb", {}).get("OldImage") or {})
            if image.get(SK) != keys.message("x")[SK]:
                continue  # a reply, a delivery, an idempotency record...: nothing counted
            try:
                counts = counts_of_removed(self._table, image)
                attachments = Message.from_item(image).attachments
            except (KeyError, TypeError, ValueError):
                log.error("an expired message's image could not be read; its counts stay",
                          extra={"fields": {"key": image.get("pk")}})
                continue
            if attachments and self._files is not None:
                self._files.delete(attachments)
            counted += self._count_once(str(image["id"]), counts)
        return counted

    def _count_once(self, message_id: str, counts: Mapping[str, int]) -> bool:
        once = _ONCE.request(message_id, {})
        assert once is not None  # noqa: S101 (a key was given)
        parts = {"once": once.record_put(self._table, {}, int(self._clock().timestamp())),
                 "counters": counter_update(self._table, **counts)}
        try:
            transact_write(self._client, parts, order=self._part_order)
        except ConditionFailed as exc:
            if exc.failed("once"):
                return False  # counted by an earlier try of this batch
            raise
        return True
