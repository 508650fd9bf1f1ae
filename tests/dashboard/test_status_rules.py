"""The status rules: `replied` is reached by replying and never lost by a
click. An answered message asked to be new or read (marked read, moved back
from the archive) stays or becomes `replied`; it can still be archived."""
from __future__ import annotations

import json
from typing import Any

from tests.conftest import JSON


def patch(client: Any, headers: dict[str, str], message_id: str, status: str) -> Any:
    return client.patch(f"/dashboard/messages/{message_id}", headers={**headers, **JSON},
                        body=json.dumps({"status": status}).encode())


def counts(client: Any, headers: dict[str, str]) -> dict[str, int]:
    return dict(client.get("/dashboard/stats", headers=headers).json_body["messages"])


def test_marking_a_replied_message_read_or_new_keeps_it_replied(
        message_id: str, reply: Any, client: Any, as_admin: dict[str, str]) -> None:
    assert reply(message_id, "Thanks!").status_code == 202
    for asked in ("read", "new"):
        response = patch(client, as_admin, message_id, asked)
        assert response.status_code == 200
        assert response.json_body["status"] == "replied"
        assert response.json_body["replyCount"] == 1
    assert counts(client, as_admin) == {"new": 0, "read": 0, "replied": 1, "archived": 0, "spam": 0}
    listed = client.get("/dashboard/messages?status=replied", headers=as_admin).json_body
    assert [m["id"] for m in listed["items"]] == [message_id]


def test_an_archived_answered_message_comes_back_as_replied(
        message_id: str, reply: Any, client: Any, as_admin: dict[str, str]) -> None:
    assert reply(message_id, "Thanks!").status_code == 202
    archived = patch(client, as_admin, message_id, "archived")
    assert archived.status_code == 200 and archived.json_body["status"] == "archived"
    assert counts(client, as_admin) == {"new": 0, "read": 0, "replied": 0, "archived": 1, "spam": 0}
    back = patch(client, as_admin, message_id, "new")
    assert back.status_code == 200 and back.json_body["status"] == "replied"
    assert counts(client, as_admin) == {"new": 0, "read": 0, "replied": 1, "archived": 0, "spam": 0}


def test_a_message_never_answered_moves_freely(
        message_id: str, client: Any, as_admin: dict[str, str]) -> None:
    for status in ("read", "new", "archived", "read", "archived", "new"):
        response = patch(client, as_admin, message_id, status)
        assert response.status_code == 200 and response.json_body["status"] == status
    assert counts(client, as_admin) == {"new": 1, "read": 0, "replied": 0, "archived": 0, "spam": 0}


def test_replied_cannot_be_set_by_hand(message_id: str, client: Any,
                                       as_admin: dict[str, str]) -> None:
    response = patch(client, as_admin, message_id, "replied")
    assert response.status_code == 400
    assert response.json_body["error"]["details"][0]["field"] == "status"
    assert counts(client, as_admin)["new"] == 1
