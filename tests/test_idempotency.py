"""IdempotencyStore.once holds the keyed-create sequence for every keyed route:
replay, else create, and on a key clash the winner's answer. Against the local
DynamoDB; the creates below remember their answer as a real store's write does."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core.domain_errors import IdempotencyKeyReused, KeyInUse
from chalicelib.core.idempotency import IdempotencyStore, IdempotentRequest, Scope

CHALICELIB = Path(__file__).resolve().parents[1] / "chalicelib"


@pytest.fixture
def store(local_aws: Any, fresh_table: str) -> IdempotencyStore:
    return IdempotencyStore(local_aws.session.client("dynamodb"), fresh_table)


class Creates:
    """A create that remembers its answer, and counts how often it ran."""

    def __init__(self, store: IdempotencyStore, answer: dict[str, Any]) -> None:
        self.store, self.answer, self.calls = store, answer, 0

    def __call__(self, request: IdempotentRequest | None) -> dict[str, Any]:
        self.calls += 1
        return self.store.remember(request, self.answer) if request else self.answer


def test_a_retry_gets_the_first_answer_without_creating_again(store: IdempotencyStore) -> None:
    request = Scope("POST /things").request("key-0000001", {"name": "a"})
    first = Creates(store, {"id": "1"})
    assert store.once(request, first) == {"id": "1"}
    again = Creates(store, {"id": "2"})
    assert store.once(request, again) == {"id": "1"}
    assert (first.calls, again.calls) == (1, 0)


def test_without_a_key_every_call_creates(store: IdempotencyStore) -> None:
    creates = Creates(store, {"id": "1"})
    assert Scope("POST /things").request(None, {"name": "a"}) is None
    store.once(None, creates)
    store.once(None, creates)
    assert creates.calls == 2


def test_a_create_that_loses_the_race_answers_with_the_winners_answer(
        store: IdempotencyStore) -> None:
    request = Scope("POST /things").request("key-0000002", {"name": "a"})
    assert request is not None

    def loses(keyed: IdempotentRequest | None) -> dict[str, Any]:
        store.remember(request, {"id": "winner"})  # the winner's write, just before ours
        raise KeyInUse()

    assert store.once(request, loses) == {"id": "winner"}


def test_the_same_key_with_another_body_is_refused(store: IdempotencyStore) -> None:
    scope = Scope("POST /things")
    store.once(scope.request("key-0000003", {"name": "a"}), Creates(store, {"id": "1"}))
    with pytest.raises(IdempotencyKeyReused):
        store.once(scope.request("key-0000003", {"name": "b"}), Creates(store, {"id": "2"}))


def test_a_per_actor_scope_keeps_each_actors_keys_apart(store: IdempotencyStore) -> None:
    scope = Scope("POST /replies", per_actor=True)
    one = scope.request("key-0000004", {"body": "hi"}, actor="admin-1")
    other = scope.request("key-0000004", {"body": "hi"}, actor="admin-2")
    assert one is not None and other is not None and one.key_digest != other.key_digest
    assert store.once(one, Creates(store, {"id": "1"})) == {"id": "1"}
    assert store.once(other, Creates(store, {"id": "2"})) == {"id": "2"}


def test_a_scope_says_whether_an_actor_belongs_to_it() -> None:
    with pytest.raises(ValueError, match="an actor is part of this scope"):
        Scope("POST /replies", per_actor=True).request("key-0000005", {})
    with pytest.raises(ValueError, match="an actor is not part of this scope"):
        Scope("POST /things").request("key-0000005", {}, actor="admin-1")


def test_the_digests_of_todays_keys_stay_as_they_were() -> None:
    # Keys remembered before the Scope existed (24 hours of them) still replay.
    assert Scope("POST /users").request("k" * 8, {})  == IdempotentRequest("POST /users", "k" * 8, {})
    assert Scope("POST /dashboard/messages/{id}/replies", per_actor=True).request(
        "k" * 8, {}, actor="sub-1") == IdempotentRequest(
        "POST /dashboard/messages/{id}/replies by sub-1", "k" * 8, {})


def test_only_the_store_replays() -> None:
    """The sequence is written once: nothing outside idempotency.py replays a key."""
    callers = []
    for path in CHALICELIB.rglob("*.py"):
        if path.name == "idempotency.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("replay", "replay_raced"):
                callers.append(f"{path.relative_to(CHALICELIB)}:{node.lineno}")
    assert callers == []
