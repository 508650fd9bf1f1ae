"""A person's data (GET and DELETE /dashboard/people/{email}): the bodies,
declared once, as in chalicelib/api/bodies.py."""
from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from chalicelib.api.bodies import Body, Moment, User
from chalicelib.api.message_bodies import DeliveryStatus, Message
from chalicelib.core import retention
from chalicelib.dashboard import replies
from chalicelib.db.table import PK


class PersonReply(Body, kw_only=True):
    """A reply mailed (or to be mailed) to the person, with what its mail quotes."""
    id: str
    message_id: str
    to: str | UnsetType = UNSET
    body: str
    author: str
    created_at: Moment
    status: DeliveryStatus
    sent_at: Moment | UnsetType = UNSET

    @classmethod
    def of(cls, reply: replies.Reply) -> PersonReply:
        return cls(id=reply.id, message_id=reply.message_id, to=reply.to or UNSET,
                   body=reply.body, author=reply.author, created_at=reply.created_at,
                   status=reply.status,  # type: ignore[arg-type]
                   sent_at=UNSET if reply.sent_at is None else reply.sent_at)


class PersonDelivery(Body, kw_only=True):
    """A delivery about the person's message or to them: the owner's mail,
    the chat post, the autoresponse or a reply's mail, with the copy of the
    message it carries (`payload`)."""
    kind: str
    id: str
    message_id: str
    status: DeliveryStatus
    attempts: int
    created_at: Moment | UnsetType = UNSET
    sent_at: Moment | UnsetType = UNSET
    last_error: str | UnsetType = UNSET
    payload: dict[str, Any]

    @classmethod
    def of(cls, item: dict[str, Any]) -> PersonDelivery:
        def optional(name: str) -> Any:
            value = item.get(name)
            return UNSET if value is None else value
        return cls(kind=str(item.get("kind", "")), id=str(item.get("id", "")),
                   message_id=str(item.get("payload", {}).get("messageId")
                                  or str(item[PK]).removeprefix("MSG#")),
                   status=item.get("status", "pending"), attempts=int(item.get("attempts", 0)),
                   created_at=optional("createdAt"), sent_at=optional("sentAt"),
                   last_error=optional("lastError"), payload=dict(item.get("payload") or {}))


class RememberedAnswer(Body):
    """An answer remembered for a retry of a keyed request that held the
    address (for 24 hours: docs/api.md, "Idempotency")."""
    answer: dict[str, Any]
    expires_at: Moment | None

    @classmethod
    def of(cls, item: dict[str, Any]) -> RememberedAnswer:
        decoded = msgspec.json.decode(str(item.get("response", "{}")))
        return cls(answer=decoded if isinstance(decoded, dict) else {"value": decoded},
                   expires_at=retention.shown(retention.expires_at(item)))


class PersonData(Body):
    """Everything stored about one mailbox (its address whatever its case or
    +tag), a page at a time: `next` is the cursor of the next page, null on
    the last."""
    email: str
    messages: list[Message]
    replies: list[PersonReply]
    users: list[User]
    deliveries: list[PersonDelivery]
    idempotency_records: list[RememberedAnswer]
    next: str | None


class ErasedCounts(Body):
    messages: int
    replies: int
    users: int
    deliveries: int
    idempotency_records: int


class Erased(Body):
    """What this call erased; `complete` false: more is left, call again."""
    erased: ErasedCounts
    complete: bool


ANSWERS: tuple[type[msgspec.Struct], ...] = (PersonData, Erased)
