"""`GET /dashboard/messages?status=all`: the messages of every status as one
list, newest first, paged with its own cursor, filtered by form too."""
from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.contact.store import MessageStore
from chalicelib.forms.builtin import CONTACT_ID
from tests.conftest import JSON, LocalAws


@pytest.fixture
def messages(local_aws: LocalAws, fresh_table: str) -> MessageStore:
    return MessageStore(local_aws.session.client("dynamodb"), fresh_table)


def add(messages: MessageStore, count: int) -> list[str]:
    return [messages.create({"name": f"Sender {n}", "email": f"s{n}@example.com",
                             "message": f"Message {n}"}, None)["id"] for n in range(count)]


def pages(client: Any, headers: dict[str, str], query: str, limit: int) -> list[list[dict[str, Any]]]:
    found, cursor = [], None
    while True:
        url = f"/dashboard/messages?{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.json_body
        found.append(response.json_body["items"])
        cursor = response.json_body["nextCursor"]
        if cursor is None:
            return found


def test_every_status_is_one_list_newest_first(client: Any, as_admin: dict[str, str],
                                               messages: MessageStore) -> None:
    ids = add(messages, 13)
    statuses = ["new", "read", "archived"]
    for n, message_id in enumerate(ids):
        status = statuses[n % 3]
        if status != "new":
            messages.set_status(message_id, status)
    found = pages(client, as_admin, "status=all", 4)
    assert [len(page) for page in found] == [4, 4, 4, 1]  # no empty last page
    listed = [m for page in found for m in page]
    assert [m["id"] for m in listed] == sorted(ids, reverse=True)
    assert {m["id"]: m["status"] for m in listed} == {
        message_id: statuses[n % 3] for n, message_id in enumerate(ids)}


def test_every_status_of_one_form(client: Any, as_admin: dict[str, str],
                                  messages: MessageStore) -> None:
    ids = add(messages, 5)
    messages.set_status(ids[1], "archived")
    listed = [m["id"] for page in pages(client, as_admin, f"status=all&form={CONTACT_ID}", 2)
              for m in page]
    assert listed == sorted(ids, reverse=True)
    assert pages(client, as_admin, "status=all&form=quote", 2) == [[]]


def test_a_cursor_of_one_status_is_refused_by_the_list_of_all(
        client: Any, as_admin: dict[str, str], messages: MessageStore) -> None:
    add(messages, 3)
    cursor = client.get("/dashboard/messages?limit=1", headers=as_admin).json_body["nextCursor"]
    response = client.get(f"/dashboard/messages?status=all&cursor={cursor}", headers=as_admin)
    assert response.status_code == 400
    assert response.json_body["error"]["details"][0]["field"] == "cursor"
    every = client.get("/dashboard/messages?status=all&limit=1", headers=as_admin).json_body
    response = client.get(f"/dashboard/messages?status=new&cursor={every['nextCursor']}",
                          headers=as_admin)
    assert response.status_code == 400


def test_an_export_takes_status_all_as_every_status(client: Any, as_admin: dict[str, str],
                                                    messages: MessageStore) -> None:
    ids = add(messages, 3)
    client.patch(f"/dashboard/messages/{ids[0]}", headers={**as_admin, **JSON},
                 body=json.dumps({"status": "archived"}).encode())
    every = client.get("/dashboard/messages/export", headers={**as_admin, "Accept": "text/csv"})
    named = client.get("/dashboard/messages/export?status=all",
                       headers={**as_admin, "Accept": "text/csv"})
    assert every.status_code == named.status_code == 200
    assert named.body == every.body
    assert all(message_id in named.body.decode() for message_id in ids)
