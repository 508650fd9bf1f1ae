"""Replies as a kind of delivery through the outbox (chalicelib/outbox)."""
from __future__ import annotations

from typing import Any

from chalicelib.dashboard.replies import Reply
from chalicelib.dashboard.reply_email import compose_reply
from chalicelib.db import keys
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.items import to_item
from chalicelib.db.reads import get_item
from chalicelib.outbox.kind import DeliveryKind, PermanentFailure
from chalicelib.outbox.kinds import REPLY
from chalicelib.platform.branding import DEFAULT, Branding


class ReplyMail(DeliveryKind, declared=REPLY):
    def __init__(self, dynamodb: Any, ses: Any, table_name: str, *, sender: str,
                 reply_to: str, branding: Branding = DEFAULT) -> None:
        self._dynamodb = dynamodb
        self._ses = ses
        self._table = table_name
        self._sender = sender
        self._reply_to = reply_to
        self._branding = branding

    def send(self, item: dict[str, Any]) -> None:
        reply = Reply.from_item(item)
        if not reply.to:
            raise PermanentFailure("No recipient address")
        mail = compose_reply(reply, sender=self._sender, reply_to=self._reply_to,
                             branding=self._branding)
        self._ses.send_email(**mail)

    def settled(self, item: dict[str, Any], status: str) -> None:
        # Deleting a message deletes its settled replies with it; one that was
        # pending then is sent anyway, and leaves no orphan once it settles.
        message_id = str(item.get("messageId", ""))
        if get_item(self._dynamodb, self._table, keys.message(message_id)) is None:
            with aws_unavailable_mapped():
                self._dynamodb.delete_item(TableName=self._table,
                                           Key=to_item(keys.reply(message_id, str(item["id"]))))
