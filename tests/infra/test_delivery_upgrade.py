"""Upgrading a stage whose deliveries are in the shape before each had an item
of its own (infra/delivery_upgrade.py, run by `make deploy`): what it held
reads back unchanged, and every delivery pending before the upgrade is sent
exactly once after it, including one an old function was sending meanwhile."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.contact.chat import ChatNotifications
from chalicelib.contact.notifications import OwnerNotifications
from chalicelib.dashboard.reply_mail import ReplyMail
from chalicelib.db import keys
from chalicelib.db.counters import read_counters
from chalicelib.db.items import to_item
from chalicelib.db.reads import get_item
from chalicelib.outbox.kind import DeliveryKind
from chalicelib.outbox.outbox import Deliveries, Outbox
from infra.delivery_upgrade import Upgrade
from infra.deploy import upgrade_data
from tests.conftest import MAIL_FROM, OWNER_EMAIL, LocalAws
from tests.support.mail import accepted_mail
from tests.support.metrics import RecordingMetrics

OLD = json.loads((Path(__file__).with_name("legacy_stage.json")).read_text())
A, B, C = "01KBD0000000000000000000A1", "01KBD0000000000000000000B1", "01KBD0000000000000000000C1"


@dataclass
class Webhook:
    """The chat webhook: records each post's body and answers 204."""
    posts: list[dict[str, Any]] = field(default_factory=list)
    status = 204

    def __call__(self, request: Any, timeout: float) -> Webhook:
        self.posts.append(json.loads(request.data))
        return self

    def __enter__(self) -> Webhook:
        return self

    def __exit__(self, *_: Any) -> None:
        return None


@pytest.fixture
def old_stage(local_aws: LocalAws, fresh_table: str) -> Any:
    dynamodb = local_aws.session.client("dynamodb")
    for item in OLD["items"]:
        dynamodb.put_item(TableName=fresh_table, Item=to_item(item))
    return dynamodb


def senders(local_aws: LocalAws, table: str, webhook: Webhook) -> list[DeliveryKind]:
    dynamodb, ses = local_aws.session.client("dynamodb"), local_aws.session.client("ses")
    return [OwnerNotifications(ses, sender=MAIL_FROM, owner=OWNER_EMAIL),
            ReplyMail(dynamodb, ses, table, sender=MAIL_FROM, reply_to=OWNER_EMAIL),
            ChatNotifications(lambda: "https://chat.example/hook", fmt="json", opener=webhook)]


def run_schedule(local_aws: LocalAws, table: str, webhook: Webhook) -> int:
    """One run of the retry schedule, late enough for every backoff."""
    later = datetime.now(UTC) + timedelta(days=1)
    return Deliveries(Outbox(local_aws.session.client("dynamodb"), table, sender,
                             metrics=RecordingMetrics(), clock=lambda: later)
                      for sender in senders(local_aws, table, webhook)).retry_due()


def read_back(client: Any, as_admin: dict[str, str]) -> dict[str, Any]:
    def get(path: str) -> Any:
        response = client.get(path, headers=as_admin)
        assert response.status_code == 200, response.json_body
        return response.json_body
    return {"threads": {m: get(f"/dashboard/messages/{m}") for m in (A, B, C)},
            "lists": {s: get(f"/dashboard/messages?status={s}") for s in ("new", "replied")},
            "stats": get("/dashboard/stats")}


FORMS_KEYS = ("formId", "fields", "extra", "expiresAt", "attachments")


