"""Contact messages: the submission body, the stored message, and its item."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal, get_args

from msgspec import UNSET, Meta, UnsetType

from chalicelib.core import text
from chalicelib.core.validation import Model
from chalicelib.db import keys
from chalicelib.outbox.kind import DeliveryState
from chalicelib.outbox.kinds import NOTIFICATION, Requested, request, state_of, summary_of
from chalicelib.users.model import Email

Status = Literal["new", "read", "replied", "archived"]
STATUSES: tuple[str, ...] = get_args(Status)
# `replied` is reached by replying (chalicelib/dashboard), never set by hand.
SettableStatus = Literal["new", "read", "archived"]
SETTABLE_STATUSES: tuple[str, ...] = get_args(SettableStatus)
NOTIFY_PENDING, NOTIFY_SENT, NOTIFY_FAILED = "pending", "sent", "failed"

# No control characters at all in one-line fields, so nothing can reach an
# email header; the message keeps its newlines and tabs.
Name = Annotated[str, Meta(min_length=1, max_length=100, pattern=text.ONE_LINE,
                           description="1 to 100 characters on one line")]
Subject = Annotated[str, Meta(max_length=150, pattern=text.ONE_LINE,
                              description="at most 150 characters on one line")]
Text = Annotated[str, Meta(min_length=1, max_length=5000, pattern=text.MULTI_LINE,
                           description="1 to 5,000 characters, not all blank, without control "
                                       "characters other than newlines and tabs")]


def _message_text(value: str) -> str:
    # Browsers submit textarea line breaks as CRLF; keep one kind.
    return value.replace("\r\n", "\n")


class ContactSubmission(Model):
    normalize = {"name": text.trim_spaces, "email": text.email_form,
                 "subject": text.trim_spaces, "message": _message_text}

    name: Name
    email: Email
    message: Text
    subject: Subject | UnsetType = UNSET
    # The honeypot: hidden from people, filled in by bots.
    website: str | UnsetType = UNSET

    @property
    def is_spam(self) -> bool:
        return isinstance(self.website, str) and self.website.strip() != ""

    def fields(self) -> dict[str, str]:
        """What is stored and compared for idempotency (never the honeypot)."""
        values = {"name": self.name, "email": self.email, "message": self.message}
        if self.subject is not UNSET and self.subject:
            values["subject"] = self.subject
        return values


class StatusChange(Model):
    status: Annotated[SettableStatus, Meta(description=f"one of {', '.join(SETTABLE_STATUSES)}")]


# A delivery's progress (the owner's mail, the chat post), as the message shows it.
Notification = DeliveryState


@dataclass(frozen=True)
class Message:
    id: str
    name: str
    email: str
    subject: str | None
    message: str
    status: str
    created_at: str
    updated_at: str
    notification: Notification
    reply_count: int = 0

    def with_status(self, status: str, updated_at: str) -> Message:
        return replace(self, status=status, updated_at=updated_at)

    def to_item(self) -> dict[str, Any]:
        """The message's item, its owner mail's progress summarised on it."""
        item: dict[str, Any] = {
            **keys.message(self.id), **keys.message_listing(self.status, self.id),
            "type": "message", "id": self.id, "name": self.name, "email": self.email,
            "subject": self.subject, "message": self.message, "status": self.status,
            "createdAt": self.created_at, "updatedAt": self.updated_at,
            "replyCount": self.reply_count, **summary_of(NOTIFICATION, self.notification),
        }
        return item

    def payload(self) -> dict[str, Any]:
        """What a delivery about this message carries: the message as received."""
        return {"id": self.id, "name": self.name, "email": self.email, "subject": self.subject,
                "message": self.message, "createdAt": self.created_at}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Message:
        """The message a delivery's payload carries (status and progress are not part of it)."""
        return cls(id=payload["id"], name=payload["name"], email=payload["email"],
                   subject=payload.get("subject"), message=payload["message"], status="new",
                   created_at=payload["createdAt"], updated_at=payload["createdAt"],
                   notification=Notification(NOTIFY_PENDING))

    def requested(self) -> Requested:
        """The owner's mail of this new message, due now (the outbox's one way in)."""
        return request(NOTIFICATION, keys.message(self.id), delivery_id=self.id,
                       due=self.created_at, payload=self.payload())

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Message:
        notification = state_of(NOTIFICATION, item)
        if notification is None:
            raise KeyError("the message has no owner mail")
        return cls(
            id=item["id"], name=item["name"], email=item["email"], subject=item.get("subject"),
            message=item["message"], status=item["status"], created_at=item["createdAt"],
            updated_at=item["updatedAt"], notification=notification,
            reply_count=int(item.get("replyCount", 0)))
