"""POST /dashboard/messages/bulk: read, archive or delete up to 100 messages,
one result per id in order, one bad id never failing the others, each id
through its own route's code (so the counters stay exact however bulk actions
overlap), handled concurrently rather than one round trip after another."""
from __future__ import annotations

import json
import random
import threading
from collections import Counter
from typing import Any

import pytest

from chalicelib.contact.store import STATUS_COUNTER, MessageStore
from chalicelib.dashboard.bulk import BulkChange, run_each
from chalicelib.db.counters import read_counters
from chalicelib.db.items import from_item
from tests.conftest import JSON, LocalAws

UNKNOWN = "01KBD00000000000000000ZZZZ"


@pytest.fixture
def dynamodb(local_aws: LocalAws) -> Any:
    return local_aws.session.client("dynamodb")


@pytest.fixture
def messages(dynamodb: Any, fresh_table: str) -> MessageStore:
    return MessageStore(dynamodb, fresh_table)


def stored(messages: MessageStore, count: int) -> list[str]:
    return [str(messages.create({"name": f"V{n}", "email": f"v{n}@example.com",
                                 "message": "Hello"}, None)["id"]) for n in range(count)]


def bulk(client: Any, as_admin: dict[str, str], body: Any) -> Any:
    return client.post("/dashboard/messages/bulk", headers={**as_admin, **JSON},
                       body=json.dumps(body).encode())


def stats(client: Any, as_admin: dict[str, str]) -> dict[str, int]:
    return dict(client.get("/dashboard/stats", headers=as_admin).json_body["messages"])


def test_each_id_gets_its_result_in_order_and_the_counts_follow(
        client: Any, as_admin: dict[str, str], messages: MessageStore) -> None:
    ids = stored(messages, 4)
    response = bulk(client, as_admin, {"ids": ids[:3], "action": "read"})
    assert response.status_code == 200
    assert response.json_body == {"results": [{"id": i, "status": "read"} for i in ids[:3]]}
    assert stats(client, as_admin) == {"new": 1, "read": 3, "replied": 0, "archived": 0, "spam": 0}
    answer = bulk(client, as_admin, {"ids": [ids[3], ids[0]], "action": "archive"}).json_body
    assert answer == {"results": [{"id": ids[3], "status": "archived"},
                                  {"id": ids[0], "status": "archived"}]}
    answer = bulk(client, as_admin, {"ids": [ids[1], ids[0]], "action": "delete"}).json_body
    assert answer == {"results": [{"id": ids[1], "status": "deleted"},
                                  {"id": ids[0], "status": "deleted"}]}
    assert stats(client, as_admin) == {"new": 0, "read": 1, "replied": 0, "archived": 1, "spam": 0}
    assert client.get(f"/dashboard/messages/{ids[1]}", headers=as_admin).status_code == 404
    # Asked again: what its own route answers (a status unchanged; a deleted one is gone).
    answer = bulk(client, as_admin, {"ids": [ids[3], ids[1]], "action": "archive"}).json_body
    assert answer["results"][0] == {"id": ids[3], "status": "archived"}
    assert answer["results"][1]["error"]["code"] == "not_found"


def test_an_unknown_or_malformed_id_fails_alone(
        client: Any, as_admin: dict[str, str], messages: MessageStore) -> None:
    first, last = stored(messages, 2)
    response = bulk(client, as_admin, {"ids": [first, UNKNOWN, "not-an-id", last],
                                       "action": "archive"})
    assert response.status_code == 200
    missing = {"code": "not_found", "message": "No message has this id."}
    assert response.json_body["results"] == [
        {"id": first, "status": "archived"}, {"id": UNKNOWN, "error": missing},
        {"id": "not-an-id", "error": missing}, {"id": last, "status": "archived"}]
    assert stats(client, as_admin)["archived"] == 2


def test_marking_read_keeps_a_replied_message_replied(
        client: Any, as_admin: dict[str, str], messages: MessageStore) -> None:
    answered, fresh = stored(messages, 2)
    client.post(f"/dashboard/messages/{answered}/replies", headers={**as_admin, **JSON},
                body=b'{"body": "Thanks"}')
    answer = bulk(client, as_admin, {"ids": [answered, fresh], "action": "read"}).json_body
    assert answer["results"] == [{"id": answered, "status": "replied"},
                                 {"id": fresh, "status": "read"}]
    answer = bulk(client, as_admin, {"ids": [answered], "action": "archive"}).json_body
    assert answer["results"] == [{"id": answered, "status": "archived"}]
    assert stats(client, as_admin) == {"new": 0, "read": 1, "replied": 0, "archived": 1, "spam": 0}


