"""Replies as a kind of delivery through the outbox (chalicelib/outbox)."""
from __future__ import annotations

from typing import Any

from chalicelib.dashboard.replies import Reply
from chalicelib.dashboard.reply_email import compose_reply
from chalicelib.db import keys
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import delete
from chalicelib.db.reads import get_item
from chalicelib.db.table import PK, SK
from chalicelib.db.transactions import transact_write
from chalicelib.outbox.kind import PAYLOAD, RECORD, DeliveryKind, PermanentFailure
from chalicelib.outbox.kinds import REPLY
from chalicelib.outbox.mail import sendable
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

    def send(self, payload: dict[str, Any]) -> None:
        reply = Reply.from_payload(payload)
        if not reply.to:
            raise PermanentFailure("No recipient address")
        sendable(reply.to, "recipient")  # stored: checked again as it leaves
        mail = compose_reply(reply, sender=self._sender, reply_to=self._reply_to,
                             branding=self._branding)
        self._ses.send_email(**mail)

    def settled(self, item: dict[str, Any], status: str) -> None:
        # Deleting a message leaves a pending reply to be sent (kinds.py:
        # outlives_message); once it is, the reply and its mail go too.
        message_id = str(item.get(PAYLOAD, {}).get("messageId", ""))
        if get_item(self._dynamodb, self._table, keys.message(message_id)) is not None:
            return
        with aws_unavailable_mapped():
            transact_write(self._dynamodb, {
                "reply": {"Delete": delete(self._table, {PK: item[PK], SK: item[RECORD]})},
                "reply delivery": {"Delete": delete(self._table, {PK: item[PK], SK: item[SK]})}})
