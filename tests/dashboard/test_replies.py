"""Replies: stored first, mailed through the outbox exactly once, with their
limits, and never a header a visitor could inject."""
from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.api.services import Services
from chalicelib.contact.model import Message, Notification
from chalicelib.core.domain_errors import LimitReached
from chalicelib.dashboard.replies import Reply
from chalicelib.dashboard.reply_email import compose_reply
from chalicelib.dashboard.reply_mail import ReplyMail
from chalicelib.db import keys
from chalicelib.outbox.outbox import Outbox
from chalicelib.platform.branding import Branding
from chalicelib.platform.config import Settings
from tests.conftest import MAIL_FROM, OWNER_EMAIL, LocalAws
from tests.contact.conftest import VALID
from tests.support.mail import accepted_mail
from tests.support.metrics import RecordingMetrics


def first_line(mail: dict[str, Any]) -> str:
    """The reply's first line, from the HTML part moto keeps."""
    return str(mail["body"].split(">", 1)[1].split("<", 1)[0].split("\n")[0])


def reply_outbox(local_aws: LocalAws, table: str, **options: Any) -> Outbox:
    session = local_aws.session
    kind = ReplyMail(session.client("dynamodb"), session.client("ses"), table, sender=MAIL_FROM,
                     reply_to=OWNER_EMAIL)
    return Outbox(session.client("dynamodb"), table, kind,
                  **{"metrics": RecordingMetrics(), **options})


def test_a_reply_is_stored_pending_then_mailed_once_to_the_visitor(
        message_id: str, reply: Any, thread: Any, pump: Any, mails_to: Any, visitor: str,
        demo_users: dict[str, Any], client: Any, as_admin: dict[str, str]) -> None:
    response = reply(message_id, "Thanks! It is 10 euros.\nBest, Owner")
    assert response.status_code == 202
    assert response.json_body == {"id": response.json_body["id"], "status": "pending"}
    stored = thread(message_id)
    assert stored["status"] == "replied" and stored["replyCount"] == 1
    (pending,) = stored["replies"]
    assert pending["id"] == response.json_body["id"]
    assert pending["status"] == "pending" and pending["attempts"] == 0
    assert pending["author"] == demo_users["admin"]["username"].lower()
    assert mails_to(visitor) == []  # the response did not wait for SES

    pump.poll_once()
    (mail,) = mails_to(visitor)
    assert mail["source"] == MAIL_FROM
    assert mail["subject"] == "Re: Pricing"
    # moto keeps the HTML part; the plain-text part is checked where it is composed.
    assert ">Thanks! It is 10 euros.\nBest, Owner</div>" in mail["body"]
    assert ">Hello!\nHow much is it?</blockquote>" in mail["body"]
    (sent,) = thread(message_id)["replies"]
    assert sent["status"] == "sent" and sent["attempts"] == 1
    pump.poll_once()  # the settle comes through the stream too: nothing resent
    assert len(mails_to(visitor)) == 1
    stats = client.get("/dashboard/stats", headers=as_admin).json_body
    assert stats["messages"] == {"new": 0, "read": 0, "replied": 1, "archived": 0, "spam": 0}
    listed = client.get("/dashboard/messages?status=replied", headers=as_admin).json_body
    assert [m["id"] for m in listed["items"]] == [message_id]


def test_the_reply_mail_has_reply_to_plain_text_and_escaped_html(local_aws: LocalAws) -> None:
    message = Message(id="01JD0000000000000000000000", name="Eve", email="eve@example.com",
                      subject="a\r\nBcc: x@evil.test", message="<b>hi</b>", status="new",
                      created_at="2026-11-22T12:00:00.000Z", updated_at="2026-11-22T12:00:00.000Z",
                      notification=Notification("sent"))
    reply = Reply.answering(message, reply_id="01JD0000000000000000000001",
                            body="<script>alert(1)</script>", author="a@example.com",
                            now="2026-11-22T13:00:00.000Z")
    mail = compose_reply(reply, sender=MAIL_FROM, reply_to="support@example.com")
    assert mail["ReplyToAddresses"] == ["support@example.com"]
    assert mail["Destination"] == {"ToAddresses": ["eve@example.com"]}
    assert mail["Message"]["Subject"]["Data"] == "Re: a Bcc: x@evil.test"  # one line
    html = mail["Message"]["Body"]["Html"]["Data"]
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;hi&lt;/b&gt;" in html
    assert mail["Message"]["Body"]["Text"]["Data"] == (
        "<script>alert(1)</script>\n\nOn 22 November 2026 at 12:00 (UTC), Eve wrote:\n"
        "> <b>hi</b>\n")
    untitled = compose_reply(Reply.answering(message.__class__(**{**message.__dict__,
                                                                  "subject": None}),
                                             reply_id=reply.id, body="x", author="a", now="n"),
                             sender=MAIL_FROM, reply_to=OWNER_EMAIL)
    assert untitled["Message"]["Subject"]["Data"] == "Re: Your message"