@pytest.mark.parametrize(("body", "field"), [
    ({"ids": [f"01KBD0000000000000000{n:05d}" for n in range(101)], "action": "read"}, "ids"),
    ({"ids": [], "action": "read"}, "ids"),
    ({"ids": [UNKNOWN, UNKNOWN], "action": "read"}, "ids"),
    ({"ids": [UNKNOWN], "action": "shred"}, "action"),
    ({"ids": [UNKNOWN]}, "action"),
    ({"ids": [7], "action": "read"}, "ids"),
    ({"ids": ["x" * 65], "action": "read"}, "ids"),
    ({"ids": UNKNOWN, "action": "read"}, "ids"),
])
def test_a_malformed_request_is_a_400_naming_the_field_and_changes_nothing(
        client: Any, as_admin: dict[str, str], messages: MessageStore, body: dict[str, Any],
        field: str) -> None:
    stored(messages, 1)
    response = bulk(client, as_admin, body)
    assert response.status_code == 400, response.json_body
    assert [d["field"] for d in response.json_body["error"]["details"]] == [field]
    assert response.headers["Access-Control-Allow-Origin"]
    assert stats(client, as_admin)["new"] == 1


def test_only_an_admin_may(client: Any, user_token: str) -> None:
    response = client.post("/dashboard/messages/bulk", headers={
        "Authorization": f"Bearer {user_token}", **JSON},
        body=json.dumps({"ids": [UNKNOWN], "action": "delete"}).encode())
    assert response.status_code == 403


def test_the_ids_are_handled_concurrently_not_one_after_another() -> None:
    together = threading.Barrier(5, timeout=5)

    def one(message_id: str) -> str:
        together.wait()  # five at once, or this times out
        return f"done {message_id}"

    assert [o.status for o in run_each([str(n) for n in range(5)], one)] == [
        f"done {n}" for n in range(5)]


def recount(dynamodb: Any, table: str) -> dict[str, int]:
    """The messages per status, counted from the items themselves."""
    counted: Counter[str] = Counter()
    kwargs: dict[str, Any] = {"TableName": table}
    while True:
        page = dynamodb.scan(**kwargs)
        counted.update(str(from_item(i)["status"]) for i in page["Items"]
                       if i["sk"]["S"] == "MSG")
        if "LastEvaluatedKey" not in page:
            return {status: counted[status] for status in STATUS_COUNTER}
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_concurrent_bulk_actions_on_overlapping_ids_keep_every_count_exact(
        dynamodb: Any, fresh_table: str, messages: MessageStore, local_aws: LocalAws) -> None:
    from app import services  # the app's own wiring, on the test's table

    ids = stored(messages, 30)
    rng = random.Random(24)
    batches = [BulkChange(ids=rng.sample(ids, 12), action=action)
               for action in ("read", "archive", "read", "delete", "archive", "delete")]
    errors: list[BaseException] = []

    def run(change: BulkChange) -> None:
        try:
            for outcome in services.dashboard.bulk(change):
                assert outcome.error is None or outcome.error.message == \
                    "No message has this id.", outcome
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(change,)) for change in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts = read_counters(dynamodb, fresh_table)
    assert {status: counts[name] for status, name in STATUS_COUNTER.items()} == recount(
        dynamodb, fresh_table)
    assert sum(recount(dynamodb, fresh_table).values()) < 30  # some were deleted


def test_the_database_failing_some_ids_is_their_result_and_failing_all_is_a_503(
        client: Any, as_admin: dict[str, str], messages: MessageStore,
        frontdesk_app: Any) -> None:
    from tests.http.test_openapi_contract import failing

    ids = stored(messages, 2)
    with failing(frontdesk_app, ("TransactWriteItems",), "InternalFailure"):
        response = bulk(client, as_admin, {"ids": [*ids, UNKNOWN], "action": "archive"})
        assert response.status_code == 200
        assert [r.get("error", {}).get("code") for r in response.json_body["results"]] == [
            "service_unavailable", "service_unavailable", "not_found"]
        response = bulk(client, as_admin, {"ids": ids, "action": "archive"})
        assert response.status_code == 503
        assert response.json_body["error"]["code"] == "service_unavailable"
    assert stats(client, as_admin)["new"] == 2
