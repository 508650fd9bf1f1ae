"""Messages: the contact form's submission body, the stored message (a post
to any form), and its item."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Literal, get_args

from msgspec import UNSET, Meta, UnsetType

from chalicelib.attachments.model import Attachment
from chalicelib.core import retention, text
from chalicelib.core.validation import Model
from chalicelib.db import keys
from chalicelib.forms.builtin import CONTACT, CONTACT_ID
from chalicelib.forms.model import Form
from chalicelib.forms.submission import FieldValue, SubmittedField, submitted_fields
from chalicelib.outbox.kind import SKIPPED, DeliveryState
from chalicelib.outbox.kinds import (
    AUTORESPONSE,
    NOTIFICATION,
    Requested,
    request,
    state_of,
    summary_of,
)
from chalicelib.users.model import Email

Status = Literal["new", "read", "replied", "archived", "spam"]
STATUSES: tuple[str, ...] = get_args(Status)
SPAM = "spam"
# What `status=all` lists and an export without a status holds: every status
# but spam, which has its own list and expires.
ALL_STATUSES: tuple[str, ...] = tuple(s for s in STATUSES if s != SPAM)
# `replied` is reached by replying (chalicelib/dashboard), never set by hand;
# `spam` is set by hand too (chalicelib/contact/status.py).
SettableStatus = Literal["new", "read", "archived", "spam"]
SETTABLE_STATUSES: tuple[str, ...] = get_args(SettableStatus)
# What an answered message is wherever it would be new or read.
REPLIED = "replied"
_IN_THE_INBOX = frozenset({"new", "read"})
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
# A spam message's owner mail and chat post: never requested, held back until
# an admin says it is not spam (chalicelib/contact/store.py `set_status`).
HELD_REASON = "spam"
HELD = Notification(SKIPPED, 0, reason=HELD_REASON)


@dataclass(frozen=True)
class Message:
    """A post to a form, stored. `fields` are its values with their labels and
    types as the form had them; `name`, `email`, `subject` and `message` are
    the contact form's fields, and for another form what stands for them (the
    replyTo field's value as `email`, `_subject` as `subject`, a field named
    `name` or `message`), None where it has none."""
    id: str
    name: str | None
    email: str | None
    subject: str | None
    message: str | None
    status: str
    created_at: str
    updated_at: str
    notification: Notification
    reply_count: int = 0
    form_id: str = CONTACT_ID
    fields: tuple[SubmittedField, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)
    topic: str | None = None  # `_subject`: the owner mail's topic
    form_name: str | None = None  # the form's name when the message came
    # Its form's autoresponse (None: the form had none when it came).
    autoresponse: DeliveryState | None = None
    # When it and everything under it expire (epoch seconds; None: kept forever).
    expires_at: int | None = None
    # Its form's own retentionDays when it came (None: the stage's), which a
    # status change out of spam needs to give its ordinary expiry back.
    retention_days: int | None = None
    # Why it is spam: each rule that fired (chalicelib/spam), or "manual".
    spam_reason: tuple[str, ...] = ()
    # A spam check that could not be made ("akismet_unavailable"); None: none failed.
    spam_check: str | None = None
    # When it became spam (on arrival, or marked by hand): what its expiry runs from.
    spam_at: str | None = None
    # Where its form sent the owner mail when it came (empty: the stage's owner),
    # kept so that a mail held back as spam goes where it would have gone.
    recipients: tuple[str, ...] = ()
    # The files its file fields brought (chalicelib/attachments), in the order sent.
    attachments: tuple[Attachment, ...] = ()

    @classmethod
    def received(cls, message_id: str, now: str, form: Form, values: Mapping[str, FieldValue],
                 *, extra: Mapping[str, str], topic: str | None,
                 notification: Notification, spam_reason: tuple[str, ...] = (),
                 spam_check: str | None = None, expires_at: int | None = None,
                 attachments: tuple[Attachment, ...] = ()) -> Message:
        """A new post to `form` (its values in the form's order, as checked);
        spam when `spam_reason` names a rule, its owner mail then held back."""
        definition = form.definition

        def text_of(name: str | None) -> str | None:
            value = values.get(name) if name else None
            return value if isinstance(value, str) else None

        contact = form.id == CONTACT_ID
        return cls(id=message_id, name=text_of("name"), email=text_of(definition.reply_to),
                   subject=text_of("subject") if contact else topic,
                   message=text_of("message"), status=SPAM if spam_reason else "new",
                   created_at=now, updated_at=now,
                   notification=HELD if spam_reason else notification, form_id=form.id,
                   fields=submitted_fields(definition, values), extra=dict(extra), topic=topic,
                   form_name=definition.name, spam_reason=spam_reason, spam_check=spam_check,
                   spam_at=now if spam_reason else None,
                   recipients=tuple(definition.recipients), expires_at=expires_at,
                   retention_days=definition.retention_days, attachments=attachments)

    @property
    def shown_fields(self) -> tuple[SubmittedField, ...]:
        """Its fields; a message stored before forms had them (a contact
        message) shows its own with the built-in form's labels."""
        if self.fields:
            return self.fields
        values = {"name": self.name, "email": self.email, "subject": self.subject,
                  "message": self.message}
        return submitted_fields(CONTACT, {k: v for k, v in values.items() if v})

    @property
    def answered(self) -> bool:
        return self.status == REPLIED or self.reply_count > 0

    def status_after(self, requested: str) -> str:
        """The status a hand-set `requested` gives this message: `replied` is
        never lost by a click, so an answered message asked to be new or read
        (marked read, moved back from the archive) is `replied`; any other
        request is taken as it is. PATCH and the bulk actions both apply it."""
        if requested in _IN_THE_INBOX and self.answered:
            return REPLIED
        return requested

    def with_status(self, status: str, updated_at: str) -> Message:
        return replace(self, status=status, updated_at=updated_at)

    def sender_listing(self, status: str) -> dict[str, str]:
        """Its keys in its sender's list as of `status` (none without an address)."""
        return keys.sender_message_listing(self.email, status, self.id) if self.email else {}

    def to_item(self) -> dict[str, Any]:
        """The message's item, its owner mail's progress summarised on it."""
        item: dict[str, Any] = {
            **keys.message(self.id), **keys.message_listing(self.status, self.id),
            **keys.form_message_listing(self.form_id, self.status, self.id),
            **self.sender_listing(self.status),
            "type": "message", "id": self.id, "name": self.name, "email": self.email,
            "subject": self.subject, "message": self.message, "status": self.status,
            "createdAt": self.created_at, "updatedAt": self.updated_at,
            "replyCount": self.reply_count, **summary_of(NOTIFICATION, self.notification),
            "formId": self.form_id, "fields": [f.to_item() for f in self.fields] or None,
            "extra": dict(self.extra) or None, "topic": self.topic, "formName": self.form_name,
            "spamReason": list(self.spam_reason) or None, "spamCheck": self.spam_check,
            "spamAt": self.spam_at,
            "recipients": list(self.recipients) or None,
            "attachments": [a.to_item() for a in self.attachments] or None,
            **retention.expiry_attribute(self.expires_at), "retentionDays": self.retention_days,
        }
        return item

    def payload(self) -> dict[str, Any]:
        """What a delivery about this message carries: the message as received
        (None values are left out)."""
        return {"id": self.id, "name": self.name, "email": self.email, "subject": self.subject,
                "message": self.message, "createdAt": self.created_at, "formId": self.form_id,
                "formName": self.form_name, "fields": [f.to_item() for f in self.fields] or None,
                "extra": dict(self.extra) or None, "topic": self.topic,
                "attachments": [a.to_item() for a in self.attachments] or None}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Message:
        """The message a delivery's payload carries (status and progress are not part of it)."""
        return cls(id=payload["id"], name=payload.get("name"), email=payload.get("email"),
                   subject=payload.get("subject"), message=payload.get("message"), status="new",
                   created_at=payload["createdAt"], updated_at=payload["createdAt"],
                   notification=Notification(NOTIFY_PENDING), **_form_part(payload))

    def requested(self, due: str | None = None) -> Requested:
        """The owner's mail of this message, due at `due` (default: when it
        came), to its form's recipients (none: the stage's owner); the
        outbox's one way in."""
        return request(NOTIFICATION, keys.message(self.id), delivery_id=self.id,
                       due=due or self.created_at,
                       payload={**self.payload(), "recipients": list(self.recipients) or None})

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Message:
        notification = state_of(NOTIFICATION, item)
        if notification is None:
            raise KeyError("the message has no owner mail")
        return cls(
            id=item["id"], name=item.get("name"), email=item.get("email"),
            subject=item.get("subject"), message=item.get("message"), status=item["status"],
            created_at=item["createdAt"], updated_at=item["updatedAt"], notification=notification,
            reply_count=int(item.get("replyCount", 0)),
            autoresponse=state_of(AUTORESPONSE, item), expires_at=retention.expires_at(item),
            retention_days=None if item.get("retentionDays") is None
            else int(item["retentionDays"]),
            spam_reason=tuple(str(r) for r in item.get("spamReason") or ()),
            spam_check=item.get("spamCheck"), spam_at=item.get("spamAt"),
            recipients=tuple(str(r) for r in item.get("recipients") or ()), **_form_part(item))


def _form_part(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Message's form attributes from an item or a payload; one stored before
    forms were is a contact message."""
    return {"form_id": str(stored.get("formId", CONTACT_ID)),
            "fields": tuple(SubmittedField.from_item(f) for f in stored.get("fields") or ()),
            "extra": {str(k): str(v) for k, v in (stored.get("extra") or {}).items()},
            "topic": stored.get("topic"), "form_name": stored.get("formName"),
            "attachments": tuple(Attachment.from_item(a) for a in stored.get("attachments") or ())}
