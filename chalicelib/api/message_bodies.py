"""The contact and dashboard routes' bodies, declared once, as in chalicelib/api/bodies.py."""
from __future__ import annotations

from typing import Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from chalicelib.api.bodies import Body, Moment
from chalicelib.autoresponder.decision import SkipReason
from chalicelib.contact import model as contact
from chalicelib.contact.model import STATUSES, Status
from chalicelib.core import retention
from chalicelib.dashboard import replies
from chalicelib.forms.builtin import CONTACT_ID

DeliveryStatus = Literal["pending", "sent", "failed"]


class Notification(Body):
    """A delivery's progress; `held` (never sent, `reason` "spam") while its
    message is spam."""
    status: Literal["pending", "sent", "failed", "held"]
    attempts: int
    reason: Literal["spam"] | UnsetType = UNSET
    next_attempt_at: Moment | UnsetType = UNSET
    last_error: str | UnsetType = UNSET
    sent_at: Moment | UnsetType = UNSET

    @classmethod
    def of(cls, notification: contact.Notification) -> Notification:
        n = notification
        if n == contact.HELD:
            return cls(status="held", attempts=0, reason="spam")
        return cls(status=n.status, attempts=n.attempts,  # type: ignore[arg-type]
                   next_attempt_at=UNSET if n.next_attempt_at is None else n.next_attempt_at,
                   last_error=UNSET if n.last_error is None else n.last_error,
                   sent_at=UNSET if n.sent_at is None else n.sent_at)


class AutoresponseState(Body):
    """A form's autoresponse to the visitor: a delivery's progress, or `skipped`
    (never sent) with its `reason`."""
    status: Literal["pending", "sent", "failed", "skipped"]
    attempts: int
    reason: SkipReason | UnsetType = UNSET
    next_attempt_at: Moment | UnsetType = UNSET
    last_error: str | UnsetType = UNSET
    sent_at: Moment | UnsetType = UNSET

    @classmethod
    def of(cls, state: contact.Notification) -> AutoresponseState:
        return cls(status=state.status, attempts=state.attempts,  # type: ignore[arg-type]
                   reason=UNSET if state.reason is None else state.reason,  # type: ignore[arg-type]
                   next_attempt_at=UNSET if state.next_attempt_at is None
                   else state.next_attempt_at,
                   last_error=UNSET if state.last_error is None else state.last_error,
                   sent_at=UNSET if state.sent_at is None else state.sent_at)


class SubmittedField(Body):
    """One field of the message, with its label and type as its form had them
    when the message came."""
    name: str
    label: str
    type: str
    value: str | bool


class AttachmentInfo(Body):
    """One file the message's file fields brought: GET
    /dashboard/messages/{id}/attachments/{index} downloads it (`index`: its
    place in `attachments`, from 0). `kind` names what the dashboard's icon
    shows: image, pdf, text, document, spreadsheet or slides."""
    field: str
    filename: str
    content_type: str
    size: int
    kind: str


class Message(Body, kw_only=True):
    """A post to a form. `name`, `email`, `subject` and `message` are the
    contact form's fields (`subject` absent when it had none); for another
    form, the value of its field named `name`, of its replyTo field, its
    `_subject` and the value of its field named `message`, each null without one."""
    id: str
    form_id: str
    name: str | None
    email: str | None
    subject: str | None | UnsetType = UNSET
    message: str | None
    fields: list[SubmittedField]
    extra: dict[str, str]
    status: Status
    created_at: Moment
    updated_at: Moment
    notification: Notification
    # Absent when the message's form had no autoresponse.
    autoresponse: AutoresponseState | UnsetType = UNSET
    reply_count: int
    # When DynamoDB's TTL deletes it and everything under it (the stage's or
    # its form's retentionDays); null: kept forever.
    expires_at: Moment | None
    # Only while it is spam: each rule that judged it so (docs/api.md lists them).
    spam_reason: list[str] | UnsetType = UNSET
    # Only when a spam check could not be made: "akismet_unavailable".
    spam_check: Literal["akismet_unavailable"] | UnsetType = UNSET
    # The files its file fields brought, in the order sent (empty: none).
    attachments: list[AttachmentInfo] = msgspec.field(default_factory=list)

    @classmethod
    def fields_of(cls, message: contact.Message) -> dict[str, Any]:
        subject: str | None | UnsetType = message.subject
        if message.form_id == CONTACT_ID and not message.subject:
            subject = UNSET  # as the contact form's messages always had it
        return {"id": message.id, "form_id": message.form_id, "name": message.name,
                "email": message.email, "subject": subject, "message": message.message,
                "fields": [SubmittedField(name=f.name, label=f.label, type=f.type, value=f.value)
                           for f in message.shown_fields],
                "extra": dict(message.extra),
                "status": message.status, "created_at": message.created_at,
                "updated_at": message.updated_at,
                "notification": Notification.of(message.notification),
                "autoresponse": UNSET if message.autoresponse is None
                else AutoresponseState.of(message.autoresponse),
                "reply_count": message.reply_count,
                "expires_at": retention.shown(message.expires_at),
                "spam_reason": list(message.spam_reason) if message.status == contact.SPAM
                else UNSET,
                "spam_check": message.spam_check or UNSET,
                "attachments": [AttachmentInfo(field=a.field, filename=a.filename,
                                               content_type=a.content_type, size=a.size,
                                               kind=a.kind) for a in message.attachments]}

    @classmethod
    def of(cls, message: contact.Message) -> Message:
        return cls(**cls.fields_of(message))


