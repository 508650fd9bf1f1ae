"""Store first, mail after: the stream's first attempt, the schedule's retries,
and never a lost or doubled email."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.contact.email import compose
from chalicelib.contact.model import Message, Notification
from chalicelib.db import keys
from chalicelib.db.counters import read_counters
from chalicelib.outbox.kinds import NOTIFICATION, request
from chalicelib.outbox.outbox import Outbox
from chalicelib.platform.branding import Branding
from devstack.triggers import invoke, scheduled_event
from tests.conftest import MAIL_FROM, OWNER_EMAIL, LocalAws
from tests.contact.conftest import VALID
from tests.support.metrics import RecordingMetrics


def message_of(client: Any, as_admin: dict[str, str], message_id: str) -> dict[str, Any]:
    response = client.get(f"/dashboard/messages/{message_id}", headers=as_admin)
    assert response.status_code == 200
    return response.json_body


def test_a_new_message_is_mailed_once_from_the_stream(
        submit: Callable[..., Any], pump: Any, sent_mail: Any, client: Any,
        as_admin: dict[str, str]) -> None:
    message_id = submit({**VALID, "subject": "Pricing"}).json_body["id"]
    assert sent_mail(message_id) == []  # the response did not wait for SES
    pump.poll_once()
    (mail,) = sent_mail(message_id)
    assert mail["source"] == MAIL_FROM
    assert mail["destinations"]["ToAddresses"] == [OWNER_EMAIL]
    assert mail["subject"] == "[Frontdesk] Pricing"
    notification = message_of(client, as_admin, message_id)["notification"]
    assert notification["status"] == "sent" and notification["attempts"] == 1
    pump.poll_once()  # the settle updates come through the stream too: nothing resent
    assert len(sent_mail(message_id)) == 1


def test_an_ses_outage_leaves_the_message_pending_and_the_retry_sends_it_once(
        submit: Callable[..., Any], pump: Any, sent_mail: Any, ses_outage: Any, client: Any,
        as_admin: dict[str, str], make_notifier: Any, frontdesk_app: Any) -> None:
    message_id = submit(VALID).json_body["id"]
    pump.poll_once()
    pending = message_of(client, as_admin, message_id)
    assert pending["notification"]["status"] == "pending"
    assert pending["notification"]["attempts"] == 1
    assert pending["notification"]["lastError"] == "MessageRejected"
    assert sent_mail(message_id) == []
    stats = client.get("/dashboard/stats", headers=as_admin).json_body
    assert stats["notifications"] == {"pending": 1, "failed": 0}

    ses_outage()  # SES is back
    later = datetime.now(UTC) + timedelta(minutes=2)  # past the first backoff
    metrics = RecordingMetrics()
    notifier = make_notifier(clock=lambda: later, metrics=metrics)
    assert notifier.retry_due() == 1
    assert metrics.counts == [("NotificationsSent", 1)]
    assert notifier.retry_due() == 0
    invoke(frontdesk_app, "retry_notifications", scheduled_event())  # the scheduled function itself
    pump.poll_once()
    assert len(sent_mail(message_id)) == 1
    done = message_of(client, as_admin, message_id)["notification"]
    assert done["status"] == "sent" and done["attempts"] == 2
    stats = client.get("/dashboard/stats", headers=as_admin).json_body
    assert stats["notifications"] == {"pending": 0, "failed": 0}


def test_a_retry_before_its_backoff_is_not_due(
        submit: Callable[..., Any], pump: Any, ses_outage: Any, frontdesk_app: Any,
        client: Any, as_admin: dict[str, str]) -> None:
    message_id = submit(VALID).json_body["id"]
    pump.poll_once()
    ses_outage()
    invoke(frontdesk_app, "retry_notifications", scheduled_event())  # now: still inside the backoff
    assert message_of(client, as_admin, message_id)["notification"]["attempts"] == 1


def test_after_the_last_attempt_the_notification_is_failed_and_counted(
        submit: Callable[..., Any], pump: Any, ses_outage: Any, local_aws: LocalAws,
        fresh_table: str, client: Any, as_admin: dict[str, str], make_notifier: Any) -> None:
    message_id = submit(VALID).json_body["id"]
    pump.poll_once()  # attempt 1 fails
    moment = [datetime.now(UTC)]
    metrics = RecordingMetrics()
    notifier = make_notifier(max_attempts=3, clock=lambda: moment[0], metrics=metrics)
    for _ in range(2):
        moment[0] += timedelta(hours=2)
        notifier.retry_due()
    assert metrics.counts == [("NotificationsFailed", 1)] * 2
    failed = message_of(client, as_admin, message_id)["notification"]
    assert failed["status"] == "failed" and failed["attempts"] == 3
    assert "nextAttemptAt" not in failed
    moment[0] += timedelta(hours=2)
    assert notifier.retry_due() == 0  # failed notifications leave the pending index
    counters = read_counters(local_aws.session.client("dynamodb"), fresh_table)
    assert (counters["notificationsPending"], counters["notificationsFailed"]) == (0, 1)
    client.delete(f"/dashboard/messages/{message_id}", headers=as_admin)
    counters = read_counters(local_aws.session.client("dynamodb"), fresh_table)
    assert counters["notificationsFailed"] == 0


@pytest.mark.parametrize("attribute,stored,role", [
    ("email", "ada@example.com\r\nBcc: eve@evil.example", "Reply-To"),
    ("email", "ada@example.com\n", "Reply-To"),
    ("email", "Eve <eve@evil.example>", "Reply-To"),
    ("recipients", ["sales@example.com\r\nBcc: eve@evil.example"], "recipient"),
    ("recipients", ["sales@example.com", "not an address"], "recipient"),
])
def test_stored_addresses_are_checked_again_where_the_mail_leaves(
        submit: Callable[..., Any], sent_mail: Any, make_notifier: Any, local_aws: LocalAws,
        fresh_table: str, client: Any, as_admin: dict[str, str], attribute: str, stored: Any,
        role: str) -> None:
    from chalicelib.db.items import to_value

    message_id = submit(VALID).json_body["id"]
    delivery = keys.delivery(keys.message(message_id), "notification")
    local_aws.session.client("dynamodb").update_item(
        TableName=fresh_table, Key={k: to_value(v) for k, v in delivery.items()},
        UpdateExpression="SET #payload.#attribute = :stored",
        ExpressionAttributeNames={"#payload": "payload", "#attribute": attribute},
        ExpressionAttributeValues={":stored": to_value(stored)})
    later = datetime.now(UTC) + timedelta(minutes=1)
    metrics = RecordingMetrics()
    assert make_notifier(clock=lambda: later, metrics=metrics).retry_due() == 0
    failed = message_of(client, as_admin, message_id)["notification"]
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    assert failed["lastError"].startswith(
        f"Not sent: the {role} address is not one valid email address ('")
    assert sent_mail(message_id) == []
    assert metrics.counts == [("NotificationsFailed", 1)]


def test_the_stream_and_the_schedule_racing_send_once(
        submit: Callable[..., Any], sent_mail: Any, make_notifier: Any) -> None:
    import threading

    message_id = submit(VALID).json_body["id"]
    notifiers = [make_notifier() for _ in range(6)]
    start = threading.Barrier(len(notifiers))
    results: list[str] = []

    def attempt(notifier: Outbox) -> None:
        start.wait()
        results.append(notifier.deliver(keys.delivery(keys.message(message_id),
                                                      "notification")))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in notifiers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results).count("sent") == 1
    assert len(sent_mail(message_id)) == 1


def test_a_message_deleted_before_delivery_is_not_mailed(
        submit: Callable[..., Any], pump: Any, sent_mail: Any, client: Any,
        as_admin: dict[str, str]) -> None:
    message_id = submit(VALID).json_body["id"]
    assert client.delete(f"/dashboard/messages/{message_id}", headers=as_admin).status_code == 204
    pump.poll_once()
    assert sent_mail(message_id) == []


def sample(**overrides: Any) -> Message:
    values = dict(id="01JD0000000000000000000000", name="Eve <script>", email="eve@example.com",
                  subject=None, message="<img src=x onerror=alert(1)>\nbye", status="new",
                  created_at="2026-11-22T12:00:00.000Z", updated_at="2026-11-22T12:00:00.000Z",
                  notification=Notification("pending"))
    values.update(overrides)
    return Message(**values)  # type: ignore[arg-type]


def test_the_email_replies_to_the_submitter_and_escapes_html() -> None:
    mail = compose(sample(), sender=MAIL_FROM, owner=OWNER_EMAIL)
    assert mail["Source"] == MAIL_FROM
    assert mail["ReplyToAddresses"] == ["eve@example.com"]
    assert mail["Destination"] == {"ToAddresses": [OWNER_EMAIL]}
    assert mail["Message"]["Subject"]["Data"] == "[Frontdesk] Message from Eve <script>"
    html = mail["Message"]["Body"]["Html"]["Data"]
    assert "<script>" not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x onerror=alert(1)>" in mail["Message"]["Body"]["Text"]["Data"]


@pytest.mark.parametrize("subject,expected", [
    ("Pricing", "[Frontdesk] Pricing"),
    ("a\r\nBcc: x@evil.test", "[Frontdesk] a Bcc: x@evil.test"),
    ("x" * 300, "[Frontdesk] " + "x" * 150),
])
def test_the_subject_is_prefixed_one_line_and_bounded(subject: str, expected: str) -> None:
    mail = compose(sample(subject=subject), sender=MAIL_FROM, owner=OWNER_EMAIL)
    assert mail["Message"]["Subject"]["Data"] == expected


def test_the_subject_carries_the_stage_s_prefix_and_the_body_its_time_zone() -> None:
    branding = Branding(subject_prefix="[Acme support]", time_zone="America/New_York")
    mail = compose(sample(subject="Pricing"), sender=MAIL_FROM, owner=OWNER_EMAIL,
                   branding=branding)
    assert mail["Message"]["Subject"]["Data"] == "[Acme support] Pricing"
    assert "Received: 2026-11-22T07:00:00.000-05:00 (America/New_York)\n" in \
        mail["Message"]["Body"]["Text"]["Data"]
    assert "<strong>Received:</strong> 2026-11-22T07:00:00.000-05:00 (America/New_York)</p>" in \
        mail["Message"]["Body"]["Html"]["Data"]
    bare = compose(sample(subject="Pricing"), sender=MAIL_FROM, owner=OWNER_EMAIL,
                   branding=Branding(subject_prefix=""))
    assert bare["Message"]["Subject"]["Data"] == "Pricing"


def test_one_unreadable_pending_item_does_not_hold_up_the_rest(
        submit: Callable[..., Any], make_notifier: Any, sent_mail: Any, local_aws: LocalAws,
        fresh_table: str) -> None:
    from chalicelib.db.items import to_item

    # A pending delivery due first, whose payload is not a message the notifier can read.
    broken = request(NOTIFICATION, keys.message("01JD0000000000000000000000"),
                     delivery_id="01JD0000000000000000000000", due="2000-01-01T00:00:00.000Z",
                     payload={"id": "01JD0000000000000000000000"})
    local_aws.session.client("dynamodb").put_item(TableName=fresh_table,
                                                  Item=to_item(broken.delivery))
    message_id = submit(VALID).json_body["id"]
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert make_notifier(clock=lambda: later).retry_due() == 1
    assert len(sent_mail(message_id)) == 1


def test_each_retry_run_reports_how_long_the_oldest_pending_message_has_waited(
        submit: Callable[..., Any], pump: Any, ses_outage: Any, make_notifier: Any,
        client: Any, as_admin: dict[str, str]) -> None:
    metrics = RecordingMetrics()
    assert make_notifier(metrics=metrics).retry_due() == 0
    assert metrics.ages == [("OldestPendingNotificationAge", 0.0)]  # nothing pending

    first = submit(VALID).json_body["id"]
    submit({**VALID, "message": "A second one"})
    pump.poll_once()  # both attempts fail: SES is out
    created = datetime.fromisoformat(
        message_of(client, as_admin, first)["createdAt"].replace("Z", "+00:00"))
    later = created + timedelta(minutes=42)
    metrics = RecordingMetrics()
    make_notifier(clock=lambda: later, metrics=metrics).retry_due()  # SES still out
    ((name, seconds),) = metrics.ages
    assert name == "OldestPendingNotificationAge"
    assert seconds == (later - created).total_seconds() == 42 * 60  # the first, the older one

    ses_outage()  # SES is back: the next run sends both, nothing is left waiting
    metrics = RecordingMetrics()
    make_notifier(clock=lambda: later + timedelta(hours=2), metrics=metrics).retry_due()
    assert metrics.ages == [("OldestPendingNotificationAge", 0.0)]

