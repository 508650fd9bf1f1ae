"""A person's data covers messages that name them in any email field, not only
as the sender (chalicelib/contact/mentions.py): each other mailbox a form's
email fields name gets a mention of the message, written and deleted with it,
expiring with it. Such a message is listed once in that person's data and
erased whole by their erasure; messages stored before get their mentions from
the deploy's upgrade."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.api.services import Services
from chalicelib.core.retention import Retention
from chalicelib.db.items import from_item, to_item
from chalicelib.db.keys import MENTION_PREFIX
from chalicelib.db.reads import get_item
from chalicelib.people.erasure import Erasure
from chalicelib.people.records import PersonRecords
from devstack.triggers import StreamPump
from infra.index_upgrades import MENTIONS, PASSED, run_upgrade
from infra.retention_backfill import RetentionBackfill
from tests.conftest import JSON, LocalAws
from tests.contact.conftest import VALID
from tests.forms.conftest import put_form
from tests.retention.conftest import sweep_ttl
from tests.support.interrupted import ScansStopAfter

__all__ = ["put_form", "sweep_ttl"]

ADA, BEA, CAL = "ada@example.com", "bea@example.com", "cal@example.com"
PAIR = {"name": "Couples", "replyTo": "email", "fields": [
    {"name": "name", "label": "Name", "type": "text"},
    {"name": "email", "label": "Your email", "type": "email", "required": True},
    {"name": "partner_email", "label": "Your partner's email", "type": "email"},
    {"name": "message", "label": "Message", "type": "textarea"}]}
# No replyTo: no sender; each email field's mailbox is a mention.
GUESTS = {"name": "Guests", "fields": [
    {"name": "guest", "label": "Guest", "type": "email"},
    {"name": "plus_one", "label": "Plus one", "type": "email"}]}


def person(client: Any, as_admin: dict[str, str], address: str, query: str = "") -> Any:
    response = client.get(f"/dashboard/people/{quote(address, safe='')}{query}",
                          headers=as_admin)
    assert response.status_code == 200, response.json_body
    return response.json_body


def erase(client: Any, as_admin: dict[str, str], address: str) -> dict[str, Any]:
    response = client.delete(f"/dashboard/people/{quote(address, safe='')}", headers=as_admin)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def message_ids(data: dict[str, Any]) -> list[str]:
    return [m["id"] for m in data["messages"]]


def stats(client: Any, as_admin: dict[str, str]) -> dict[str, Any]:
    return dict(client.get("/dashboard/stats", headers=as_admin).json_body)


@pytest.fixture
def dynamodb(local_aws: LocalAws) -> Any:
    return local_aws.session.client("dynamodb")


@pytest.fixture
def mentions(dynamodb: Any, fresh_table: str) -> Callable[[], list[dict[str, Any]]]:
    """Every mention item in the table."""
    def found() -> list[dict[str, Any]]:
        items = [from_item(i) for i in dynamodb.scan(TableName=fresh_table)["Items"]]
        return [i for i in items if str(i["sk"]).startswith(MENTION_PREFIX)]
    return found


@pytest.fixture
def forms(put_form: Callable[..., Any]) -> None:
    assert put_form("pair", PAIR).status_code == 201
    assert put_form("guests", GUESTS).status_code == 201


@pytest.fixture
def post(client: Any, forms: None) -> Callable[..., str]:
    def send(form_id: str, **values: str) -> str:
        response = client.post(f"/forms/{form_id}", headers=JSON,
                               body=json.dumps(values).encode())
        assert response.status_code == 202, response.json_body
        return str(response.json_body["id"])
    return send


def test_a_message_naming_the_person_in_a_second_email_field_is_in_their_data(
        client: Any, as_admin: dict[str, str], post: Callable[..., str],
        submit: Callable[..., Any]) -> None:
    named = post("pair", name="Ada", email=ADA, partner_email="Bea+home@Example.com",
                 message="For both of us")
    submit({**VALID, "email": CAL})
    data = person(client, as_admin, BEA)
    assert message_ids(data) == [named]
    assert data["messages"][0]["status"] == "new"
    assert [d["kind"] for d in data["deliveries"]] == ["notification"]
    # The sender's own data lists it as before, and nobody else's has it.
    assert message_ids(person(client, as_admin, ADA)) == [named]
    assert message_ids(person(client, as_admin, CAL)) != [named]


def test_an_address_in_two_fields_is_listed_once(
        client: Any, as_admin: dict[str, str], post: Callable[..., str],
        mentions: Callable[[], list[dict[str, Any]]]) -> None:
    both = post("guests", guest=BEA, plus_one="bea+plus@example.com")
    itself = post("pair", email=ADA, partner_email="ADA+again@example.com")
    assert message_ids(person(client, as_admin, BEA)) == [both]
    assert message_ids(person(client, as_admin, ADA)) == [itself]
    # One mention: Bea's of the guests' message; Ada's own address is her message's sender.
    assert [(m["id"], m["type"]) for m in mentions()] == [(both, "mention")]
    contact = json.dumps(mentions())
    assert BEA not in contact and "bea" not in contact  # a digest, never the address


def test_pages_of_mentions_follow_the_cursor(
        client: Any, as_admin: dict[str, str], post: Callable[..., str],
        submit: Callable[..., Any]) -> None:
    made = [post("pair", email=ADA, partner_email=BEA),
            submit({**VALID, "email": BEA}).json_body["id"],
            post("guests", guest=CAL, plus_one=BEA)]
    seen: list[str] = []
    query = "?limit=1"
    for _ in range(5):
        data = person(client, as_admin, BEA, query)
        seen += message_ids(data)
        if data["next"] is None:
            break
        query = f"?limit=1&cursor={data['next']}"
    assert data["next"] is None
    assert seen == made[::-1]  # newest first, each once


def test_a_mention_outlives_status_changes_and_goes_with_a_delete(
        client: Any, as_admin: dict[str, str], post: Callable[..., str],
        mentions: Callable[[], list[dict[str, Any]]], dynamodb: Any, fresh_table: str) -> None:
    named = post("pair", email=ADA, partner_email=BEA)
    for status in ("archived", "spam"):
        changed = client.patch(f"/dashboard/messages/{named}", headers={**as_admin, **JSON},
                               body=json.dumps({"status": status}).encode())
        assert changed.status_code == 200, changed.json_body
        assert [m["status"] for m in person(client, as_admin, BEA)["messages"]] == [status]
        message = get_item(dynamodb, fresh_table, {"pk": f"MSG#{named}", "sk": "MSG"})
        assert message is not None
        assert [m["expiresAt"] for m in mentions()] == [message["expiresAt"]]  # spam's, too
    assert client.delete(f"/dashboard/messages/{named}", headers=as_admin).status_code == 204
    assert mentions() == []
    assert person(client, as_admin, BEA)["messages"] == []


def test_a_bulk_delete_takes_the_mentions_too(
        client: Any, as_admin: dict[str, str], post: Callable[..., str],
        mentions: Callable[[], list[dict[str, Any]]]) -> None:
    ids = [post("pair", email=ADA, partner_email=BEA), post("guests", guest=BEA, plus_one=CAL)]
    assert len(mentions()) == 3
    done = client.post("/dashboard/messages/bulk", headers={**as_admin, **JSON},
                       body=json.dumps({"ids": ids, "action": "delete"}).encode())
    assert done.status_code == 200, done.json_body
    assert mentions() == []


def test_erasing_the_named_person_erases_the_whole_message(
        client: Any, as_admin: dict[str, str], post: Callable[..., str],
        reply: Callable[..., Any], submit: Callable[..., Any],
        mentions: Callable[[], list[dict[str, Any]]], dynamodb: Any, fresh_table: str) -> None:
    named = post("pair", name="Ada", email=ADA, partner_email=BEA, message="Hi")
    kept = post("pair", email=ADA, partner_email=CAL)
    assert reply(named, "Thanks, both").status_code == 202
    before = stats(client, as_admin)
    erased = erase(client, as_admin, "BEA@example.com")
    # The message, its reply, the message's and the reply's mails.
    assert erased == {"erased": {"messages": 1, "replies": 1, "users": 0, "deliveries": 2,
                                 "idempotencyRecords": 0}, "complete": True}
    assert client.get(f"/dashboard/messages/{named}", headers=as_admin).status_code == 404
    assert message_ids(person(client, as_admin, ADA)) == [kept]
    left = json.dumps([i for i in dynamodb.scan(TableName=fresh_table)["Items"]
                       if not i["pk"]["S"].startswith("AUDIT#")])
    assert named not in left and BEA not in left
    assert [m["id"] for m in mentions()] == [kept]  # Cal's, of the message that stays
    after = stats(client, as_admin)
    assert after["messages"]["replied"] == before["messages"]["replied"] - 1
    assert after["messages"]["new"] == before["messages"]["new"] == 1
    assert erase(client, as_admin, BEA)["erased"]["messages"] == 0  # idempotent


def test_erasing_the_sender_takes_the_mentions_of_their_message(
        client: Any, as_admin: dict[str, str], post: Callable[..., str],
        mentions: Callable[[], list[dict[str, Any]]]) -> None:
    post("pair", email=ADA, partner_email=BEA)
    assert erase(client, as_admin, ADA)["erased"]["messages"] == 1
    assert mentions() == []
    assert person(client, as_admin, BEA)["messages"] == []


def test_an_erasure_of_many_mentions_is_resumable_within_its_budget(
        client: Any, as_admin: dict[str, str], post: Callable[..., str], services: Services,
        dynamodb: Any, fresh_table: str) -> None:
    for n in range(3):
        post("pair", email=f"sender{n}@example.com", partner_email=BEA)
    erasure = Erasure(dynamodb, fresh_table, records=PersonRecords(dynamodb, fresh_table),
                      dashboard=services.dashboard, users=services.users)
    first = erasure.erase(BEA, budget=2)
    assert (first.counts["messages"], first.complete) == (2, False)
    rest = erase(client, as_admin, BEA)
    assert (rest["erased"]["messages"], rest["complete"]) == (1, True)
    assert person(client, as_admin, BEA)["messages"] == []


def test_a_mention_left_by_its_expired_message_is_passed_over_and_erased(
        client: Any, as_admin: dict[str, str], post: Callable[..., str],
        mentions: Callable[[], list[dict[str, Any]]], dynamodb: Any, fresh_table: str) -> None:
    named = post("pair", email=ADA, partner_email=BEA)
    # TTL deletes items at its own pace: the message may go days before its mention.
    dynamodb.delete_item(TableName=fresh_table, Key=to_item({"pk": f"MSG#{named}", "sk": "MSG"}))
    assert person(client, as_admin, BEA)["messages"] == []
    assert erase(client, as_admin, BEA)["complete"] is True
    assert mentions() == []


def test_ttl_expiry_takes_the_mentions_with_the_message_and_counts_stay_exact(
        client: Any, as_admin: dict[str, str], post: Callable[..., str], pump: StreamPump,
        sweep_ttl: Callable[[float], int], mentions: Callable[[], list[dict[str, Any]]]) -> None:
    post("pair", email=ADA, partner_email=BEA)
    post("guests", guest=BEA, plus_one=CAL)
    pump.poll_once()
    assert len(mentions()) == 3
    sweep_ttl((datetime.now(UTC) + timedelta(days=366)).timestamp())
    assert mentions() == []
    pump.poll_once()  # the REMOVE records: two messages counted out, the mentions nothing
    assert stats(client, as_admin)["messages"]["new"] == 0
    assert person(client, as_admin, BEA)["messages"] == []


def before_mentions(dynamodb: Any, table: str,
                    mentions: Callable[[], list[dict[str, Any]]]) -> None:
    """The table as stored before mentions were: none."""
    for item in mentions():
        dynamodb.delete_item(TableName=table, Key=to_item({"pk": item["pk"], "sk": item["sk"]}))


def test_the_deploy_gives_messages_stored_before_their_mentions_once(
        client: Any, as_admin: dict[str, str], post: Callable[..., str],
        submit: Callable[..., Any], mentions: Callable[[], list[dict[str, Any]]],
        dynamodb: Any, fresh_table: str) -> None:
    named = post("pair", email=ADA, partner_email=BEA)
    guests = post("guests", guest=BEA, plus_one=CAL)
    submit({**VALID, "email": CAL})
    before_mentions(dynamodb, fresh_table, mentions)
    assert person(client, as_admin, BEA)["messages"] == []
    done = run_upgrade(dynamodb, fresh_table, MENTIONS)
    assert done.listed == 2
    assert done.summary().startswith("2 messages stored before their other email fields")
    assert message_ids(person(client, as_admin, BEA)) == [guests, named]
    assert message_ids(person(client, as_admin, CAL))[-1] == guests
    message = get_item(dynamodb, fresh_table, {"pk": f"MSG#{named}", "sk": "MSG"})
    assert message is not None
    assert {m["expiresAt"] for m in mentions() if m["id"] == named} == {message["expiresAt"]}
    before_mentions(dynamodb, fresh_table, mentions)
    assert run_upgrade(dynamodb, fresh_table, MENTIONS).progress.already  # once


def test_an_interrupted_mentions_upgrade_resumes_from_its_marker(
        post: Callable[..., str], mentions: Callable[[], list[dict[str, Any]]],
        dynamodb: Any, fresh_table: str) -> None:
    made = [post("pair", email=f"sender{n}@example.com", partner_email=BEA) for n in range(5)]
    before_mentions(dynamodb, fresh_table, mentions)

    with pytest.raises(KeyboardInterrupt):
        run_upgrade(ScansStopAfter(dynamodb, page=4), fresh_table, MENTIONS)
    marker = get_item(dynamodb, fresh_table, {"pk": "UPGRADE#mentions", "sk": "UPGRADE"})
    assert marker is not None and "scanFrom" in marker and not marker.get("done")
    assert len(mentions()) < 5
    run_upgrade(dynamodb, fresh_table, MENTIONS)
    assert sorted(m["id"] for m in mentions()) == sorted(made)
    done = get_item(dynamodb, fresh_table, {"pk": "UPGRADE#mentions", "sk": "UPGRADE"})
    assert done is not None and done["done"] is True


def test_a_message_deleted_while_the_upgrade_runs_gets_no_mention(
        post: Callable[..., str], mentions: Callable[[], list[dict[str, Any]]],
        dynamodb: Any, fresh_table: str) -> None:
    named = post("pair", email=ADA, partner_email=BEA)
    item = get_item(dynamodb, fresh_table, {"pk": f"MSG#{named}", "sk": "MSG"})
    assert item is not None
    before_mentions(dynamodb, fresh_table, mentions)
    dynamodb.delete_item(TableName=fresh_table, Key=to_item({"pk": f"MSG#{named}", "sk": "MSG"}))
    # Its Scan read the message just before the delete: its check refuses the puts.
    upgraded = run_upgrade(_ReadsFirst(dynamodb, item), fresh_table, MENTIONS)
    assert upgraded.progress.tally[PASSED] == 1
    assert mentions() == []


class _ReadsFirst:
    """DynamoDB whose Scan answers one item as it was read before a delete."""

    def __init__(self, dynamodb: Any, item: dict[str, Any]) -> None:
        self._dynamodb, self._item = dynamodb, item

    def scan(self, **_: Any) -> Any:
        return {"Items": [to_item(self._item)], "ScannedCount": 1}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._dynamodb, name)


def test_the_retention_backfill_moves_the_mentions_expiry_with_the_message(
        client: Any, as_admin: dict[str, str], post: Callable[..., str],
        mentions: Callable[[], list[dict[str, Any]]], dynamodb: Any, fresh_table: str) -> None:
    named = post("guests", guest=BEA, plus_one=CAL)
    before = {m["expiresAt"] for m in mentions()}
    RetentionBackfill(dynamodb, fresh_table, Retention(30)).run()  # the stage now keeps 30 days
    message = get_item(dynamodb, fresh_table, {"pk": f"MSG#{named}", "sk": "MSG"})
    assert message is not None and {message["expiresAt"]} != before
    assert [m["expiresAt"] for m in mentions()] == [message["expiresAt"]] * 2
    RetentionBackfill(dynamodb, fresh_table, Retention(0)).run()  # and then forever
    assert [m.get("expiresAt") for m in mentions()] == [None, None]