def test_ses_failing_then_recovering_sends_the_reply_exactly_once(
        message_id: str, reply: Any, thread: Any, pump: Any, mails_to: Any, visitor: str, ses_outage: Any,
        local_aws: LocalAws, fresh_table: str, frontdesk_app: Any) -> None:
    from devstack.triggers import invoke, scheduled_event

    reply(message_id, "We are on it.")
    pump.poll_once()  # the first attempt, from the stream, fails
    (pending,) = thread(message_id)["replies"]
    assert pending["status"] == "pending" and pending["attempts"] == 1
    assert pending["lastError"] == "MessageRejected"
    assert mails_to(visitor) == []

    ses_outage()  # SES is back
    invoke(frontdesk_app, "retry_notifications", scheduled_event())  # inside the backoff: waits
    assert thread(message_id)["replies"][0]["attempts"] == 1
    later = datetime.now(UTC) + timedelta(minutes=2)
    metrics = RecordingMetrics()
    outbox = reply_outbox(local_aws, fresh_table, clock=lambda: later, metrics=metrics)
    assert outbox.retry_due() == 1
    assert metrics.counts == [("RepliesSent", 1)]
    assert outbox.retry_due() == 0
    pump.poll_once()
    assert len(mails_to(visitor)) == 1
    (sent,) = thread(message_id)["replies"]
    assert sent["status"] == "sent" and sent["attempts"] == 2


def test_a_reply_fails_after_the_last_attempt(
        message_id: str, reply: Any, thread: Any, ses_outage: Any, local_aws: LocalAws,
        fresh_table: str) -> None:
    reply(message_id, "We are on it.")
    moment = [datetime.now(UTC)]
    outbox = reply_outbox(local_aws, fresh_table, clock=lambda: moment[0], max_attempts=2)
    for _ in range(3):
        outbox.retry_due()
        moment[0] += timedelta(hours=2)
    (failed,) = thread(message_id)["replies"]
    assert failed["status"] == "failed" and failed["attempts"] == 2
    assert failed["lastError"] == "MessageRejected"


def test_concurrent_replies_are_all_kept_and_each_mailed_once(
        message_id: str, services: Services, thread: Any, local_aws: LocalAws,
        fresh_table: str, mails_to: Any, visitor: str) -> None:
    dashboard = services.dashboard
    start = threading.Barrier(8)
    answers: list[dict[str, Any]] = []

    def post(n: int) -> None:
        start.wait()
        answers.append(dashboard.reply(message_id, body=f"Answer {n}", author="a@example.com",
                                       author_key=f"admin-{n}", request=None))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = thread(message_id)
    assert stored["replyCount"] == 8
    assert sorted(r["id"] for r in stored["replies"]) == sorted(a["id"] for a in answers)
    assert [r["id"] for r in stored["replies"]] == sorted(r["id"] for r in stored["replies"])
    assert reply_outbox(local_aws, fresh_table).retry_due() == 8
    assert reply_outbox(local_aws, fresh_table).retry_due() == 0
    assert sorted(first_line(m) for m in mails_to(visitor)) == sorted(
        f"Answer {n}" for n in range(8))


def test_concurrent_replies_never_pass_the_cap(message_id: str, services: Services,
                                               thread: Any) -> None:
    dashboard = services.dashboard
    start = threading.Barrier(24)
    outcomes: list[Any] = []

    def post(n: int) -> None:
        start.wait()
        try:
            outcomes.append(dashboard.reply(message_id, body=f"Answer {n}", author="a",
                                            author_key=f"admin-{n}", request=None))
        except LimitReached as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(o, LimitReached) for o in outcomes) == 4
    assert thread(message_id)["replyCount"] == 20
    assert len(thread(message_id)["replies"]) == 20


def test_the_21st_reply_to_one_message_is_409(message_id: str, reply: Any, thread: Any) -> None:
    for n in range(20):
        assert reply(message_id, f"Answer {n}").status_code == 202
    refused = reply(message_id, "One more")
    assert refused.status_code == 409
    assert refused.json_body["error"]["code"] == "conflict"
    assert len(thread(message_id)["replies"]) == 20


