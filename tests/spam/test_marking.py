"""Marking by hand: PATCH {"status": "spam"} and back. Clearing sends the mail
spam held back, through the outbox, exactly once, however often a message is
marked and cleared, and under concurrent clears."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from chalicelib.contact.model import HELD
from chalicelib.contact.store import MessageStore
from chalicelib.core.domain_errors import DependencyUnavailable
from chalicelib.spam.rules import parse_rules
from devstack.triggers import StreamPump
from tests.conftest import JSON
from tests.contact.conftest import VALID

DAYS_30 = 30 * 86_400


def patch(client: Any, as_admin: dict[str, str], message_id: str, status: str) -> Any:
    return client.patch(f"/dashboard/messages/{message_id}", headers={**as_admin, **JSON},
                        body=json.dumps({"status": status}).encode())


def counts(client: Any, as_admin: dict[str, str]) -> dict[str, Any]:
    body = client.get("/dashboard/stats", headers=as_admin).json_body
    return {**body["messages"], "pending": body["notifications"]["pending"]}


def test_marking_by_hand_moves_the_message_and_dates_every_item_of_it(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any],
        partition: Callable[..., Any]) -> None:
    message_id = submit(VALID).json_body["id"]
    before = int(time.time())
    marked = patch(client, as_admin, message_id, "spam")
    assert marked.status_code == 200
    assert marked.json_body["status"] == "spam" and marked.json_body["spamReason"] == ["manual"]
    items = partition(message_id)
    assert set(items) == {"MSG", "DELIVERY#notification"}
    assert {item["expiresAt"] for item in items.values()} == {items["MSG"]["expiresAt"]}
    assert before + DAYS_30 <= items["MSG"]["expiresAt"] <= int(time.time()) + DAYS_30
    # The expiry runs from when it became spam, kept so that it can be computed again.
    assert items["MSG"]["spamAt"] == marked.json_body["updatedAt"]
    listed = client.get("/dashboard/messages?status=spam", headers=as_admin).json_body["items"]
    assert [m["id"] for m in listed] == [message_id]
    assert counts(client, as_admin) == {"new": 0, "read": 0, "replied": 0, "archived": 0,
                                        "spam": 1, "pending": 1}


def test_clearing_restores_the_ordinary_expiry_and_drops_the_reason(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any],
        partition: Callable[..., Any]) -> None:
    message_id = submit(VALID).json_body["id"]
    patch(client, as_admin, message_id, "spam")
    cleared = patch(client, as_admin, message_id, "read")
    assert cleared.status_code == 200 and cleared.json_body["status"] == "read"
    assert "spamReason" not in cleared.json_body
    # Its ordinary expiry back: the stage's retentionDays (365) from when it came.
    came = datetime.fromisoformat(cleared.json_body["createdAt"].replace("Z", "+00:00"))
    ordinary = int(came.timestamp()) + 365 * 86_400
    assert {item.get("expiresAt") for item in partition(message_id).values()} == {ordinary}
    assert not {"spamReason", "spamAt"} & set(partition(message_id)["MSG"])


def test_clearing_spam_sends_the_held_back_mail_once(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any], pump: StreamPump,
        put_rules: Callable[..., Any], sent_mail: Callable[[str], list[Any]],
        partition: Callable[..., Any]) -> None:
    put_rules({"blockedWords": ["casino"]})
    message_id = submit({**VALID, "message": "casino night"}).json_body["id"]
    pump.poll_once()
    assert sent_mail(message_id) == [] and set(partition(message_id)) == {"MSG"}
    cleared = patch(client, as_admin, message_id, "new")
    assert cleared.status_code == 200 and cleared.json_body["status"] == "new"
    assert cleared.json_body["notification"]["status"] == "pending"
    assert counts(client, as_admin)["pending"] == 1
    pump.poll_once()
    (mail,) = sent_mail(message_id)
    assert "casino night" in mail["body"]
    # Marked and cleared again, twice: the mail is never sent again.
    for _ in range(2):
        assert patch(client, as_admin, message_id, "spam").status_code == 200
        assert patch(client, as_admin, message_id, "new").status_code == 200
        pump.poll_once()
    assert len(sent_mail(message_id)) == 1
    thread = client.get(f"/dashboard/messages/{message_id}", headers=as_admin).json_body
    assert thread["notification"]["status"] == "sent" and thread["status"] == "new"
    assert counts(client, as_admin) == {"new": 1, "read": 0, "replied": 0, "archived": 0,
                                        "spam": 0, "pending": 0}


def test_a_mail_sent_before_the_message_was_marked_is_not_sent_again(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any], pump: StreamPump,
        sent_mail: Callable[[str], list[Any]]) -> None:
    message_id = submit(VALID).json_body["id"]
    pump.poll_once()
    assert len(sent_mail(message_id)) == 1
    patch(client, as_admin, message_id, "spam")
    patch(client, as_admin, message_id, "new")
    pump.poll_once()
    assert len(sent_mail(message_id)) == 1


def test_concurrent_clears_request_the_held_mail_once(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any], pump: StreamPump,
        put_rules: Callable[..., Any], sent_mail: Callable[[str], list[Any]],
        messages: MessageStore) -> None:
    put_rules({"blockedWords": ["casino"]})
    message_id = submit({**VALID, "message": "casino"}).json_body["id"]

    def clear(status: str) -> str:
        try:
            return messages.set_status(message_id, status).status
        except DependencyUnavailable:  # lost every one of its tries to the others
            return "busy"

    with ThreadPoolExecutor(6) as pool:
        finals = list(pool.map(clear, ["new", "read", "archived", "new", "read", "archived"]))
    assert set(finals) - {"busy"} and set(finals) <= {"new", "read", "archived", "busy"}
    pump.poll_once()
    assert len(sent_mail(message_id)) == 1
    stats = counts(client, as_admin)
    assert stats["spam"] == 0 and stats["new"] + stats["read"] + stats["archived"] == 1


def test_a_spam_message_cannot_be_replied_to(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any]) -> None:
    message_id = submit(VALID).json_body["id"]
    patch(client, as_admin, message_id, "spam")
    answer = client.post(f"/dashboard/messages/{message_id}/replies",
                         headers={**as_admin, **JSON}, body=b'{"body": "Hello"}')
    assert answer.status_code == 409 and "not spam" in answer.json_body["error"]["message"]
    patch(client, as_admin, message_id, "new")
    assert client.post(f"/dashboard/messages/{message_id}/replies",
                       headers={**as_admin, **JSON},
                       body=b'{"body": "Hello"}').status_code == 202


def test_a_replied_message_marked_spam_dates_its_replies_too(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any],
        partition: Callable[..., Any]) -> None:
    message_id = submit(VALID).json_body["id"]
    client.post(f"/dashboard/messages/{message_id}/replies", headers={**as_admin, **JSON},
                body=b'{"body": "Hello"}')
    patch(client, as_admin, message_id, "spam")
    items = partition(message_id)
    assert len(items) == 4  # the message, its mail, the reply and the reply's mail
    assert len({item.get("expiresAt") for item in items.values()}) == 1
    assert items["MSG"]["expiresAt"] is not None


def test_the_chat_post_is_held_and_released_with_the_mail(
        chat_services: Callable[..., Any], fakes: Any) -> None:
    services = chat_services()
    services.spam_rules.put(parse_rules({"blockedWords": ["casino"]}))
    response = services.contact_api.submit({**VALID, "message": "casino"}, None, "203.0.113.9")
    message_id = str(response.body.id)
    thread = services.dashboard.thread(message_id)
    assert thread.chat == thread.message.notification == HELD
    assert services.deliveries.retry_due() == 0  # nothing to send
    services.dashboard.set_status(message_id, "new")
    assert services.deliveries.retry_due() == 2  # the email and the chat post, now
    services.dashboard.set_status(message_id, "spam")
    services.dashboard.set_status(message_id, "new")
    assert services.deliveries.retry_due() == 0
    assert [post["webhook"] for post in fakes.webhook_posts] == ["local"]


def test_clearing_an_answered_message_keeps_it_replied(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any]) -> None:
    message_id = submit(VALID).json_body["id"]
    client.post(f"/dashboard/messages/{message_id}/replies", headers={**as_admin, **JSON},
                body=b'{"body": "Hello"}')
    patch(client, as_admin, message_id, "spam")
    cleared = patch(client, as_admin, message_id, "new")
    assert cleared.json_body["status"] == "replied"
    assert counts(client, as_admin)["replied"] == 1 and counts(client, as_admin)["spam"] == 0


def test_spam_is_left_out_of_the_all_list_and_of_an_export_without_a_status(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any]) -> None:
    kept = submit(VALID).json_body["id"]
    spam = submit({**VALID, "email": "eve@example.com"}).json_body["id"]
    patch(client, as_admin, spam, "spam")
    every = client.get("/dashboard/messages?status=all", headers=as_admin).json_body["items"]
    assert [m["id"] for m in every] == [kept]
    export = client.get("/dashboard/messages/export", headers=as_admin).body.decode()
    assert kept in export and spam not in export
    only_spam = client.get("/dashboard/messages/export?status=spam",
                           headers=as_admin).body.decode()
    assert spam in only_spam and kept not in only_spam
