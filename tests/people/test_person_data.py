"""A person's data (GET /dashboard/people/{email}): everything stored about one
mailbox, whatever its case or +tag, through the sender index: their messages
with the replies and deliveries under them, user records, remembered answers;
paged, downloadable, and nobody else's."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.api.services import Services
from chalicelib.db import keys
from chalicelib.db.table import GSI3_PK, GSI3_SK
from infra.index_upgrades import PERSON_INDEX, run_upgrade
from tests.conftest import JSON, LocalAws
from tests.contact.conftest import VALID

ADA = "ada@example.com"


def person(client: Any, as_admin: dict[str, str], address: str, query: str = "") -> Any:
    return client.get(f"/dashboard/people/{quote(address, safe='')}{query}", headers=as_admin)


@pytest.fixture
def ada_world(client: Any, as_admin: dict[str, str], submit: Callable[..., Any],
              reply: Callable[..., Any]) -> dict[str, Any]:
    """Ada posted twice (once with a +tag, once with a key), got a reply, and
    has a user record (made with a key); Bob posted once."""
    first = submit({**VALID, "email": "Ada+news@Example.com", "message": "First"}).json_body["id"]
    second = submit({**VALID, "email": ADA, "message": "Second"}, key="ada-key-0001").json_body["id"]
    bob = submit({**VALID, "email": "bob@example.com", "message": "Bob's"}).json_body["id"]
    assert reply(first, "Thanks, Ada").status_code == 202
    user = client.post("/users", headers={**as_admin, **JSON, "Idempotency-Key": "user-key-0001"},
                       body=json.dumps({"name": "Ada L", "email": ADA}).encode())
    assert user.status_code == 201
    return {"first": first, "second": second, "bob": bob, "user": user.json_body["id"]}


def test_everything_about_the_mailbox_whatever_its_case_or_tag(
        client: Any, as_admin: dict[str, str], ada_world: dict[str, Any]) -> None:
    response = person(client, as_admin, "ADA+other@example.com")
    assert response.status_code == 200, response.json_body
    data = response.json_body
    assert data["email"] == "ada+other@example.com"
    assert {m["id"] for m in data["messages"]} == {ada_world["first"], ada_world["second"]}
    assert [(r["messageId"], r["to"], r["body"]) for r in data["replies"]] == [
        (ada_world["first"], "ada+news@example.com", "Thanks, Ada")]
    assert [u["id"] for u in data["users"]] == [ada_world["user"]]
    # Each message's owner mail, and the reply's mail, with the copies they carry.
    kinds = sorted((d["kind"], d["messageId"]) for d in data["deliveries"])
    assert kinds == sorted([("notification", ada_world["first"]),
                            ("notification", ada_world["second"]),
                            ("reply", ada_world["first"])])
    assert all(d["payload"] for d in data["deliveries"])
    # The keyed post's answer and the keyed user create's, both remembered.
    answers = [r["answer"] for r in data["idempotencyRecords"]]
    assert {"id": ada_world["second"], "status": "received"} in answers
    assert any(a.get("email") == ADA for a in answers)
    assert data["next"] is None
    assert ada_world["bob"] not in json.dumps(data)


def test_pages_follow_the_next_cursor_to_the_end(
        client: Any, as_admin: dict[str, str], ada_world: dict[str, Any]) -> None:
    seen: list[str] = []
    query = "?limit=1"
    for _ in range(10):
        data = person(client, as_admin, ADA, query).json_body
        seen += [m["id"] for m in data["messages"]] + [u["id"] for u in data["users"]]
        seen += [r["expiresAt"] for r in data["idempotencyRecords"]]
        if data["next"] is None:
            break
        query = f"?limit=1&cursor={data['next']}"
    assert data["next"] is None
    assert len(seen) == 5  # two messages, one user, two remembered answers: each once
    assert {ada_world["first"], ada_world["second"], ada_world["user"]} <= set(seen)


def test_format_json_is_a_download(client: Any, as_admin: dict[str, str],
                                   ada_world: dict[str, Any]) -> None:
    response = person(client, as_admin, ADA, "?format=json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert len(response.json_body["messages"]) == 2


def test_the_path_may_be_encoded_or_not(client: Any, as_admin: dict[str, str],
                                        ada_world: dict[str, Any]) -> None:
    plain = client.get(f"/dashboard/people/{ADA}", headers=as_admin)
    assert plain.status_code == 200
    assert len(plain.json_body["messages"]) == 2


@pytest.mark.parametrize("address", ["not-an-address", "ada@", "a b@example.com", "x" * 300])
def test_a_bad_address_is_a_400_naming_it(client: Any, as_admin: dict[str, str],
                                          address: str) -> None:
    response = person(client, as_admin, address)
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "validation_failed"
    assert response.json_body["error"]["details"][0]["field"] == "email"
    assert response.headers.get("Access-Control-Allow-Origin")


def test_a_bad_format_or_cursor_is_a_400(client: Any, as_admin: dict[str, str]) -> None:
    assert person(client, as_admin, ADA, "?format=csv").status_code == 400
    assert person(client, as_admin, ADA, "?cursor=forged").status_code == 400


def test_nobody_stored_is_an_empty_document(client: Any, as_admin: dict[str, str]) -> None:
    data = person(client, as_admin, "nobody@example.com").json_body
    assert data == {"email": "nobody@example.com", "messages": [], "replies": [], "users": [],
                    "deliveries": [], "idempotencyRecords": [], "next": None}


def test_only_admins(client: Any, user_token: str) -> None:
    response = client.get(f"/dashboard/people/{ADA}",
                          headers={"Authorization": f"Bearer {user_token}"})
    assert response.status_code == 403


def test_a_user_follows_its_email_in_the_index(client: Any, as_admin: dict[str, str]) -> None:
    made = client.post("/users", headers={**as_admin, **JSON},
                       body=json.dumps({"name": "Ada L", "email": ADA}).encode()).json_body
    changed = client.patch(f"/users/{made['id']}",
                           headers={**as_admin, **JSON, "If-Match": f'"{made["version"]}"'},
                           body=json.dumps({"email": "ada.l@example.org"}).encode())
    assert changed.status_code == 200, changed.json_body
    assert person(client, as_admin, ADA).json_body["users"] == []
    assert [u["id"] for u in person(client, as_admin, "ada.l@example.org").json_body["users"]] \
        == [made["id"]]


def test_the_deploy_lists_users_stored_before_the_index(
        client: Any, as_admin: dict[str, str], local_aws: LocalAws, fresh_table: str,
        services: Services) -> None:
    user = services.users.find_by_email(ADA) or None
    assert user is None
    made = client.post("/users", headers={**as_admin, **JSON},
                       body=json.dumps({"name": "Ada L", "email": ADA}).encode()).json_body
    dynamodb = local_aws.session.client("dynamodb")
    dynamodb.update_item(TableName=fresh_table, Key={"pk": {"S": keys.user(made["id"])["pk"]},
                                                     "sk": {"S": "USER"}},
                         UpdateExpression="REMOVE #pk, #sk",
                         ExpressionAttributeNames={"#pk": GSI3_PK, "#sk": GSI3_SK})
    assert person(client, as_admin, ADA).json_body["users"] == []
    upgraded = run_upgrade(dynamodb, fresh_table, PERSON_INDEX)
    assert upgraded.listed == 1
    assert [u["id"] for u in person(client, as_admin, ADA).json_body["users"]] == [made["id"]]
    assert run_upgrade(dynamodb, fresh_table, PERSON_INDEX).listed == 0  # once
