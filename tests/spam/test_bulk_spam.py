"""Bulk `spam` and `not_spam` (POST /dashboard/messages/bulk): each id as
PATCH {"status": "spam"} and, on a spam message, {"status": "new"} would do,
the mail a spam message held back sent once when it is cleared."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from devstack.triggers import StreamPump
from tests.conftest import JSON
from tests.contact.conftest import VALID
from tests.spam.test_marking import counts


def bulk(client: Any, as_admin: dict[str, str], ids: list[str], action: str) -> Any:
    response = client.post("/dashboard/messages/bulk", headers={**as_admin, **JSON},
                           body=json.dumps({"ids": ids, "action": action}).encode())
    assert response.status_code == 200, response.json_body
    return response.json_body["results"]


def test_spam_then_not_spam_in_bulk_moves_the_counts_and_sends_the_held_mail_once(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any], pump: StreamPump,
        put_rules: Callable[..., Any], sent_mail: Callable[[str], list[Any]]) -> None:
    put_rules({"blockedWords": ["casino"]})
    held = submit({**VALID, "message": "casino night"}).json_body["id"]
    good, other = (submit({**VALID, "message": f"hello {n}"}).json_body["id"] for n in (1, 2))
    pump.poll_once()
    assert sent_mail(held) == []
    assert bulk(client, as_admin, [good, "nope"], "spam") == [
        {"id": good, "status": "spam"},
        {"id": "nope", "error": {"code": "not_found", "message": "No message has this id."}}]
    assert counts(client, as_admin)["spam"] == 2
    # not_spam clears spam (new again, the held mail requested) and leaves the rest alone.
    assert bulk(client, as_admin, [held, good, other], "not_spam") == [
        {"id": held, "status": "new"}, {"id": good, "status": "new"},
        {"id": other, "status": "new"}]
    assert counts(client, as_admin)["spam"] == 0 and counts(client, as_admin)["new"] == 3
    pump.poll_once()
    assert len(sent_mail(held)) == 1
    assert bulk(client, as_admin, [held], "not_spam") == [{"id": held, "status": "new"}]
    pump.poll_once()
    assert len(sent_mail(held)) == 1


def test_not_spam_leaves_a_message_that_is_not_spam_as_it_is(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any]) -> None:
    message_id = submit(VALID).json_body["id"]
    assert bulk(client, as_admin, [message_id], "archive") == [
        {"id": message_id, "status": "archived"}]
    assert bulk(client, as_admin, [message_id], "not_spam") == [
        {"id": message_id, "status": "archived"}]
    assert counts(client, as_admin)["archived"] == 1
