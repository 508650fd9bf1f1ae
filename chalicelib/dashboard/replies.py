"""Replies: an admin's answer to a contact message, stored in the message's
partition and mailed to its sender through the outbox.

The reply's mail is a delivery (chalicelib/outbox/kind.py) whose payload is
its own copy of what the mail needs (the sender's address and name, the
subject, the text it quotes), so it can be sent even if the message is
deleted while the reply is pending. The reply item shows its progress (the
delivery's summary).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from msgspec import Meta

from chalicelib.contact.model import Message
from chalicelib.core import text
from chalicelib.core.domain_errors import NoReplyAddress
from chalicelib.core.validation import Model
from chalicelib.db import keys
from chalicelib.outbox.kind import PENDING, DeliveryState
from chalicelib.outbox.kinds import REPLY, Requested, request, state_of

ReplyText = Annotated[str, Meta(min_length=1, max_length=10_000, pattern=text.MULTI_LINE,
                                description="1 to 10,000 characters, not all blank, without "
                                            "control characters other than newlines and tabs")]


def _reply_text(value: str) -> str:
    return value.replace("\r\n", "\n")


class ReplyBody(Model):
    normalize = {"body": _reply_text}

    body: ReplyText


def _shown(value: str | bool) -> str:
    return value if isinstance(value, str) else ("yes" if value else "no")


@dataclass(frozen=True)
class Reply:
    id: str
    message_id: str
    body: str
    author: str
    created_at: str
    # The mail's copy of the message it answers.
    to: str
    to_name: str
    subject: str | None
    quoted: str
    quoted_at: str
    status: str = PENDING
    attempts: int = 0
    last_error: str | None = None
    sent_at: str | None = None

    @classmethod
    def answering(cls, message: Message, *, reply_id: str, body: str, author: str,
                  now: str) -> Reply:
        """NoReplyAddress when the message has no email (its form has no replyTo)."""
        if not message.email:
            raise NoReplyAddress()
        quoted = message.message
        if quoted is None:  # a form without a message field: the fields it has
            quoted = "\n".join(f"{f.label}: {_shown(f.value)}" for f in message.shown_fields)
        return cls(id=reply_id, message_id=message.id, body=body, author=author, created_at=now,
                   to=message.email, to_name=message.name or message.email,
                   subject=message.subject, quoted=quoted, quoted_at=message.created_at)

    def requested(self) -> tuple[dict[str, Any], Requested]:
        """The new reply's item and its mail, due now (the outbox's one way in)."""
        record = {**keys.reply(self.message_id, self.id), "type": "reply", "id": self.id,
                  "messageId": self.message_id, "body": self.body, "author": self.author,
                  "createdAt": self.created_at}
        mail = request(REPLY, record, delivery_id=self.id, due=self.created_at,
                       sub_id=self.id, payload=self.payload())
        return {**record, **mail.summary}, mail

    def payload(self) -> dict[str, Any]:
        """What its mail carries."""
        return {"id": self.id, "messageId": self.message_id, "body": self.body,
                "createdAt": self.created_at, "to": self.to, "toName": self.to_name,
                "subject": self.subject, "quoted": self.quoted, "quotedAt": self.quoted_at}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Reply:
        # The mail's copy is read leniently here: the sender fails a delivery
        # that has no recipient (see reply_mail.py).
        return cls(id=payload["id"], message_id=payload["messageId"], body=payload["body"],
                   author="", created_at=payload["createdAt"], to=payload.get("to", ""),
                   to_name=payload.get("toName", ""), subject=payload.get("subject"),
                   quoted=payload.get("quoted", ""), quoted_at=payload.get("quotedAt", ""))

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Reply:
        # A reply stored before its mail was a delivery of its own also holds
        # the mail's copy (infra/delivery_upgrade.py); it is not shown.
        state = state_of(REPLY, item) or DeliveryState(PENDING)
        return cls(id=item["id"], message_id=item["messageId"], body=item["body"],
                   author=item["author"], created_at=item["createdAt"], to=item.get("to", ""),
                   to_name=item.get("toName", ""), subject=item.get("subject"),
                   quoted=item.get("quoted", ""), quoted_at=item.get("quotedAt", ""),
                   status=state.status, attempts=state.attempts, last_error=state.last_error,
                   sent_at=state.sent_at)