def test_an_admin_gets_30_replies_an_hour_then_429_with_retry_after(
        submit: Callable[..., Any], reply: Any, thread: Any) -> None:
    first, second = (submit({**VALID, "message": f"Message {n}"}).json_body["id"]
                     for n in range(2))
    for n in range(30):
        assert reply(first if n < 20 else second, f"Answer {n}").status_code == 202
    refused = reply(second, "Too many")
    assert refused.status_code == 429
    assert refused.json_body["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert refused.headers["Access-Control-Allow-Origin"]
    assert len(thread(second)["replies"]) == 10  # the refused reply stored nothing


def test_a_retried_reply_with_its_key_is_stored_once(message_id: str, reply: Any,
                                                     thread: Any) -> None:
    first = reply(message_id, "Once only", key="reply-key-0001")
    again = reply(message_id, "Once only", key="reply-key-0001")
    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json_body == again.json_body
    assert len(thread(message_id)["replies"]) == 1
    assert reply(message_id, "Something else", key="reply-key-0001").status_code == 409
    bad = reply(message_id, "Bad key", key="short")
    assert bad.status_code == 400
    assert bad.json_body["error"]["details"][0]["field"] == "Idempotency-Key"


@pytest.mark.parametrize("body,field", [
    (b'{"body": ""}', "body"), (b'{"body": "   \\n "}', "body"),
    (('{"body": "%s"}' % ("x" * 10_001)).encode(), "body"), (b'{"body": 3}', "body"),
    (b'{"text": "hi"}', "text"), (b'{"body": "bell \\u0007"}', "body"),
])
def test_bad_reply_bodies_are_400(message_id: str, reply: Any, thread: Any, body: bytes,
                                  field: str) -> None:
    response = reply(message_id, body)
    assert response.status_code == 400
    assert field in [d["field"] for d in response.json_body["error"]["details"]]
    assert thread(message_id)["replies"] == []


def test_a_reply_of_10000_characters_is_accepted(message_id: str, reply: Any) -> None:
    assert reply(message_id, "é" * 10_000).status_code == 202


@pytest.mark.parametrize("target", ["01JD0000000000000000000000", "not-an-id"])
def test_a_reply_to_no_message_is_404(reply: Any, client: Any, target: str) -> None:
    assert reply(target, "Hello?").status_code == 404


def test_a_message_deleted_while_its_reply_is_pending_is_still_answered(
        message_id: str, reply: Any, client: Any, as_admin: dict[str, str], pump: Any,
        mails_to: Any, visitor: str, local_aws: LocalAws, fresh_table: str) -> None:
    reply(message_id, "Sent anyway")
    pump.poll_once()  # notification and reply mailed; now one settled reply
    reply(message_id, "Second, still pending")
    assert client.delete(f"/dashboard/messages/{message_id}", headers=as_admin).status_code == 204
    assert reply_outbox(local_aws, fresh_table).retry_due() == 1
    assert [first_line(m) for m in mails_to(visitor)] == ["Sent anyway", "Second, still pending"]
    left = local_aws.session.client("dynamodb").query(
        TableName=fresh_table, KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.message(message_id)["pk"]}})
    assert left["Items"] == []  # nothing of the thread outlives its delivery


