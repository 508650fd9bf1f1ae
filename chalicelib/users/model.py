"""Users: the request bodies (with their constraints), the record, and its
mapping to and from the table's items."""
from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from chalicelib.core import text
from chalicelib.core.validation import Model
from chalicelib.db import keys

# Deliverability is for a confirmation email to prove, not a regex.
Name = Annotated[str, Meta(min_length=2, max_length=100, pattern=text.ONE_LINE,
                           description="2 to 100 characters, without control characters")]
Email = Annotated[str, Meta(max_length=254, pattern=text.EMAIL,
                            description="a valid email address")]
Age = Annotated[int, Meta(ge=18, le=120, description="an integer from 18 to 120")]


class UserCreate(Model):
    normalize = {"name": text.trim_spaces, "email": text.email_form}

    name: Name
    email: Email
    age: Age | None | UnsetType = UNSET


class UserUpdate(Model):
    """PATCH: absent fields stay as they are; `"age": null` removes the age."""
    normalize = {"name": text.trim_spaces, "email": text.email_form}

    name: Name | UnsetType = UNSET
    email: Email | UnsetType = UNSET
    age: Age | None | UnsetType = UNSET


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says why).
class User(msgspec.Struct, frozen=True):
    id: str
    name: str
    email: str
    age: int | None
    created_at: str
    updated_at: str
    version: int

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "name": self.name, "email": self.email}
        if self.age is not None:
            body["age"] = self.age
        body.update(createdAt=self.created_at, updatedAt=self.updated_at, version=self.version)
        return body

    def to_item(self) -> dict[str, Any]:
        return {**keys.user(self.id), **keys.user_listing(self.id), **self.person_listing(),
                "type": "user",
                "id": self.id, "name": self.name, "email": self.email, "age": self.age,
                "createdAt": self.created_at, "updatedAt": self.updated_at,
                "version": self.version}

    def person_listing(self) -> dict[str, str]:
        """Its keys among its email's records (chalicelib/people): found and
        erased with the rest of that person's data."""
        return keys.person_record(self.email, keys.PERSON_USER, self.id)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> User:
        return cls(id=item["id"], name=item["name"], email=item["email"], age=item.get("age"),
                   created_at=item["createdAt"], updated_at=item["updatedAt"],
                   version=int(item["version"]))
