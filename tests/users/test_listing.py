"""Listing users: cursor paging over a GSI Query, never a Scan, at a cost per
page that does not grow with the table."""
from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib.db import keys
from chalicelib.db.items import to_item
from chalicelib.platform.ids import UlidGenerator
from chalicelib.users.model import User
from chalicelib.users.store import UserStore
from tests.conftest import LocalAws


def seed_users(local_aws: LocalAws, table: str, count: int) -> list[str]:
    """Write `count` users straight into the table (BatchWriteItem), as fixtures
    for reads. Creation through the store is tested elsewhere."""
    ids = UlidGenerator()
    dynamodb = local_aws.session.client("dynamodb")
    made = []
    for start in range(0, count, 25):
        requests = []
        for n in range(start, min(start + 25, count)):
            user = User(id=ids(), name=f"User {n}", email=f"user{n}@example.com", age=None,
                        created_at="2026-01-01T00:00:00.000Z",
                        updated_at="2026-01-01T00:00:00.000Z", version=1)
            made.append(user.id)
            requests.append({"PutRequest": {"Item": to_item(user.to_item())}})
            requests.append({"PutRequest": {"Item": to_item(
                {**keys.email_claim(user.email), "userId": user.id})}})
        for half in (requests[:25], requests[25:]):
            if half:
                dynamodb.batch_write_item(RequestItems={table: half})
    return made


def pages(client: Any, headers: dict[str, str], limit: int) -> Iterator[dict[str, Any]]:
    cursor = None
    while True:
        query = f"/users?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(query, headers=headers)
        assert response.status_code == 200, response.body
        yield response.json_body
        cursor = response.json_body["nextCursor"]
        if cursor is None:
            return


def test_paging_through_250_users_returns_each_once_newest_first(
        client: Any, as_admin: dict[str, str], local_aws: LocalAws, fresh_table: str) -> None:
    created = seed_users(local_aws, fresh_table, 250)
    seen = [user["id"] for page in pages(client, as_admin, 40) for user in page["items"]]
    assert seen == sorted(created, reverse=True)
    assert len(set(seen)) == 250


def test_default_page_is_25_and_the_last_page_has_no_cursor(
        client: Any, as_admin: dict[str, str], local_aws: LocalAws, fresh_table: str) -> None:
    seed_users(local_aws, fresh_table, 30)
    first = client.get("/users", headers=as_admin).json_body
    assert len(first["items"]) == 25 and first["nextCursor"]
    second = client.get(f"/users?cursor={first['nextCursor']}", headers=as_admin).json_body
    assert len(second["items"]) == 5 and second["nextCursor"] is None


def test_an_exact_page_boundary_ends_without_an_empty_page(
        client: Any, as_admin: dict[str, str], local_aws: LocalAws, fresh_table: str) -> None:
    seed_users(local_aws, fresh_table, 20)
    assert [len(p["items"]) for p in pages(client, as_admin, 10)] == [10, 10]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5", "", "٣", "9" * 5000, "0010"])
def test_limit_outside_1_to_100_is_400(client: Any, as_admin: dict[str, str], limit: str) -> None:
    response = client.get(f"/users?limit={limit}", headers=as_admin)
    assert response.status_code == 400
    assert response.json_body["error"]["details"][0]["field"] == "limit"


def test_a_tampered_cursor_is_400(client: Any, as_admin: dict[str, str], local_aws: LocalAws,
                                  fresh_table: str) -> None:
    seed_users(local_aws, fresh_table, 5)
    cursor = client.get("/users?limit=2", headers=as_admin).json_body["nextCursor"]
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[10] ^= 0x01
    tampered = [
        base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode(),  # one bit flipped
        cursor[:-3],  # truncated
        "not-a-cursor",
        base64.urlsafe_b64encode(json.dumps(
            {"pk": "EMAIL#admin@example.com", "sk": "EMAIL"}).encode()).decode(),  # a raw key
        "A" * 5000,
    ]
    for value in tampered:
        response = client.get(f"/users?cursor={value}", headers=as_admin)
        assert response.status_code == 400, value
        assert response.json_body["error"]["details"][0]["field"] == "cursor"


def test_a_cursor_from_another_list_is_refused() -> None:
    from chalicelib.core.domain_errors import CursorInvalid
    from chalicelib.db.cursor import decode_cursor, encode_cursor

    with pytest.raises(CursorInvalid):
        decode_cursor("USERS", encode_cursor("MSGS#new", "01JD0000000000000000000000"))


def test_email_is_an_exact_lookup(client: Any, as_admin: dict[str, str],
                                  create: Callable[..., Any]) -> None:
    user = create(name="Findable", email="find.me@example.com").json_body
    create(name="Other", email="find.me.not@example.com")
    found = client.get("/users?email=FIND.ME@example.com", headers=as_admin).json_body
    assert found == {"items": [user], "nextCursor": None}
    missing = client.get("/users?email=nobody@example.com", headers=as_admin).json_body
    assert missing == {"items": [], "nextCursor": None}
    bad = client.get("/users?email=not-an-email", headers=as_admin)
    assert bad.status_code == 400 and bad.json_body["error"]["details"][0]["field"] == "email"


def read_cost(local_aws: LocalAws, table: str, limit: int) -> tuple[int, int]:
    """What one page costs: the Count and ScannedCount DynamoDB reports."""
    dynamodb = local_aws.session.client("dynamodb")
    seen: list[dict[str, Any]] = []
    dynamodb.meta.events.register("after-call.dynamodb.Query",
                                  lambda parsed, **_: seen.append(parsed))
    UserStore(dynamodb, table).list(limit=limit)
    (response,) = seen
    return response["Count"], response["ScannedCount"]


def test_a_page_reads_the_same_at_100_and_2000_users(local_aws: LocalAws,
                                                     fresh_table: str) -> None:
    seed_users(local_aws, fresh_table, 100)
    small = read_cost(local_aws, fresh_table, 25)
    seed_users(local_aws, fresh_table, 1900)
    large = read_cost(local_aws, fresh_table, 25)
    assert small == large == (26, 26)  # the page plus one look-ahead item