class MessagePage(Body):
    """A page of messages. A search's (`q`; a form within one sender's
    messages) also says how many messages it examined to find these
    (`searched`, at most 500); its nextCursor searches on from there, and is
    null only once nothing is left to examine."""
    items: list[Message]
    next_cursor: str | None
    searched: int | UnsetType = UNSET


class Reply(Body):
    id: str
    body: str
    author: str
    created_at: Moment
    status: DeliveryStatus
    attempts: int
    last_error: str | UnsetType = UNSET
    sent_at: Moment | UnsetType = UNSET

    @classmethod
    def of(cls, reply: replies.Reply) -> Reply:
        return cls(id=reply.id, body=reply.body, author=reply.author,
                   created_at=reply.created_at, status=reply.status,  # type: ignore[arg-type]
                   attempts=reply.attempts,
                   last_error=UNSET if reply.last_error is None else reply.last_error,
                   sent_at=UNSET if reply.sent_at is None else reply.sent_at)


class MessageThread(Message, kw_only=True):
    """A message with its replies, oldest first, and, on a stage with a chat
    webhook, the chat post's delivery beside the email's."""
    replies: list[Reply]
    chat: Notification | UnsetType = UNSET


class AttachmentLink(Body):
    """Where to download an attachment (GET .../attachments/{index} asked with
    Accept: application/json): a presigned S3 GET, valid until `expiresAt`,
    that answers the file as a download (Content-Disposition: attachment)."""
    url: str
    filename: str
    content_type: str
    size: int
    expires_at: Moment


class ContactReceived(Body):
    id: str
    status: Literal["received"]


class ReplyAccepted(Body):
    id: str
    status: Literal["pending"]


class ResultError(Body):
    """Why an id's action was not done: the code and message its own route
    would have answered with (not_found, conflict, service_unavailable)."""
    code: str
    message: str


class BulkResult(Body):
    """One id's outcome: the message's status after the action (`deleted`),
    or `error`."""
    id: str
    status: str | UnsetType = UNSET
    error: ResultError | UnsetType = UNSET


class BulkResults(Body):
    """One result per id, in the order of the request's ids."""
    results: list[BulkResult]


class Counts(Body):
    pending: int
    failed: int


class Deliveries(Body):
    """Pending and failed deliveries per channel."""
    email: Counts
    chat: Counts


# One count per message status: a new status is counted, and documented, at once.
MessageCounts = msgspec.defstruct("MessageCounts", [(status, int) for status in STATUSES],
                                  bases=(Body,))


class Stats(Body):
    users: int
    messages: MessageCounts  # type: ignore[valid-type]
    notifications: Counts
    deliveries: Deliveries
    # Messages stored per form id: every form's, and a deleted form's while it has some.
    forms: dict[str, int]
    # Days a message is kept, the stage's retentionDays (a form's own comes
    # first: GET /dashboard/forms); 0: kept forever.
    retention_days: int

    @classmethod
    def of(cls, counts: dict[str, int], forms: dict[str, int], *,
           retention_days: int) -> Stats:
        email = Counts(pending=counts["notificationsPending"], failed=counts["notificationsFailed"])
        return cls(users=counts["users"],
                   messages=MessageCounts(**{s: counts[f"messages{s.title()}"] for s in STATUSES}),
                   notifications=email,
                   deliveries=Deliveries(email=email,
                                         chat=Counts(pending=counts["chatPending"],
                                                     failed=counts["chatFailed"])),
                   forms=forms, retention_days=retention_days)


# The bodies above, for /openapi.json.
ANSWERS: tuple[type[msgspec.Struct], ...] = (
    SubmittedField, Message, MessagePage, MessageThread, Reply, ContactReceived, ReplyAccepted, Stats,
    BulkResults, AttachmentInfo, AttachmentLink)
