"""The retention backfill `make deploy` runs (infra/retention_backfill.py):
every message and everything under it brought to the retention in force,
once per change of the settings, including messages stored before retention."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from chalicelib.core.retention import Retention
from chalicelib.db.items import from_item, to_item
from infra.retention_backfill import RetentionBackfill
from tests.conftest import JSON, LocalAws
from tests.contact.conftest import VALID

DAY = 86_400
MINIMAL = {"name": "Newsletter", "fields": [{"name": "email", "label": "Email", "type": "email"}],
           "replyTo": "email"}


def expiries(dynamodb: Any, table: str, message_id: str) -> dict[str, int | None]:
    found = dynamodb.query(TableName=table, KeyConditionExpression="pk = :pk",
                           ExpressionAttributeValues={":pk": {"S": f"MSG#{message_id}"}})["Items"]
    items = [from_item(item) for item in found]
    return {item["sk"]: item.get("expiresAt") for item in items}


def received(dynamodb: Any, table: str, message_id: str) -> int:
    item = from_item(dynamodb.get_item(TableName=table, Key=to_item(
        {"pk": f"MSG#{message_id}", "sk": "MSG"}))["Item"])
    return int(datetime.fromisoformat(item["createdAt"].replace("Z", "+00:00")).timestamp())


def test_a_changed_retention_reaches_every_item_of_every_message_once(
        local_aws: LocalAws, fresh_table: str, client: Any, as_admin: dict[str, str]) -> None:
    dynamodb = local_aws.session.client("dynamodb")

    def put_form(form_id: str, body: dict[str, Any]) -> Any:
        return client.put(f"/dashboard/forms/{form_id}", headers={**as_admin, **JSON},
                          body=json.dumps(body).encode())
    contact = client.post("/contact", headers=JSON, body=json.dumps(VALID).encode()).json_body["id"]
    client.post(f"/dashboard/messages/{contact}/replies", headers={**as_admin, **JSON},
                body=b'{"body": "Thanks"}')
    put_form("brief", MINIMAL)
    brief = client.post("/forms/brief", headers=JSON,
                        body=b'{"email": "ada@example.com"}').json_body["id"]
    at = {m: received(dynamodb, fresh_table, m) for m in (contact, brief)}
    assert set(expiries(dynamodb, fresh_table, contact).values()) == {at[contact] + 365 * DAY}

    # The stage now keeps 30 days, the brief form 7.
    assert put_form("brief", {**MINIMAL, "retentionDays": 7}).status_code == 200
    done = RetentionBackfill(dynamodb, fresh_table, Retention(30)).run()
    assert done.summary() == "retention (30 days, spam 30; forms brief 7): 2 messages' " \
                             "expiry set, 0 already so"
    contact_items = expiries(dynamodb, fresh_table, contact)
    assert len(contact_items) == 4  # message, owner mail, reply, reply mail
    assert set(contact_items.values()) == {at[contact] + 30 * DAY}
    assert set(expiries(dynamodb, fresh_table, brief).values()) == {at[brief] + 7 * DAY}
    shown = client.get(f"/dashboard/messages/{contact}", headers=as_admin).json_body
    assert shown["expiresAt"] == datetime.fromtimestamp(
        at[contact] + 30 * DAY, UTC).isoformat().replace("+00:00", "Z")

    again = RetentionBackfill(dynamodb, fresh_table, Retention(30)).run()
    assert again.progress.already  # one read: nothing changed since
    # Forever: every expiry removed.
    RetentionBackfill(dynamodb, fresh_table, Retention(0)).run()
    assert set(expiries(dynamodb, fresh_table, contact).values()) == {None}
    assert client.get(f"/dashboard/messages/{contact}", headers=as_admin).json_body[
        "expiresAt"] is None


def test_messages_stored_before_retention_get_their_expiry_and_a_long_past_one_becomes_now(
        local_aws: LocalAws, fresh_table: str) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    old = {"pk": "MSG#01KBD0000000000000000000A1", "sk": "MSG", "type": "message",
           "id": "01KBD0000000000000000000A1", "name": "Old", "email": "old@example.com",
           "message": "Before retention", "status": "new", "notifyStatus": "sent",
           "notifyAttempts": 1, "createdAt": "2026-12-01T09:00:00.000Z",
           "updatedAt": "2026-12-01T09:00:00.000Z"}
    ancient = {**old, "pk": "MSG#01AAA0000000000000000000A1", "id": "01AAA0000000000000000000A1",
               "createdAt": "2016-01-01T09:00:00.000Z"}
    for item in (old, ancient):
        dynamodb.put_item(TableName=fresh_table, Item=to_item(item))
    now = 1_796_000_000
    RetentionBackfill(dynamodb, fresh_table, Retention(), now=lambda: now).run()
    assert expiries(dynamodb, fresh_table, old["id"]) == {
        "MSG": int(datetime(2026, 12, 1, 9, tzinfo=UTC).timestamp()) + 365 * DAY}
    # Ten years old: DynamoDB ignores a time five years past, so it is now.
    assert expiries(dynamodb, fresh_table, ancient["id"]) == {"MSG": now}
