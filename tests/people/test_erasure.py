"""Erasure (DELETE /dashboard/people/{email}): every kind of record about one
mailbox goes, by the path its own delete takes; counters stay exact; pending
deliveries are cancelled, not sent; a retry finishes an erasure cut short,
and one with nothing left erases nothing."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.api.services import Services
from chalicelib.audit.hashing import erased_address
from chalicelib.db.table import GSI3_PK
from chalicelib.people.erasure import Erasure
from chalicelib.people.records import PersonRecords
from chalicelib.platform.aws import AwsClients
from tests.conftest import JSON, LocalAws
from tests.contact.conftest import VALID

ADA = "ada@example.com"
NONE_ERASED = {"messages": 0, "replies": 0, "users": 0, "deliveries": 0, "idempotencyRecords": 0}


def erase(client: Any, as_admin: dict[str, str], address: str = ADA) -> Any:
    return client.delete(f"/dashboard/people/{quote(address, safe='')}", headers=as_admin)


def stats(client: Any, as_admin: dict[str, str]) -> dict[str, Any]:
    return dict(client.get("/dashboard/stats", headers=as_admin).json_body)


def everything(local_aws: LocalAws, table: str) -> list[dict[str, Any]]:
    return list(local_aws.session.client("dynamodb").scan(TableName=table)["Items"])


@pytest.fixture
def ada(client: Any, as_admin: dict[str, str], submit: Callable[..., Any],
        reply: Callable[..., Any]) -> dict[str, Any]:
    """Ada (a +tag too) posted twice, one keyed, got two replies and has a
    user record; nothing is mailed yet: every delivery is pending."""
    first = submit({**VALID, "email": "ada+news@example.com", "message": "First"}).json_body["id"]
    second = submit({**VALID, "email": ADA, "message": "Second"}, key="ada-key-0001").json_body["id"]
    assert reply(first, "Thanks, Ada").status_code == 202
    assert reply(second, "Again, thanks").status_code == 202
    user = client.post("/users", headers={**as_admin, **JSON},
                       body=json.dumps({"name": "Ada L", "email": ADA}).encode()).json_body
    return {"messages": [first, second], "user": user["id"]}


@pytest.fixture
def bob(submit: Callable[..., Any]) -> str:
    return str(submit({**VALID, "email": "bob@example.com", "message": "Bob's"}).json_body["id"])


def test_every_kind_goes_while_its_deliveries_are_pending_and_none_is_sent(
        client: Any, as_admin: dict[str, str], ada: dict[str, Any], bob: str, pump: Any,
        mails_to: Callable[[str], list[Any]], services: Services,
        local_aws: LocalAws, fresh_table: str) -> None:
    before = stats(client, as_admin)
    mailed = len(mails_to(ADA)), len(mails_to("ada+news@example.com"))  # by earlier tests
    response = erase(client, as_admin, "ADA@example.com")
    assert response.status_code == 200, response.json_body
    # Two messages, two replies, the user; each message's owner mail and each reply's mail.
    assert response.json_body == {"erased": {"messages": 2, "replies": 2, "users": 1,
                                             "deliveries": 4, "idempotencyRecords": 1},
                                  "complete": True}
    # The stream's INSERTs of the deliveries arrive after: nothing to send.
    pump.poll_once()
    services.deliveries.retry_due()
    assert (len(mails_to(ADA)), len(mails_to("ada+news@example.com"))) == mailed
    # Nothing about her is left, anywhere in the table; the audit log keeps ids
    # (a reply's entry names its message), never what they held.
    left = json.dumps([item for item in everything(local_aws, fresh_table)
                       if not item["pk"]["S"].startswith("AUDIT#")])
    assert ADA not in left and "ada+news@" not in left
    for message_id in ada["messages"]:
        assert message_id not in left
    assert client.get(f"/users/{ada['user']}", headers=as_admin).status_code == 404
    # The counters lost what went, exactly; Bob's message and its mail stay.
    after = stats(client, as_admin)
    assert after["users"] == before["users"] - 1
    assert after["messages"]["replied"] == before["messages"]["replied"] - 2
    assert after["messages"]["new"] == before["messages"]["new"] == 1
    assert after["notifications"]["pending"] == 0  # Bob's was sent by the pump
    assert client.get(f"/dashboard/messages/{bob}", headers=as_admin).status_code == 200
    # Her address is free again.
    again = client.post("/users", headers={**as_admin, **JSON},
                        body=json.dumps({"name": "Ada L", "email": ADA}).encode())
    assert again.status_code == 201


def test_counters_stay_exact_for_failed_and_sent_deliveries_too(
        client: Any, as_admin: dict[str, str], ada: dict[str, Any], pump: Any,
        services: Services) -> None:
    pump.poll_once()  # every mail sent
    assert stats(client, as_admin)["notifications"]["pending"] == 0
    assert erase(client, as_admin).json_body["erased"]["deliveries"] == 4
    after = stats(client, as_admin)
    assert after["users"] == 0
    assert sum(after["messages"].values()) == 0
    assert after["notifications"] == {"pending": 0, "failed": 0}


def test_a_second_erasure_erases_nothing(client: Any, as_admin: dict[str, str],
                                         ada: dict[str, Any]) -> None:
    assert erase(client, as_admin).json_body["complete"] is True
    assert erase(client, as_admin).json_body == {"erased": NONE_ERASED, "complete": True}
    assert erase(client, as_admin, "nobody@example.com").json_body == {
        "erased": NONE_ERASED, "complete": True}


def test_a_reply_kept_after_its_message_was_deleted_is_cancelled(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any],
        reply: Callable[..., Any], pump: Any, services: Services,
        mails_to: Callable[[str], list[Any]]) -> None:
    mailed = len(mails_to(ADA))  # by earlier tests (moto keeps sent mail)
    message = submit({**VALID, "email": ADA}).json_body["id"]
    assert reply(message, "On its way").status_code == 202
    # A plain delete keeps the pending reply to be mailed; it is still hers.
    assert client.delete(f"/dashboard/messages/{message}", headers=as_admin).status_code == 204
    data = client.get(f"/dashboard/people/{ADA}", headers=as_admin).json_body
    assert [(r["body"], r["to"]) for r in data["replies"]] == [("On its way", ADA)]
    assert [d["kind"] for d in data["deliveries"]] == ["reply"]
    assert erase(client, as_admin).json_body["erased"] == {**NONE_ERASED, "replies": 1,
                                                           "deliveries": 1}
    pump.poll_once()
    services.deliveries.retry_due()
    assert len(mails_to(ADA)) == mailed


class _CutShort:
    """A DynamoDB client whose invocation ends (the Lambda times out) at its
    `writes`-th transaction: what an erasure cut short leaves."""

    def __init__(self, client: Any, writes: int) -> None:
        self._client, self._left = client, writes

    def transact_write_items(self, **request: Any) -> Any:
        self._left -= 1
        if self._left < 0:
            raise TimeoutError("Task timed out")
        return self._client.transact_write_items(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_an_erasure_cut_short_is_finished_by_the_next(
        client: Any, as_admin: dict[str, str], ada: dict[str, Any], bob: str,
        services: Services, local_aws: LocalAws, fresh_table: str) -> None:
    before = stats(client, as_admin)
    # Newest first: the user, the keyed post's answer, the second message; the
    # invocation ends in the second message's delete.
    cut = _CutShort(services.clients.dynamodb, writes=2)
    app = Services.create(services.settings, services.metrics,
                          AwsClients(dynamodb=cut, ses=services.clients.ses))
    erasure = Erasure(cut, fresh_table, records=PersonRecords(cut, fresh_table),
                      dashboard=app.dashboard, users=app.users)
    with pytest.raises(TimeoutError):
        erasure.erase(ADA)
    partly = client.get(f"/dashboard/people/{ADA}", headers=as_admin).json_body
    assert len(partly["messages"]) == 2  # neither went in part: each is still whole
    assert len(partly["replies"]) == 2 and len(partly["deliveries"]) == 4
    assert partly["users"] == [] and partly["idempotencyRecords"] == []
    # What went is counted out already: the table is consistent in between.
    assert stats(client, as_admin)["users"] == before["users"] - 1
    finished = erase(client, as_admin)
    assert finished.json_body == {"erased": {**NONE_ERASED, "messages": 2, "replies": 2,
                                             "deliveries": 4}, "complete": True}
    assert client.get(f"/dashboard/people/{ADA}", headers=as_admin).json_body["messages"] == []
    after = stats(client, as_admin)
    assert sum(after["messages"].values()) == 1  # Bob's
    assert after["users"] == before["users"] - 1


def test_a_budget_leaves_the_rest_to_the_next_call(
        client: Any, as_admin: dict[str, str], ada: dict[str, Any], services: Services,
        local_aws: LocalAws, fresh_table: str) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    erasure = Erasure(dynamodb, fresh_table, records=PersonRecords(dynamodb, fresh_table),
                      dashboard=services.dashboard, users=services.users)
    first = erasure.erase(ADA, budget=2)
    assert first.complete is False
    assert sum(first.counts.values()) >= 2
    rest = erase(client, as_admin).json_body
    assert rest["complete"] is True
    assert client.get(f"/dashboard/people/{ADA}", headers=as_admin).json_body == {
        "email": ADA, "messages": [], "replies": [], "users": [], "deliveries": [],
        "idempotencyRecords": [], "next": None}


def test_a_bad_address_erases_nothing(client: Any, as_admin: dict[str, str],
                                      ada: dict[str, Any], local_aws: LocalAws,
                                      fresh_table: str) -> None:
    response = erase(client, as_admin, "ada")
    assert response.status_code == 400
    assert response.json_body["error"]["details"][0]["field"] == "email"
    assert any(GSI3_PK in item for item in everything(local_aws, fresh_table))


def test_each_erasure_that_erased_anything_is_audited_by_a_hash_of_the_address(
        client: Any, as_admin: dict[str, str], ada: dict[str, Any], services: Services) -> None:
    def audited() -> list[dict[str, Any]]:
        return list(client.get("/dashboard/audit?action=person.erase",
                               headers=as_admin).json_body["items"])
    before = len(audited())
    erased = erase(client, as_admin, "Ada+Other@Example.com").json_body
    assert erased["complete"] is True
    entries = audited()
    assert len(entries) == before + 1
    entry = entries[0]
    assert entry["target"] == {"type": "person",
                               "id": erased_address(ADA, services.audit_salt())}
    assert entry["summary"].startswith("erased 2 messages, 2 replies, 1 user,")
    # Neither the address nor its tagged form (hex ids and the hash may hold "ada").
    recorded = json.dumps(entry).lower().replace(json.dumps(entry["actor"]).lower(), "")
    assert "ada@" not in recorded and "ada+" not in recorded and "example.com" not in recorded
    # Nothing left: nothing erased, nothing recorded.
    assert erase(client, as_admin).json_body["erased"] == NONE_ERASED
    assert len(audited()) == before + 1
