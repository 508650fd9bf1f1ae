"""An audit entry: who (`actor`) did what (`action`, dotted) to which record
(`target`), in which request, when, and a short `summary` of the change.

A summary names statuses, versions and fields, never a message's text or a
visitor's address: an entry outlives what it describes (an erased person's
entry keeps only a salted hash: chalicelib/audit/hashing.py).
"""
from __future__ import annotations

from typing import Any, Literal, get_args

import msgspec

from chalicelib.db import keys
from chalicelib.db.table import TTL_ATTRIBUTE

# Every action an entry may name: the log's filter takes only these, and the
# walking test (tests/audit/test_every_admin_write.py) holds each admin write
# route to its own.
Action = Literal["message.update", "message.delete", "reply.create", "form.put", "form.delete",
                 "spam_rules.put", "user.create", "user.update", "user.delete",
                 "admin.invite", "admin.remove", "person.erase"]
ACTIONS: tuple[str, ...] = get_args(Action)
ENTRY_TYPE = "audit"
SUMMARY_MAX = 200


# Structs, not dataclasses: loaded at init (chalicelib/http/operations.py says why).
class Actor(msgspec.Struct, frozen=True):
    """Who made the change: an admin's Cognito `sub` and email as their
    verified token says; the service routes' API key (SERVICE); or the
    operator running `make admin` (OPERATOR_SUB, with their AWS identity)."""
    sub: str
    email: str | None = None


# The service routes' caller (an API key: another backend of the team's), and
# the operator running `make admin` on their own machine (infra/admins.py).
SERVICE = Actor("service")
OPERATOR_SUB = "operator"


class Target(msgspec.Struct, frozen=True):
    """The record changed: its kind (`message`, `form`, `user`, `spamRules`,
    `admin`, `person`) and id."""
    type: str
    id: str


class AuditEntry(msgspec.Struct, frozen=True):
    id: str  # a ULID: entries sort by it newest first
    at: str
    actor: Actor
    action: str
    target: Target
    request_id: str
    summary: str

    def to_item(self, expires_at: int | None) -> dict[str, Any]:
        return {**keys.audit_entry(self.actor.sub, self.action, self.id),
                **keys.audit_listings(self.actor.sub, self.action, self.id),
                "type": ENTRY_TYPE, "id": self.id, "at": self.at,
                "actor": {"sub": self.actor.sub, "email": self.actor.email},
                "action": self.action, "target": {"type": self.target.type, "id": self.target.id},
                "requestId": self.request_id, "summary": self.summary,
                TTL_ATTRIBUTE: expires_at}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> AuditEntry:
        actor, target = item["actor"], item["target"]
        return cls(id=str(item["id"]), at=str(item["at"]),
                   actor=Actor(str(actor["sub"]), actor.get("email")),
                   action=str(item["action"]), target=Target(str(target["type"]),
                                                             str(target["id"])),
                   request_id=str(item["requestId"]), summary=str(item["summary"]))


def count_of(n: int, one: str, many: str | None = None) -> str:
    """`n` things in a summary, the noun agreeing with it: "1 reply",
    "0 replies", "2 replies" (`many` defaults to `one` + "s")."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def short(summary: str) -> str:
    """A summary cut to SUMMARY_MAX characters."""
    return summary if len(summary) <= SUMMARY_MAX else summary[:SUMMARY_MAX - 1] + "…"
