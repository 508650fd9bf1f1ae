"""Retention (issue 25, section 1): a message and everything under it expire
together through DynamoDB's TTL, after the stage's retentionDays or its
form's; the API shows when; and the counts stay exact as TTL deletes them."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.contact.expired import ExpiredMessages
from chalicelib.core.retention import Retention, message_expiry
from chalicelib.db.counters import read_counters
from chalicelib.db.items import to_item
from devstack.triggers import StreamPump
from tests.conftest import LocalAws
from tests.contact.conftest import VALID
from tests.retention.conftest import DAY

MINIMAL = {"name": "Newsletter", "fields": [{"name": "email", "label": "Email", "type": "email"}],
           "replyTo": "email"}


def created(thread: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(thread["createdAt"].replace("Z", "+00:00"))


def epoch(thread: dict[str, Any], days: int) -> int:
    return int(created(thread).timestamp()) + days * DAY


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def counts(local_aws: LocalAws, table: str) -> dict[str, int]:
    every = read_counters(local_aws.session.client("dynamodb"), table)
    return {name: value for name, value in every.items() if value}


def test_the_one_expiry_function() -> None:
    received = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    at = int(received.timestamp())
    assert message_expiry(received, Retention()) == at + 365 * DAY
    assert message_expiry(received, Retention(30)) == at + 30 * DAY
    assert message_expiry(received, Retention(30), form_days=7) == at + 7 * DAY
    assert message_expiry(received, Retention(0)) is None  # the stage keeps forever
    assert message_expiry(received, Retention(30), form_days=0) is None  # the form does
    assert message_expiry(received, Retention(0), form_days=10) == at + 10 * DAY


def test_a_message_its_deliveries_and_its_replies_expire_together_after_365_days(
        message_id: str, reply: Callable[..., Any], thread: Callable[[str], dict[str, Any]],
        partition: Callable[[str], list[dict[str, Any]]]) -> None:
    assert reply(message_id, "Thanks, it is 10 euros.").status_code == 202
    shown = thread(message_id)
    expiry = epoch(shown, 365)
    items = partition(message_id)
    # The message, its owner mail, the reply and the reply's mail.
    assert sorted(item["sk"].split("#")[0] for item in items) == [
        "DELIVERY", "DELIVERY", "MSG", "REPLY"]
    assert {item["sk"]: item["expiresAt"] for item in items} == dict.fromkeys(
        (item["sk"] for item in items), expiry)
    assert shown["expiresAt"] == iso(expiry)


def test_a_form_s_retention_days_comes_first_and_0_keeps_its_messages_forever(
        client: Any, put_form: Callable[..., Any], thread: Callable[[str], dict[str, Any]],
        partition: Callable[[str], list[dict[str, Any]]]) -> None:
    assert put_form("brief", {**MINIMAL, "retentionDays": 7}).status_code == 201
    assert put_form("keep", {**MINIMAL, "retentionDays": 0}).status_code == 201
    assert put_form("bad", {**MINIMAL, "retentionDays": -1}).json_body["error"]["details"] == [
        {"field": "retentionDays", "message": "must be whole days from 0 (forever) to 3,650"}]
    posted = {}
    for form_id in ("brief", "keep"):
        answer = client.post(f"/forms/{form_id}", headers={"Content-Type": "application/json"},
                             body=json.dumps({"email": "ada@example.com"}).encode())
        assert answer.status_code == 202
        posted[form_id] = answer.json_body["id"]
    brief = thread(posted["brief"])
    assert brief["expiresAt"] == iso(epoch(brief, 7))
    assert {item.get("expiresAt") for item in partition(posted["brief"])} == {epoch(brief, 7)}
    assert thread(posted["keep"])["expiresAt"] is None
    assert all("expiresAt" not in item for item in partition(posted["keep"]))


def test_the_dashboard_stats_show_the_retention_in_force(
        client: Any, as_admin: dict[str, str]) -> None:
    stats = client.get("/dashboard/stats", headers=as_admin).json_body
    assert stats["retentionDays"] == 365


def test_messages_ttl_deletes_leave_every_count_exact(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any], pump: StreamPump,
        reply: Callable[..., Any], put_form: Callable[..., Any], sweep_ttl: Callable[[float], int],
        partition: Callable[[str], list[dict[str, Any]]], local_aws: LocalAws,
        fresh_table: str) -> None:
    put_form("keep", {**MINIMAL, "retentionDays": 0})
    ids = [submit({**VALID, "message": f"Number {n}"}).json_body["id"] for n in range(3)]
    client.patch(f"/dashboard/messages/{ids[1]}", headers={**as_admin, "Content-Type":
                                                            "application/json"},
                 body=b'{"status": "read"}')
    reply(ids[2], "Answered.")
    kept = client.post("/forms/keep", headers={"Content-Type": "application/json"},
                       body=b'{"email": "grace@example.com"}').json_body["id"]
    pump.poll_once()  # the owner mails sent
    assert counts(local_aws, fresh_table) == {"messagesNew": 2, "messagesRead": 1,
                                              "messagesReplied": 1, "messagesOf#keep": 1}

    a_year_on = datetime.now(UTC) + timedelta(days=366)
    sweep_ttl(a_year_on.timestamp())  # the rate limit's windows go too
    assert all(partition(m) == [] for m in ids) and partition(kept) != []
    pump.poll_once()  # the REMOVE records, from the service principal
    assert counts(local_aws, fresh_table) == {"messagesNew": 1, "messagesOf#keep": 1}
    stats = client.get("/dashboard/stats", headers=as_admin).json_body
    assert stats["messages"] == {"new": 1, "read": 0, "replied": 0, "archived": 0, "spam": 0}
    assert stats["forms"]["keep"] == 1


def test_a_stream_batch_retried_counts_each_expired_message_once(
        submit: Callable[..., Any], pump: StreamPump, sweep_ttl: Callable[[float], int],
        local_aws: LocalAws, fresh_table: str) -> None:
    submit(VALID)
    pump.poll_once()
    seen: list[dict[str, Any]] = []
    recorder = StreamPump(local_aws.session, fresh_table,
                          lambda event: seen.extend(event["Records"]))
    recorder.poll_once()  # everything so far: not TTL's
    sweep_ttl((datetime.now(UTC) + timedelta(days=366)).timestamp())
    recorder.poll_once()
    removals = [r for r in seen if r["eventName"] == "REMOVE" and r["dynamodb"]["Keys"][
        "pk"]["S"].startswith("MSG#")]
    assert [r["userIdentity"] for r in removals] == [
        {"type": "Service", "principalId": "dynamodb.amazonaws.com"}] * 2  # message, mail
    expired = ExpiredMessages(local_aws.session.client("dynamodb"), fresh_table)
    assert expired.on_removed(seen) == 1
    assert expired.on_removed(seen) == 0  # Lambda retrying the batch
    assert counts(local_aws, fresh_table) == {}


def test_a_delete_from_the_dashboard_is_counted_by_the_delete_alone(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any], pump: StreamPump,
        local_aws: LocalAws, fresh_table: str) -> None:
    ids = [submit(VALID).json_body["id"] for _ in range(2)]
    pump.poll_once()
    assert client.delete(f"/dashboard/messages/{ids[0]}", headers=as_admin).status_code == 204
    pump.poll_once()  # REMOVE records with no userIdentity: a request's
    assert counts(local_aws, fresh_table) == {"messagesNew": 1}


def test_an_owner_mail_that_outlives_its_expired_message_settles_without_counting_it_again(
        submit: Callable[..., Any], pump: StreamPump, ses_outage: Callable[[], None],
        sweep_ttl: Callable[[float], int], local_aws: LocalAws, fresh_table: str,
        make_notifier: Any, partition: Callable[[str], list[dict[str, Any]]]) -> None:
    """DynamoDB deletes expired items one by one, days apart at worst: the
    message may go while its mail is still pending."""
    message_id = submit(VALID).json_body["id"]
    pump.poll_once()  # SES is out: the mail stays pending
    assert counts(local_aws, fresh_table) == {"messagesNew": 1, "notificationsPending": 1}
    dynamodb = local_aws.session.client("dynamodb")
    later = datetime.now(UTC) + timedelta(days=366)
    mail_key = {"pk": f"MSG#{message_id}", "sk": "DELIVERY#notification"}
    dynamodb.update_item(TableName=fresh_table, Key=to_item(mail_key),
                         UpdateExpression="SET expiresAt = :later",
                         ExpressionAttributeValues={":later": {"N": str(int(
                             later.timestamp()) + 10 * DAY)}})
    sweep_ttl(later.timestamp())
    assert [item["sk"] for item in partition(message_id)] == ["DELIVERY#notification"]
    pump.poll_once()
    assert counts(local_aws, fresh_table) == {}
    ses_outage()  # SES is back: the mail is sent, and settled without its message
    assert make_notifier(clock=lambda: later).retry_due() == 1
    assert counts(local_aws, fresh_table) == {}
