"""The users resource over HTTP: bodies in, responses (with ETag and Location) out.
Shared by the admin routes (/users) and the service routes (/service/users)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from chalice import Response
from msgspec import UNSET

from chalicelib.api import bodies
from chalicelib.audit.log import Audited
from chalicelib.core import text
from chalicelib.core.idempotency import IdempotencyStore, Scope, checked_key
from chalicelib.core.validation import Model, gather, parse, parse_into
from chalicelib.http.conditional import etag, optional_versions, required_versions
from chalicelib.http.errors import ValidationFailed
from chalicelib.http.query import page_params
from chalicelib.http.responses import json_response, no_content
from chalicelib.users.model import Email, UserCreate, UserUpdate
from chalicelib.users.store import UserStore


class UsersApi:
    def __init__(self, store: UserStore, idempotency: IdempotencyStore) -> None:
        self._store = store
        self._idempotency = idempotency

    def create(self, body: dict[str, Any], raw_key: str | None, audited: Audited,
               location_prefix: str = "/users") -> Response:
        """201 with the user; with an Idempotency-Key, a retry gets the first 201."""
        errors: list[dict[str, str]] = []
        key = gather(errors, checked_key, raw_key)
        data = parse_into(errors, UserCreate, body)
        if data is None or errors:
            raise ValidationFailed(errors)
        # A key to one route: /users and /service/users are two.
        scope = Scope(f"POST {location_prefix}", answer=bodies.User)
        user = self._idempotency.once(scope.request(key, msgspec.to_builtins(data),
                                                    about=data.email),
                                      lambda keyed: bodies.User.of(self._store.create(data, keyed,
                                                                                      audited)))
        return json_response(user, 201, {"Location": f"{location_prefix}/{user.id}",
                                         "ETag": etag(user.version)})

    def get(self, user_id: str) -> Response:
        user = self._store.get(user_id)
        return json_response(bodies.User.of(user), headers={"ETag": etag(user.version)})

    def list(self, query: Mapping[str, Any] | None) -> Response:
        limit, cursor = page_params(query)
        email = (query or {}).get("email")
        if email is not None:
            # An exact lookup: the email claim item, then the user. 0 or 1 items.
            address = parse(_EmailQuery, {"email": email}).email
            user = self._store.find_by_email(address)
            return json_response(bodies.UserPage(items=[bodies.User.of(user)] if user else [],
                                                 next_cursor=None))
        users, next_cursor = self._store.list(limit=limit, cursor=cursor)
        return json_response(bodies.UserPage(items=[bodies.User.of(u) for u in users],
                                             next_cursor=next_cursor))

    def update(self, user_id: str, body: dict[str, Any], if_match: str | None,
               audited: Audited) -> Response:
        expected = required_versions(if_match)
        changes = parse(UserUpdate, body)
        if changes.name is UNSET and changes.email is UNSET and changes.age is UNSET:
            raise ValidationFailed([{"field": "body",
                                     "message": "must change at least one of name, email, age"}])
        user = self._store.update(user_id, changes, expected, audited)
        return json_response(bodies.User.of(user), headers={"ETag": etag(user.version)})

    def delete(self, user_id: str, if_match: str | None, audited: Audited) -> Response:
        self._store.delete(user_id, optional_versions(if_match), audited)
        return no_content()


class _EmailQuery(Model):
    normalize = {"email": text.email_form}

    email: Email
