"""A person's data over HTTP: GET (and its download) and DELETE
/dashboard/people/{email}."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from chalice import Response

from chalicelib.api import person_bodies as bodies
from chalicelib.api.bodies import User as UserBody
from chalicelib.api.message_bodies import Message as MessageBody
from chalicelib.audit.log import Audited
from chalicelib.contact.model import Message
from chalicelib.core import text
from chalicelib.core.validation import Model, gather, parse_into
from chalicelib.dashboard.replies import Reply
from chalicelib.http.errors import ValidationFailed
from chalicelib.http.query import page_params
from chalicelib.http.responses import json_response
from chalicelib.people.erasure import Erasure
from chalicelib.people.records import PersonRecords
from chalicelib.users.model import Email, User

JSON_FILE = "json"  # ?format=json: the same page as a file to save


class _Person(Model):
    normalize = {"email": text.email_form}

    email: Email


def person_address(raw: str) -> str:
    """The address in the path, percent-decoded once (the local gateway and
    API Gateway's REST APIs hand the path parameter on still encoded, so
    `ada%40example.com` and `ada@example.com` are one address), or a 400
    naming `email`."""
    errors: list[dict[str, str]] = []
    person = parse_into(errors, _Person, {"email": unquote(raw)})
    if person is None:
        raise ValidationFailed(errors)
    return person.email


class PeopleApi:
    def __init__(self, records: PersonRecords, erasure: Erasure,
                 salt: Callable[[], str]) -> None:
        self._records = records
        self._erasure = erasure
        self._salt = salt  # the stage's, for the audit entry's hash of the address

    def get(self, raw_email: str, query: Mapping[str, Any] | None) -> Response:
        query = query or {}
        errors: list[dict[str, str]] = []
        page = gather(errors, page_params, query)
        file = query.get("format") or None
        if file not in (None, JSON_FILE):
            errors.append({"field": "format", "message": f"must be {JSON_FILE} or empty"})
        address = gather(errors, person_address, raw_email)
        if errors or page is None or address is None:
            raise ValidationFailed(errors)
        limit, cursor = page
        found = self._records.page(address, limit=limit, cursor=cursor)
        body = bodies.PersonData(
            email=address,
            messages=[MessageBody.of(Message.from_item(item)) for item in found.messages],
            replies=[bodies.PersonReply.of(Reply.from_item(item)) for item in found.replies],
            users=[UserBody.of(User.from_item(item)) for item in found.users],
            deliveries=[bodies.PersonDelivery.of(item) for item in found.deliveries],
            idempotency_records=[bodies.RememberedAnswer.of(item) for item in found.idempotency],
            next=found.next_cursor)
        disposition = 'attachment; filename="person-data.json"' if file == JSON_FILE \
            else "inline"
        return json_response(body, headers={"Content-Disposition": disposition})

    def erase(self, raw_email: str, audited: Audited) -> Response:
        erased = self._erasure.erase(person_address(raw_email), audited=audited,
                                     salt=self._salt)
        return json_response(bodies.Erased(erased=bodies.ErasedCounts(
            **{name: erased.counts[key] for name, key in _COUNTED.items()}),
            complete=erased.complete))


_COUNTED = {"messages": "messages", "replies": "replies", "users": "users",
            "deliveries": "deliveries", "idempotency_records": "idempotencyRecords"}
