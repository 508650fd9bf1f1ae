"""The answers' bodies are their Structs (chalicelib/api/bodies.py): the JSON and
the document's schemas both come from them."""
from __future__ import annotations

import json

import msgspec
import pytest

from chalicelib.api import bodies, message_bodies
from chalicelib.contact.model import STATUSES
from chalicelib.users.model import User


@pytest.mark.parametrize("age", [None, 40])
def test_the_users_store_remembers_the_body_the_route_answers(age: int | None) -> None:
    # UserStore.create remembers User.to_json() for an Idempotency-Key replay;
    # the replay is read back as bodies.User, so the two must say the same.
    user = User(id="01JD0000000000000000000000", name="Ada", email="ada@example.com", age=age,
                created_at="2026-12-07T10:00:00Z", updated_at="2026-12-07T10:00:00Z", version=1)
    remembered = msgspec.json.encode(user.to_json())
    assert msgspec.json.decode(remembered, type=bodies.User) == bodies.User.of(user)
    assert json.loads(msgspec.json.encode(bodies.User.of(user))) == user.to_json()


def test_an_absent_age_is_not_sent() -> None:
    user = User(id="1", name="Ada", email="ada@example.com", age=None, created_at="t",
                updated_at="t", version=1)
    assert "age" not in json.loads(msgspec.json.encode(bodies.User.of(user)))


def test_stats_count_every_message_status() -> None:
    _, schemas = msgspec.json.schema_components([message_bodies.Stats])
    assert schemas["MessageCounts"]["required"] == list(STATUSES)
    assert "replied" in schemas["MessageCounts"]["required"]
