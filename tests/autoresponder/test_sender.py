"""The autoresponse through the outbox: sent once, retried, failed at once when
it cannot be sent, and its progress summarised on its message; never mailed
twice when a settle fails (the outbox's fault injection)."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.autoresponder.decision import Verdict
from chalicelib.autoresponder.plan import plan
from chalicelib.autoresponder.sender import Autoresponder
from chalicelib.db import keys
from chalicelib.db.expressions import attr, put
from chalicelib.db.reads import get_item
from chalicelib.db.table import PK
from chalicelib.db.transactions import transact_write
from chalicelib.forms.definition import parse_definition
from chalicelib.forms.model import Form
from chalicelib.outbox.kind import FAILED, PENDING, SENT
from chalicelib.outbox.kinds import AUTORESPONSE, state_of
from chalicelib.outbox.outbox import Outbox
from chalicelib.platform.ids import new_id
from tests.conftest import MAIL_FROM, OWNER_EMAIL, LocalAws
from tests.forms.conftest import QUOTE
from tests.outbox.test_settle import Clock, SettleFails
from tests.support.mail import accepted_mail
from tests.support.metrics import RecordingMetrics

FORM = Form(id="quote", definition=parse_definition(QUOTE), version=1, updated_at=None)


def new_message(dynamodb: Any, table: str, address: str = "ada@example.com",
                *, to: str | None = None, reply_to: str | None = None) -> str:
    """A message of FORM whose autoresponse was requested (`to`, `reply_to`: its
    stored recipient and Reply-To, as a record written under another rule, or
    altered in storage, might hold them)."""
    message_id = new_id()
    planned = plan(table, FORM, {"email": address}, Verdict.ACCEPTED, message_id=message_id,
                   received_at=datetime.now(UTC))
    assert planned is not None
    parts = dict(planned.parts)
    if to is not None:
        parts["autoresponse delivery"]["Put"]["Item"]["payload"]["M"]["to"] = {"S": to}
    if reply_to is not None:
        parts["autoresponse delivery"]["Put"]["Item"]["payload"]["M"]["replyTo"] = {"S": reply_to}
    record = {**keys.message(message_id), "type": "message", "id": message_id, **planned.summary}
    transact_write(dynamodb, {**parts, "message": {"Put": put(
        table, record, condition=attr(PK).not_exists())}})
    return message_id


def mail_to(message_id: str) -> list[dict[str, Any]]:
    return [mail for mail in accepted_mail() if message_id in mail["body"]]


def outbox(local_aws: LocalAws, dynamodb: Any, table: str, clock: Clock | None = None,
           **options: Any) -> Outbox:
    clock = clock or Clock()
    kind = Autoresponder(local_aws.session.client("ses"), sender=MAIL_FROM, reply_to=OWNER_EMAIL)
    return Outbox(dynamodb, table, kind, metrics=RecordingMetrics(), clock=clock,
                  sleep=clock.sleep, **options)


def delivery_key(message_id: str) -> dict[str, str]:
    return keys.delivery(keys.message(message_id), AUTORESPONSE.name)


def summary(dynamodb: Any, table: str, message_id: str) -> Any:
    record = get_item(dynamodb, table, keys.message(message_id))
    assert record is not None
    return state_of(AUTORESPONSE, record)


def test_a_requested_autoresponse_is_pending_then_sent_once_to_the_visitor(
        local_aws: LocalAws, fresh_table: str) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    message_id = new_message(dynamodb, fresh_table)
    assert summary(dynamodb, fresh_table, message_id).status == PENDING

    assert outbox(local_aws, dynamodb, fresh_table).deliver(delivery_key(message_id)) == SENT
    (mail,) = mail_to(message_id)
    assert mail["source"] == MAIL_FROM
    assert mail["destinations"]["ToAddresses"] == ["ada@example.com"]
    assert mail["subject"] == "We got your Quote request"
    state = summary(dynamodb, fresh_table, message_id)
    assert (state.status, state.attempts, state.next_attempt_at) == (SENT, 1, None)
    assert state.sent_at is not None
    assert outbox(local_aws, dynamodb, fresh_table).deliver(delivery_key(message_id)) == "skipped"
    assert len(mail_to(message_id)) == 1


def test_an_ses_outage_leaves_it_pending_and_a_retry_sends_it_once(
        local_aws: LocalAws, fresh_table: str, ses_outage: Any) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    message_id = new_message(dynamodb, fresh_table)
    clock = Clock()
    sender = outbox(local_aws, dynamodb, fresh_table, clock)
    assert sender.deliver(delivery_key(message_id)) == PENDING
    state = summary(dynamodb, fresh_table, message_id)
    assert (state.status, state.attempts, state.last_error) == (PENDING, 1, "MessageRejected")
    assert state.next_attempt_at is not None and mail_to(message_id) == []

    ses_outage()  # back
    clock.now += timedelta(minutes=2)  # past the first backoff
    assert sender.retry_due() == 1
    assert summary(dynamodb, fresh_table, message_id).status == SENT
    clock.now += timedelta(hours=2)
    assert sender.retry_due() == 0
    assert len(mail_to(message_id)) == 1


def test_a_stored_recipient_that_is_not_one_address_fails_at_once_unsent(
        local_aws: LocalAws, fresh_table: str) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    message_id = new_message(dynamodb, fresh_table, to="ada@example.com, eve@example.com")
    assert outbox(local_aws, dynamodb, fresh_table).deliver(delivery_key(message_id)) == FAILED
    state = summary(dynamodb, fresh_table, message_id)
    assert (state.status, state.last_error) == (
        FAILED, "Not sent: the recipient address is not one valid email address "
                "('ada@example.com, eve@example.com')")
    assert mail_to(message_id) == []


@pytest.mark.parametrize("stored", [
    {"to": "ada@example.com\r\nBcc: eve@evil.example"},
    {"to": "ada@example.com\nX-Injected: yes"},
    {"reply_to": "owner@example.com\r\nBcc: eve@evil.example"},
    {"reply_to": "not an address"},
])
def test_a_stored_address_with_a_line_break_or_against_the_rule_is_never_sent(
        local_aws: LocalAws, fresh_table: str, stored: dict[str, str]) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    message_id = new_message(dynamodb, fresh_table, **stored)
    assert outbox(local_aws, dynamodb, fresh_table).deliver(delivery_key(message_id)) == FAILED
    state = summary(dynamodb, fresh_table, message_id)
    role = "recipient" if "to" in stored else "Reply-To"
    assert state.status == FAILED
    assert state.last_error.startswith(
        f"Not sent: the {role} address is not one valid email address ('")
    assert "\r" not in state.last_error and "\n" not in state.last_error
    assert mail_to(message_id) == []


def test_a_sent_autoresponse_whose_settle_is_throttled_is_not_mailed_again(
        local_aws: LocalAws, fresh_table: str) -> None:
    client = local_aws.session.client("dynamodb")
    message_id = new_message(client, fresh_table)
    dynamodb = SettleFails(client, times=3)
    clock = Clock()
    sender = outbox(local_aws, dynamodb, fresh_table, clock)
    assert sender.deliver(delivery_key(message_id)) == SENT
    assert dynamodb.settle_writes == 4
    clock.now += timedelta(hours=2)  # every claim long expired: nothing is due again
    assert sender.retry_due() == 0
    assert summary(client, fresh_table, message_id).status == SENT
    assert len(mail_to(message_id)) == 1


def test_a_settle_whose_answer_was_lost_is_not_mailed_again(
        local_aws: LocalAws, fresh_table: str) -> None:
    client = local_aws.session.client("dynamodb")
    message_id = new_message(client, fresh_table)
    clock = Clock()
    sender = outbox(local_aws, SettleFails(client, times=1, applied=True), fresh_table, clock)
    assert sender.deliver(delivery_key(message_id)) == SENT
    clock.now += timedelta(hours=2)
    assert sender.deliver(delivery_key(message_id)) == "skipped"
    assert len(mail_to(message_id)) == 1


def test_senders_racing_for_one_autoresponse_send_it_once(
        local_aws: LocalAws, fresh_table: str) -> None:
    message_id = new_message(local_aws.session.client("dynamodb"), fresh_table)
    senders = [outbox(local_aws, local_aws.session.client("dynamodb"), fresh_table)
               for _ in range(6)]
    start = threading.Barrier(len(senders))
    results: list[str] = []

    def attempt(sender: Outbox) -> None:
        start.wait()
        results.append(sender.deliver(delivery_key(message_id)))

    threads = [threading.Thread(target=attempt, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(SENT) == 1 and len(mail_to(message_id)) == 1


def test_after_its_last_attempt_it_is_failed_and_leaves_the_due_index(
        local_aws: LocalAws, fresh_table: str, ses_outage: Any) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    message_id = new_message(dynamodb, fresh_table)
    clock = Clock()
    sender = outbox(local_aws, dynamodb, fresh_table, clock, max_attempts=2)
    assert sender.deliver(delivery_key(message_id)) == PENDING
    clock.now += timedelta(hours=1)
    assert sender.retry_due() == 0
    state = summary(dynamodb, fresh_table, message_id)
    assert (state.status, state.attempts) == (FAILED, 2)
    delivery = get_item(dynamodb, fresh_table, delivery_key(message_id))
    assert delivery is not None and "gsi2pk" not in delivery
