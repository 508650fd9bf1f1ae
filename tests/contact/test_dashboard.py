"""The admin dashboard: messages by status, status changes, deletes, and stats
that stay exact under concurrent writes."""
from __future__ import annotations

import json
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chalicelib.contact.store import MessageStore
from chalicelib.core.domain_errors import RecordNotFound
from chalicelib.db.counters import read_counters
from tests.conftest import JSON, LocalAws


@pytest.fixture
def messages(local_aws: LocalAws, fresh_table: str) -> MessageStore:
    return MessageStore(local_aws.session.client("dynamodb"), fresh_table)


def add(messages: MessageStore, count: int) -> list[str]:
    return [messages.create({"name": f"Sender {n}", "email": f"s{n}@example.com",
                             "message": f"Message {n}"}, None)["id"] for n in range(count)]


def all_pages(client: Any, headers: dict[str, str], status: str, limit: int) -> list[str]:
    ids, cursor = [], None
    while True:
        url = f"/dashboard/messages?status={status}&limit={limit}" + (
            f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=headers).json_body
        ids += [m["id"] for m in body["items"]]
        assert all(m["status"] == status for m in body["items"])
        cursor = body["nextCursor"]
        if cursor is None:
            return ids


def set_status(client: Any, headers: dict[str, str], message_id: str, status: str) -> Any:
    return client.patch(f"/dashboard/messages/{message_id}", headers={**headers, **JSON},
                        body=json.dumps({"status": status}).encode())


def test_messages_page_per_status_newest_first(client: Any, as_admin: dict[str, str],
                                               messages: MessageStore) -> None:
    ids = add(messages, 23)
    read = ids[::3]
    for message_id in read:
        assert set_status(client, as_admin, message_id, "read").status_code == 200
    assert all_pages(client, as_admin, "read", 3) == sorted(read, reverse=True)
    unread = [i for i in ids if i not in read]
    assert all_pages(client, as_admin, "new", 5) == sorted(unread, reverse=True)
    assert all_pages(client, as_admin, "archived", 5) == []


def test_status_defaults_to_new_and_must_be_known(client: Any, as_admin: dict[str, str],
                                                  messages: MessageStore) -> None:
    add(messages, 2)
    assert len(client.get("/dashboard/messages", headers=as_admin).json_body["items"]) == 2
    response = client.get("/dashboard/messages?status=deleted", headers=as_admin)
    assert response.status_code == 400
    assert response.json_body["error"]["details"][0]["field"] == "status"


def test_a_cursor_from_one_status_is_refused_for_another(client: Any, as_admin: dict[str, str],
                                                         messages: MessageStore) -> None:
    add(messages, 3)
    cursor = client.get("/dashboard/messages?limit=1", headers=as_admin).json_body["nextCursor"]
    response = client.get(f"/dashboard/messages?status=read&cursor={cursor}", headers=as_admin)
    assert response.status_code == 400


def test_get_includes_the_notification(client: Any, as_admin: dict[str, str],
                                       messages: MessageStore) -> None:
    (message_id,) = add(messages, 1)
    body = client.get(f"/dashboard/messages/{message_id}", headers=as_admin).json_body
    assert body["notification"]["status"] == "pending" and body["notification"]["attempts"] == 0
    assert client.get("/dashboard/messages/01JD0000000000000000000000",
                      headers=as_admin).status_code == 404


@pytest.mark.parametrize("body", [{}, {"status": "deleted"}, {"status": 1},
                                  {"status": "read", "extra": True}])
def test_patch_needs_a_known_status(client: Any, as_admin: dict[str, str],
                                    messages: MessageStore, body: dict[str, Any]) -> None:
    (message_id,) = add(messages, 1)
    response = client.patch(f"/dashboard/messages/{message_id}", headers={**as_admin, **JSON},
                            body=json.dumps(body).encode())
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "validation_failed"


def test_patch_moves_the_message_and_the_counters(client: Any, as_admin: dict[str, str],
                                                  messages: MessageStore) -> None:
    (message_id,) = add(messages, 1)
    response = set_status(client, as_admin, message_id, "archived")
    assert response.status_code == 200 and response.json_body["status"] == "archived"
    assert set_status(client, as_admin, message_id, "archived").status_code == 200  # no-op
    stats = client.get("/dashboard/stats", headers=as_admin).json_body
    assert stats["messages"] == {"new": 0, "read": 0, "replied": 0, "archived": 1, "spam": 0}
    assert set_status(client, as_admin, "01JD0000000000000000000000", "read").status_code == 404


def test_delete_is_204_then_404(client: Any, as_admin: dict[str, str],
                                messages: MessageStore) -> None:
    (message_id,) = add(messages, 1)
    assert client.delete(f"/dashboard/messages/{message_id}", headers=as_admin).status_code == 204
    assert client.delete(f"/dashboard/messages/{message_id}", headers=as_admin).status_code == 404
    stats = client.get("/dashboard/stats", headers=as_admin).json_body
    assert stats["messages"]["new"] == 0 and stats["notifications"]["pending"] == 0


def test_stats_have_the_documented_shape(client: Any, as_admin: dict[str, str],
                                         submit: Callable[..., Any]) -> None:
    client.post("/users", headers={**as_admin, **JSON},
                body=b'{"name": "Counted", "email": "counted@example.com"}')
    submit({"name": "A", "email": "a@example.com", "message": "hi"})
    assert client.get("/dashboard/stats", headers=as_admin).json_body == {
        "users": 1, "messages": {"new": 1, "read": 0, "replied": 0, "archived": 0, "spam": 0},
        "notifications": {"pending": 1, "failed": 0},
        "deliveries": {"email": {"pending": 1, "failed": 0}, "chat": {"pending": 0, "failed": 0}},
        "forms": {"contact": 1}, "retentionDays": 365}


def test_stats_stay_exact_after_a_concurrent_mixed_burst(
        messages: MessageStore, local_aws: LocalAws, fresh_table: str) -> None:
    ids = add(messages, 30)
    rng = random.Random(7)
    actions: list[Callable[[], Any]] = []
    for message_id in ids:
        status = rng.choice(["read", "archived", "new"])
        actions.append(lambda m=message_id, s=status: messages.set_status(m, s))
        second = rng.choice(["read", "archived"])
        actions.append(lambda m=message_id, s=second: messages.set_status(m, s))
    deleted = set(rng.sample(ids, 8))
    actions += [lambda m=m: messages.delete(m) for m in deleted]
    actions += [lambda n=n: messages.create({"name": "New", "email": f"n{n}@example.com",
                                             "message": "burst"}, None) for n in range(10)]
    rng.shuffle(actions)

    def run(action: Callable[[], Any]) -> None:
        try:
            action()
        except RecordNotFound:  # a status change that lost the race to a delete
            pass

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(run, actions))

    truth = {"new": 0, "read": 0, "archived": 0}
    for status in truth:
        cursor = None
        while True:
            page, cursor = messages.list(status=status, limit=100, cursor=cursor)
            truth[status] += len(page)
            if cursor is None:
                break
    counters = read_counters(local_aws.session.client("dynamodb"), fresh_table)
    assert (counters["messagesNew"], counters["messagesRead"], counters["messagesArchived"]) == (
        truth["new"], truth["read"], truth["archived"])
    assert sum(truth.values()) == 30 - len(deleted) + 10
    assert counters["notificationsPending"] == 30 - len(deleted) + 10
