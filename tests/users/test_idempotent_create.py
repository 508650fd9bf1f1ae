"""POST /users and POST /service/users honour Idempotency-Key as POST /contact
does: a retried create gets the first answer, never a 409 for its own record."""
from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from tests.conftest import JSON

ADA = {"name": "Ada Lovelace", "email": "ada@example.com", "age": 36}


def post(client: Any, path: str, headers: dict[str, str], body: dict[str, Any],
         key: str | None) -> Any:
    extra = {"Idempotency-Key": key} if key is not None else {}
    return client.post(path, headers={**headers, **JSON, **extra}, body=json.dumps(body).encode())


@pytest.fixture(params=["/users", "/service/users"])
def route(request: Any, as_admin: dict[str, str], as_service: dict[str, str]) -> tuple[str, Any]:
    return request.param, as_admin if request.param == "/users" else as_service


def users_count(client: Any, as_admin: dict[str, str]) -> int:
    return int(client.get("/dashboard/stats", headers=as_admin).json_body["users"])


def test_a_retried_create_gets_the_first_answer(client: Any, route: tuple[str, Any],
                                                as_admin: dict[str, str]) -> None:
    path, headers = route
    first = post(client, path, headers, ADA, "create-ada-0001")
    again = post(client, path, headers, {**ADA, "email": " ADA@example.com "}, "create-ada-0001")
    assert first.status_code == again.status_code == 201
    assert again.json_body == first.json_body
    assert again.headers["Location"] == first.headers["Location"] == f"{path}/{first.json_body['id']}"
    assert again.headers["ETag"] == first.headers["ETag"] == '"1"'
    assert users_count(client, as_admin) == 1


def test_without_a_key_a_second_create_is_409(client: Any, route: tuple[str, Any]) -> None:
    path, headers = route
    assert post(client, path, headers, ADA, None).status_code == 201
    assert post(client, path, headers, ADA, None).status_code == 409


def test_the_same_key_with_another_body_is_409_and_creates_nothing(
        client: Any, route: tuple[str, Any], as_admin: dict[str, str]) -> None:
    path, headers = route
    assert post(client, path, headers, ADA, "create-ada-0002").status_code == 201
    response = post(client, path, headers, {**ADA, "email": "grace@example.com"}, "create-ada-0002")
    assert response.status_code == 409
    assert response.json_body["error"]["details"][0]["field"] == "Idempotency-Key"
    assert users_count(client, as_admin) == 1


def test_the_replay_is_the_first_answer_even_after_an_edit(client: Any,
                                                           as_admin: dict[str, str]) -> None:
    first = post(client, "/users", as_admin, ADA, "create-ada-0003")
    client.patch(f"/users/{first.json_body['id']}", headers={**as_admin, **JSON, "If-Match": '"1"'},
                 body=b'{"name": "Countess"}')
    assert post(client, "/users", as_admin, ADA, "create-ada-0003").json_body == first.json_body


def test_a_key_belongs_to_one_route(client: Any, as_admin: dict[str, str],
                                    as_service: dict[str, str]) -> None:
    assert post(client, "/users", as_admin, ADA, "create-ada-0004").status_code == 201
    # Not a replay of the admin route's answer: a create of its own, refused for the email.
    response = post(client, "/service/users", as_service, ADA, "create-ada-0004")
    assert response.status_code == 409
    assert response.json_body["error"]["details"][0]["field"] == "email"


def test_concurrent_creates_with_one_key_create_one_user(client: Any, frontdesk_app: Any,
                                                         as_admin: dict[str, str]) -> None:
    from tests.support.client import parity_client

    start = threading.Barrier(6)
    answers: list[Any] = []

    def create() -> None:
        with parity_client(frontdesk_app) as own_client:
            start.wait()
            answers.append(post(own_client, "/users", as_admin, ADA, "create-ada-race"))

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 6
    assert len({a.json_body["id"] for a in answers}) == 1
    assert users_count(client, as_admin) == 1


@pytest.mark.parametrize("key", ["short", "x" * 129, "has space", "ünïcödé-key"])
def test_a_malformed_key_is_400_with_the_body_errors(client: Any, route: tuple[str, Any],
                                                     key: str) -> None:
    path, headers = route
    response = post(client, path, headers, {"name": "A", "email": "nope"}, key)
    assert response.status_code == 400
    fields = {d["field"] for d in response.json_body["error"]["details"]}
    assert fields == {"Idempotency-Key", "name", "email"}


def test_a_create_racing_its_own_key_defers_to_the_winner(local_aws: Any, fresh_table: str) -> None:
    from chalicelib.core.domain_errors import KeyInUse
    from chalicelib.core.idempotency import IdempotencyStore, IdempotentRequest
    from chalicelib.users.model import UserCreate
    from chalicelib.users.store import UserStore

    dynamodb = local_aws.session.client("dynamodb")
    store, keys = UserStore(dynamodb, fresh_table), IdempotencyStore(dynamodb, fresh_table)
    request = IdempotentRequest("POST /users", "raced-key-1", ADA)
    winner = store.create(UserCreate(**ADA), request)
    # The loser read no record before the winner wrote it; its own write finds it.
    with pytest.raises(KeyInUse):
        store.create(UserCreate(**ADA), request)
    assert keys.replay_raced(request) == winner.to_json()
    assert store.find_by_email("ada@example.com") == winner
