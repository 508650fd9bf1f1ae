"""The audit log over HTTP: GET /dashboard/audit (admin), and the actor an
admin write is recorded under, from the verified identity."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from chalice import Response
from msgspec import Meta

from chalicelib.api.bodies import Body, Moment
from chalicelib.audit import entry as audit
from chalicelib.audit.log import AuditLog
from chalicelib.auth.identity import Identity
from chalicelib.core.validation import gather
from chalicelib.http.errors import ValidationFailed
from chalicelib.http.query import page_params
from chalicelib.http.responses import json_response

MAX_ACTOR = 128


def actor_of(identity: Identity) -> audit.Actor:
    return audit.Actor(identity.sub, identity.email)


class AuditActor(Body):
    """Who: an admin's Cognito sub and email (the operator's `make admin`:
    sub "operator")."""
    sub: str
    email: str | None


class AuditTarget(Body):
    """What: a record's kind (message, form, user, spamRules, admin, person)
    and id; an erased person's id is a salted hash of their address."""
    type: str
    id: str


class AuditEntry(Body):
    """One admin write."""
    id: str
    at: Moment
    actor: AuditActor
    action: Annotated[str, Meta(description=f"one of {', '.join(audit.ACTIONS)}")]
    target: AuditTarget
    request_id: Annotated[str, Meta(description="the API request's id (its X-Request-Id)")]
    summary: str

    @classmethod
    def of(cls, entry: audit.AuditEntry) -> AuditEntry:
        return cls(id=entry.id, at=entry.at,
                   actor=AuditActor(sub=entry.actor.sub, email=entry.actor.email),
                   action=entry.action,
                   target=AuditTarget(type=entry.target.type, id=entry.target.id),
                   request_id=entry.request_id, summary=entry.summary)


class AuditPage(Body):
    """A page of the audit log, newest first."""
    items: list[AuditEntry]
    next_cursor: str | None


ANSWERS = (AuditActor, AuditTarget, AuditEntry, AuditPage)


def _actor(query: Mapping[str, Any], errors: list[dict[str, str]]) -> str | None:
    actor = query.get("actor") or None
    if actor is not None and not (len(actor) <= MAX_ACTOR
                                  and all("\x21" <= ch <= "\x7e" for ch in actor)):
        errors.append({"field": "actor", "message": f"must be an actor's sub: at most "
                                                    f"{MAX_ACTOR} printable characters"})
        return None
    return actor


def _action(query: Mapping[str, Any], errors: list[dict[str, str]]) -> str | None:
    action = query.get("action") or None
    if action is not None and action not in audit.ACTIONS:
        errors.append({"field": "action", "message": f"must be one of {', '.join(audit.ACTIONS)}"})
        return None
    return action


class AuditApi:
    def __init__(self, log: AuditLog) -> None:
        self._log = log

    def list(self, query: Mapping[str, Any] | None) -> Response:
        query = query or {}
        errors: list[dict[str, str]] = []
        page = gather(errors, page_params, query)
        actor, action = _actor(query, errors), _action(query, errors)
        if errors or page is None:
            raise ValidationFailed(errors)
        limit, cursor = page
        entries, next_cursor = self._log.list(actor=actor, action=action, limit=limit,
                                              cursor=cursor)
        return json_response(AuditPage(items=[AuditEntry.of(e) for e in entries],
                                       next_cursor=next_cursor))