def test_replies_and_threads_match_the_documented_schemas(
        message_id: str, reply: Any, thread: Any, client: Any) -> None:
    from tests.http.test_openapi import conforms

    document = client.get("/openapi.json").json_body
    conforms(document, "ReplyAccepted", reply(message_id, "Documented").json_body)
    conforms(document, "MessageThread", thread(message_id))
    operation = document["paths"]["/dashboard/messages/{message_id}/replies"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReplyBody"}
    assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
    export = document["paths"]["/dashboard/messages/export"]["get"]
    assert "text/csv" in export["responses"]["200"]["content"]
    assert {p["name"] for p in export["parameters"]} == {"status", "form", "from", "to",
                                                         "cursor"}


def test_a_reply_that_cannot_be_composed_fails_at_once(
        message_id: str, reply: Any, thread: Any, local_aws: LocalAws, fresh_table: str) -> None:
    from chalicelib.db.items import to_value

    reply_id = reply(message_id, "Lost address").json_body["id"]
    mail = keys.delivery(keys.reply(message_id, reply_id), "reply", reply_id)
    local_aws.session.client("dynamodb").update_item(
        TableName=fresh_table, Key={k: to_value(v) for k, v in mail.items()},
        UpdateExpression="REMOVE #payload.#to",
        ExpressionAttributeNames={"#payload": "payload", "#to": "to"})
    metrics = RecordingMetrics()
    assert reply_outbox(local_aws, fresh_table, metrics=metrics).retry_due() == 0
    (failed,) = thread(message_id)["replies"]
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    assert failed["lastError"] == "No recipient address"
    assert metrics.counts == [("RepliesFailed", 1)]


@pytest.mark.parametrize("stored", ["{visitor}\r\nBcc: eve@evil.example", "{visitor}\n",
                                    "Eve <eve@evil.example>", "{visitor}, eve@evil.example"])
def test_a_stored_recipient_is_checked_again_where_the_mail_leaves(
        message_id: str, reply: Any, thread: Any, local_aws: LocalAws, fresh_table: str,
        visitor: str, mails_to: Callable[[str], list[dict[str, Any]]], stored: str) -> None:
    from chalicelib.db.items import to_value

    reply_id = reply(message_id, "Altered address").json_body["id"]
    mail = keys.delivery(keys.reply(message_id, reply_id), "reply", reply_id)
    local_aws.session.client("dynamodb").update_item(
        TableName=fresh_table, Key={k: to_value(v) for k, v in mail.items()},
        UpdateExpression="SET #payload.#to = :to",
        ExpressionAttributeNames={"#payload": "payload", "#to": "to"},
        ExpressionAttributeValues={":to": {"S": stored.format(visitor=visitor)}})
    assert reply_outbox(local_aws, fresh_table).retry_due() == 0
    (failed,) = thread(message_id)["replies"]
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    assert failed["lastError"].startswith(
        "Not sent: the recipient address is not one valid email address ('")
    assert mails_to(visitor) == [] and mails_to("eve@evil.example") == []
    assert not [m for m in accepted_mail() if "Altered address" in m["body"]]


def test_the_reply_is_signed_with_the_stage_s_signature_before_the_quote() -> None:
    message = Message(id="01JD0000000000000000000000", name="Eve", email="eve@example.com",
                      subject="Pricing", message="How much?", status="new",
                      created_at="2026-11-22T12:00:00.000Z", updated_at="2026-11-22T12:00:00.000Z",
                      notification=Notification("sent"))
    reply = Reply.answering(message, reply_id="01JD0000000000000000000001", body="10 euros.",
                            author="a@example.com", now="2026-11-22T13:00:00.000Z")
    branding = Branding(reply_signature="Jane <jane@acme.test>\nAcme support",
                        time_zone="Europe/Paris")
    mail = compose_reply(reply, sender=MAIL_FROM, reply_to=OWNER_EMAIL, branding=branding)
    assert mail["Message"]["Body"]["Text"]["Data"] == (
        "10 euros.\n\n-- \nJane <jane@acme.test>\nAcme support\n\n"
        "On 22 November 2026 at 13:00 (Europe/Paris), Eve wrote:\n> How much?\n")
    html = mail["Message"]["Body"]["Html"]["Data"]
    assert "-- \nJane &lt;jane@acme.test&gt;\nAcme support</div>" in html and "<jane@" not in html
    assert mail["Message"]["Subject"]["Data"] == "Re: Pricing"  # a reply keeps its thread's subject
    unsigned = compose_reply(reply, sender=MAIL_FROM, reply_to=OWNER_EMAIL)
    assert "-- " not in unsigned["Message"]["Body"]["Text"]["Data"]


def test_the_stage_s_branding_reaches_both_mails_the_outbox_sends(
        message_id: str, reply: Any, mails_to: Any, visitor: str, local_aws: LocalAws,
        fresh_table: str, frontdesk_app: Any) -> None:
    reply(message_id, "It is 10 euros.")
    branded = dataclasses.replace(Settings.from_env(), branding=Branding(
        site_name="Acme", subject_prefix="[Acme]", reply_signature="Acme support",
        time_zone="Asia/Kolkata"))
    # Neither mail was sent yet (no stream was pumped): the schedule sends both.
    assert Services.create(branded, RecordingMetrics()).deliveries.retry_due() >= 2

    owner_mail = next(m for m in mails_to(OWNER_EMAIL) if message_id in m["body"])
    assert owner_mail["subject"] == "[Acme] Pricing"
    assert "+05:30 (Asia/Kolkata)" in owner_mail["body"]
    (visitor_mail,) = mails_to(visitor)
    assert visitor_mail["subject"] == "Re: Pricing"
    assert "-- \nAcme support</div>" in visitor_mail["body"]  # moto keeps the HTML part
    assert re.search(r"On \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d \(Asia/Kolkata\), Ada wrote:",
                     visitor_mail["body"])
