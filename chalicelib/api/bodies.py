"""Every JSON body the API answers with, declared once.

Each is a msgspec Struct: the pipeline encodes it (chalicelib/http/responses.py),
and /openapi.json takes its schema from it (msgspec.json.schema_components), so
the document cannot promise a field, or miss one, that the answer differs in.
Field names are written in snake_case and sent in camelCase; a field that may be
absent defaults to UNSET, which is never sent; the class name is the schema's
name in the document. The error shape is in chalicelib/http/responses.py; the
contact and dashboard bodies are in chalicelib/api/message_bodies.py, loaded
with those routes.
"""
from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from chalicelib.users import model as users

Moment = Annotated[str, Meta(extra_json_schema={"format": "date-time"})]


class Body(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """Base of the answers' bodies (no description of its own in the document)."""


class User(Body, kw_only=True):
    id: str
    name: str
    email: str
    age: int | UnsetType = UNSET
    created_at: Moment
    updated_at: Moment
    version: int

    @classmethod
    def of(cls, user: users.User) -> User:
        return cls(id=user.id, name=user.name, email=user.email,
                   age=UNSET if user.age is None else user.age, created_at=user.created_at,
                   updated_at=user.updated_at, version=user.version)


class UserPage(Body):
    items: list[User]
    next_cursor: str | None


class Me(Body):
    sub: str
    email: str | None
    groups: list[str]
    user: User | None


class Health(Body):
    ok: Annotated[bool, Meta(extra_json_schema={"const": True})]


HEALTHY = Health(ok=True)

# The bodies above, for /openapi.json.
ANSWERS: tuple[type[msgspec.Struct], ...] = (User, UserPage, Me, Health)