def as_before_forms(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers less what messages and stats gained with forms (issue 23)
    and retention (issue 25) and spam (issue 24) and attachments (issue 26), which
    the old stage's answers predate: every old message is the contact form's, the
    stats count them as its, none is spam, none has attachments, and none has an
    expiry until the retention backfill gives it one."""
    messages = [*answers["threads"].values(),
                *(m for page in answers["lists"].values() for m in page["items"])]
    assert all(m["formId"] == "contact" and m["extra"] == {} and m["expiresAt"] is None
               and m["attachments"] == [] for m in messages)
    assert answers["stats"]["forms"] == {"contact": 3}
    assert answers["stats"]["retentionDays"] == 365
    assert answers["stats"]["messages"].pop("spam") == 0

    def plain(message: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in message.items() if k not in FORMS_KEYS}
    return {"threads": {m: plain(t) for m, t in answers["threads"].items()},
            "lists": {s: {**page, "items": [plain(m) for m in page["items"]]}
                      for s, page in answers["lists"].items()},
            "stats": {k: v for k, v in answers["stats"].items()
                      if k not in ("forms", "retentionDays")}}


def mails_about(before: int, *markers: str) -> dict[str, int]:
    mails = accepted_mail()[before:]
    return {marker: sum(marker in mail["body"] for mail in mails) for marker in markers}


def test_an_old_stage_reads_back_unchanged_and_each_pending_delivery_is_sent_once_after(
        local_aws: LocalAws, fresh_table: str, old_stage: Any, client: Any,
        as_admin: dict[str, str]) -> None:
    webhook = Webhook()
    mailed_before = len(accepted_mail())
    # Before the upgrade the new functions see nothing due: the old ones' work waits.
    assert run_schedule(local_aws, fresh_table, webhook) == 0

    assert upgrade_data(old_stage, fresh_table) == (
        "5 pending deliveries and 3 chat posts rewritten into delivery items")
    assert as_before_forms(read_back(client, as_admin)) == {
        key: OLD[key] for key in ("threads", "lists", "stats")}
    assert Upgrade(old_stage, fresh_table).run().summary() == (
        "0 pending deliveries and 0 chat posts rewritten into delivery items")

    # A's owner mail and chat post, B's chat post (its second attempt), replies R2 and R3.
    assert run_schedule(local_aws, fresh_table, webhook) == 5
    assert run_schedule(local_aws, fresh_table, webhook) == 0
    assert mails_about(mailed_before, f"Message id: {A}<", f"Message id: {B}<",
                       f"Message id: {C}<", "Pending one", "Failing one", "Thanks!") == {
        f"Message id: {A}<": 1, f"Message id: {B}<": 0, f"Message id: {C}<": 0,
        "Pending one": 1, "Failing one": 1, "Thanks!": 0}
    # Posted in the format they were requested in (slack), once each.
    assert sorted(post["text"].rsplit("\n", 1)[-1] for post in webhook.posts) == ["Second",
                                                                                 "there"]
    after = read_back(client, as_admin)
    a, b = after["threads"][A], after["threads"][B]
    assert (a["notification"]["status"], a["notification"]["attempts"]) == ("sent", 1)
    assert (a["chat"]["status"], b["chat"]["status"], b["chat"]["attempts"]) == ("sent", "sent", 2)
    assert [(r["status"], r["attempts"]) for r in b["replies"]] == [
        ("sent", 1), ("sent", 1), ("sent", 2)]
    assert after["stats"]["deliveries"] == {"email": {"pending": 0, "failed": 1},
                                            "chat": {"pending": 0, "failed": 0}}

    # Deleting upgraded messages keeps the counts exact, and leaves nothing behind.
    for message_id in (B, C):
        assert client.delete(f"/dashboard/messages/{message_id}", headers=as_admin).status_code \
            == 204
        left = old_stage.query(TableName=fresh_table, KeyConditionExpression="pk = :pk",
                               ExpressionAttributeValues={":pk": {"S": f"MSG#{message_id}"}})
        assert left["Items"] == []
    counters = read_counters(old_stage, fresh_table)
    assert {name: counters[name] for name in ("notificationsPending", "notificationsFailed",
                                               "chatPending", "chatFailed", "messagesNew",
                                               "messagesReplied")} == {
        "notificationsPending": 0, "notificationsFailed": 0, "chatPending": 0, "chatFailed": 0,
        "messagesNew": 1, "messagesReplied": 0}


@dataclass
class OldFunction:
    """An old function's attempt on A's owner mail, in progress as the upgrade
    starts: its claim lasts a minute. Waiting for it, the upgrade sleeps (the
    clock moves on), and the old function then settles it or dies."""
    dynamodb: Any
    table: str
    settles: bool
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    slept: list[float] = field(default_factory=list)

    def clock(self) -> datetime:
        return self.now

    def claim(self) -> None:
        until = (self.now + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
        self.dynamodb.update_item(
            TableName=self.table, Key=to_item(keys.message(A)),
            UpdateExpression="SET notifyClaim = :c, notifyClaimUntil = :u ADD notifyAttempts :one",
            ExpressionAttributeValues={":c": {"S": "old"}, ":u": {"S": until},
                                       ":one": {"N": "1"}})

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)
        if self.settles:  # as the old outbox settled: sent, out of its pending partition
            self.dynamodb.update_item(
                TableName=self.table, Key=to_item(keys.message(A)),
                UpdateExpression="SET notifyStatus = :sent, notifySentAt = :at "
                                 "REMOVE notifyClaim, notifyClaimUntil, notifyNextAt, gsi2pk, gsi2sk",
                ExpressionAttributeValues={":sent": {"S": "sent"}, ":at": {"S": "2026-12-01T09:09:00.000Z"}})


@pytest.mark.parametrize("settles", [True, False], ids=["old-function-settles", "old-function-dies"])
def test_a_delivery_an_old_function_is_sending_is_waited_for_and_sent_once(
        local_aws: LocalAws, fresh_table: str, old_stage: Any, settles: bool) -> None:
    old = OldFunction(old_stage, fresh_table, settles)
    old.claim()
    upgraded = Upgrade(old_stage, fresh_table, clock=old.clock, sleep=old.sleep).run()
    assert upgraded.waited == 1 and 60 < sum(old.slept) < 120
    delivery = get_item(old_stage, fresh_table, keys.delivery(keys.message(A), "notification"))
    webhook, mailed_before = Webhook(), len(accepted_mail())
    run_schedule(local_aws, fresh_table, webhook)
    message = get_item(old_stage, fresh_table, keys.message(A))
    assert message is not None and message["notifyStatus"] == "sent"
    if settles:  # the old function's send was the one: not rewritten, not sent again
        assert delivery is None and upgraded.pending == 4
        assert mails_about(mailed_before, f"Message id: {A}<") == {f"Message id: {A}<": 0}
    else:  # its attempt counted, the claim ran out: sent once, by the new outbox
        assert delivery is not None and delivery["attempts"] == 1 and upgraded.pending == 5
        assert mails_about(mailed_before, f"Message id: {A}<") == {f"Message id: {A}<": 1}
        assert message["notifyAttempts"] == 2
