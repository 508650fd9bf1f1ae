"""The autoresponse of a post to a form, end to end: requested with the
message, mailed once to the visitor from the stream, shown on the message,
limited to one per address per form a day (exact under concurrency), and never
for a honeypot hit, a failed CAPTCHA or a rate-limited post."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.autoresponder.limit import address_digest
from chalicelib.autoresponder.sender import Autoresponder
from chalicelib.contact.store import MessageStore
from chalicelib.db import keys
from chalicelib.db.reads import get_item
from chalicelib.forms.definition import parse_definition
from chalicelib.forms.model import Form
from chalicelib.outbox.kinds import AUTORESPONSE
from chalicelib.outbox.outbox import Outbox
from devstack.fakes import LOCAL_CAPTCHA_TOKEN
from tests.conftest import CONTACT_RATE_LIMIT, JSON, MAIL_FROM, OWNER_EMAIL, TEST_ORIGIN, LocalAws
from tests.contact.conftest import VALID
from tests.forms.conftest import QUOTE
from tests.support.mail import accepted_mail
from tests.support.metrics import RecordingMetrics

# QUOTE (its autoresponse "We got your {{form}}" / "Reference {{reference}}, received
# {{date}}.", its first recipient sales@example.com), without the CAPTCHA.
AUTO = {**QUOTE, "captcha": False}
GOOD = {"name": "Ada", "email": "ada@example.com", "terms": True}


@pytest.fixture
def post(client: Any) -> Callable[..., Any]:
    def send(form_id: str, body: dict[str, Any], key: str | None = None) -> Any:
        extra = {"Idempotency-Key": key} if key is not None else {}
        return client.post(f"/forms/{form_id}", body=json.dumps(body).encode(),
                           headers={**JSON, "Origin": TEST_ORIGIN, **extra})
    return send


@pytest.fixture
def quote(put_form: Callable[..., Any]) -> None:
    assert put_form("quote", AUTO).status_code == 201


def autoresponses(address: str) -> list[dict[str, Any]]:
    """The autoresponses SES took for `address` (mail to the site's own addresses aside)."""
    return [mail for mail in accepted_mail()
            if mail["destinations"]["ToAddresses"] == [address]]


def autoresponse_of(client: Any, as_admin: dict[str, str], message_id: str) -> Any:
    message = client.get(f"/dashboard/messages/{message_id}", headers=as_admin).json_body
    listed = client.get("/dashboard/messages?status=new&limit=100", headers=as_admin).json_body
    (in_list,) = [m for m in listed["items"] if m["id"] == message_id]
    assert in_list.get("autoresponse") == message.get("autoresponse")  # the list shows it too
    return message.get("autoresponse")


def claim_of(dynamodb: Any, table: str, address: str, form_id: str = "quote") -> Any:
    return get_item(dynamodb, table, keys.autoresponse_claim(form_id, address_digest(address)))


def test_a_post_is_answered_once_from_the_stream_and_its_message_shows_it(
        quote: None, post: Callable[..., Any], pump: Any, client: Any,
        as_admin: dict[str, str]) -> None:
    before = len(autoresponses("ada@example.com"))
    message_id = post("quote", GOOD).json_body["id"]
    pending = autoresponse_of(client, as_admin, message_id)
    assert pending == {"status": "pending", "attempts": 0,
                       "nextAttemptAt": pending["nextAttemptAt"]}
    pump.poll_once()
    (mail,) = autoresponses("ada@example.com")[before:]
    assert mail["source"] == MAIL_FROM and mail["subject"] == "We got your Quote request"
    assert mail["body"].startswith(f"Reference {message_id}, received 20")
    sent = autoresponse_of(client, as_admin, message_id)
    assert (sent["status"], sent["attempts"]) == ("sent", 1) and "sentAt" in sent
    pump.poll_once()  # the settle's own stream records send nothing more
    assert len(autoresponses("ada@example.com")) == before + 1


def test_a_second_post_from_the_address_within_a_day_is_stored_but_skipped(
        quote: None, put_form: Callable[..., Any], post: Callable[..., Any], client: Any,
        as_admin: dict[str, str], local_aws: LocalAws, fresh_table: str) -> None:
    first = post("quote", GOOD).json_body["id"]
    again = post("quote", {**GOOD, "email": "Ada+quotes@Example.com"})
    assert again.status_code == 202  # the visitor sees no difference
    assert autoresponse_of(client, as_admin, again.json_body["id"]) == {
        "status": "skipped", "attempts": 0, "reason": "recently_sent"}
    assert autoresponse_of(client, as_admin, first)["status"] == "pending"
    other = post("quote", {**GOOD, "email": "eve@example.com"}).json_body["id"]
    assert autoresponse_of(client, as_admin, other)["status"] == "pending"
    put_form("booking", AUTO)
    elsewhere = post("booking", GOOD).json_body["id"]
    assert autoresponse_of(client, as_admin, elsewhere)["status"] == "pending"
    dynamodb = local_aws.session.client("dynamodb")
    for message_id, status in ((first, "pending"), (again.json_body["id"], None)):
        delivery = get_item(dynamodb, fresh_table, keys.delivery(keys.message(message_id),
                                                                 AUTORESPONSE.name))
        assert (delivery or {}).get("status") == status  # a skipped one has no item


def test_concurrent_posts_from_one_address_store_every_message_and_one_autoresponse(
        local_aws: LocalAws, fresh_table: str) -> None:
    form = Form(id="quote", definition=parse_definition(AUTO), version=1, updated_at=None)
    addresses = ["ada@example.com", "ADA@example.com", "ada+1@example.com"] * 3
    start = threading.Barrier(len(addresses))
    stored: list[str] = []

    def submit(address: str) -> None:
        store = MessageStore(local_aws.session.client("dynamodb"), fresh_table)
        start.wait()
        stored.append(store.create({**GOOD, "email": address}, None, form=form)["id"])

    threads = [threading.Thread(target=submit, args=(a,)) for a in addresses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stored) == len(addresses)
    store = MessageStore(local_aws.session.client("dynamodb"), fresh_table)
    statuses = sorted(str(getattr(store.get(i).autoresponse, "status", None)) for i in stored)
    assert statuses == ["pending"] + ["skipped"] * (len(addresses) - 1)


def test_a_replayed_post_is_not_answered_again(
        quote: None, post: Callable[..., Any], pump: Any) -> None:
    before = len(autoresponses("ada@example.com"))
    first = post("quote", GOOD, key="one-key-for-ada")
    assert post("quote", GOOD, key="one-key-for-ada").json_body == first.json_body
    pump.poll_once()
    assert len(autoresponses("ada@example.com")) == before + 1


@pytest.mark.parametrize("honeypot", ["website", "_gotcha"])
def test_a_honeypot_hit_is_never_answered_and_takes_no_claim(
        quote: None, post: Callable[..., Any], pump: Any, local_aws: LocalAws,
        fresh_table: str, honeypot: str) -> None:
    before = len(autoresponses("ada@example.com"))
    assert post("quote", {**GOOD, honeypot: "http://spam.example"}).status_code == 202
    pump.poll_once()
    assert len(autoresponses("ada@example.com")) == before
    assert claim_of(local_aws.session.client("dynamodb"), fresh_table, "ada@example.com") is None


def test_a_failed_captcha_is_never_answered_and_takes_no_claim(
        with_captcha: Callable[..., Any], put_form: Callable[..., Any],
        post: Callable[..., Any], pump: Any, local_aws: LocalAws, fresh_table: str) -> None:
    put_form("quote", {**AUTO, "captcha": True})
    with_captcha()
    refused = post("quote", {**GOOD, "captchaToken": "wrong"})
    assert refused.status_code == 400
    assert refused.json_body["error"]["code"] == "captcha_failed"
    assert claim_of(local_aws.session.client("dynamodb"), fresh_table, "ada@example.com") is None
    assert post("quote", {**GOOD, "captchaToken": LOCAL_CAPTCHA_TOKEN}).status_code == 202
    assert claim_of(local_aws.session.client("dynamodb"), fresh_table, "ada@example.com")


def test_a_rate_limited_post_is_never_answered_and_takes_no_claim(
        quote: None, post: Callable[..., Any], client: Any, local_aws: LocalAws,
        fresh_table: str) -> None:
    for n in range(CONTACT_RATE_LIMIT):
        assert post("quote", {**GOOD, "email": f"visitor{n}@example.com"}).status_code == 202
    refused = post("quote", GOOD)
    assert refused.status_code == 429
    dynamodb = local_aws.session.client("dynamodb")
    assert claim_of(dynamodb, fresh_table, "ada@example.com") is None
    assert claim_of(dynamodb, fresh_table, "visitor0@example.com") is not None


def test_what_a_visitor_typed_never_reaches_the_mail(
        quote: None, post: Callable[..., Any], pump: Any) -> None:
    typed = {"name": "{{form}} Eve", "details": "{{reference}} {{date}} <b>click here</b>",
             "site": "https://spam.example/{{form}}", "plan": "Basic",
             "phone": "+1 555 0100", "by": "2027-01-02"}
    message_id = post("quote", {**GOOD, **typed, "email": "eve@example.com",
                                "_subject": "{{form}} Free money"}).json_body["id"]
    pump.poll_once()
    (mail,) = autoresponses("eve@example.com")[-1:]
    assert mail["subject"] == "We got your Quote request"
    assert message_id in mail["body"]
    for value in (*typed.values(), "Free money", "Eve"):
        assert str(value) not in mail["subject"] + mail["body"]


def test_a_form_without_an_autoresponse_shows_none_on_its_messages(
        post: Callable[..., Any], put_form: Callable[..., Any], client: Any,
        as_admin: dict[str, str], local_aws: LocalAws, fresh_table: str) -> None:
    put_form("quote", {**AUTO, "autoresponse": None})
    message_id = post("quote", GOOD).json_body["id"]
    assert autoresponse_of(client, as_admin, message_id) is None
    assert claim_of(local_aws.session.client("dynamodb"), fresh_table, "ada@example.com") is None


def test_an_empty_reply_to_field_is_skipped_for_want_of_an_address(
        put_form: Callable[..., Any], post: Callable[..., Any], client: Any,
        as_admin: dict[str, str]) -> None:
    put_form("letters", {"name": "Letters", "replyTo": "email", "fields": [
        {"name": "email", "label": "Email", "type": "email"},
        {"name": "note", "label": "Note", "type": "text", "required": True}],
        "autoresponse": {"subject": "Thanks", "body": "Noted."}})
    message_id = post("letters", {"note": "Hi"}).json_body["id"]
    assert autoresponse_of(client, as_admin, message_id) == {
        "status": "skipped", "attempts": 0, "reason": "no_address"}


def test_an_ses_outage_shows_the_autoresponse_pending_then_it_is_sent_once(
        quote: None, post: Callable[..., Any], pump: Any, ses_outage: Any,
        client: Any, as_admin: dict[str, str], local_aws: LocalAws, fresh_table: str) -> None:
    before = len(autoresponses("ada@example.com"))
    message_id = post("quote", GOOD).json_body["id"]
    pump.poll_once()
    pending = autoresponse_of(client, as_admin, message_id)
    assert (pending["status"], pending["attempts"], pending["lastError"]) == (
        "pending", 1, "MessageRejected")
    ses_outage()  # back
    later = datetime.now(UTC) + timedelta(minutes=2)  # past the first backoff
    kind = Autoresponder(local_aws.session.client("ses"), sender=MAIL_FROM, reply_to=OWNER_EMAIL)
    assert Outbox(local_aws.session.client("dynamodb"), fresh_table, kind,
                  metrics=RecordingMetrics(), clock=lambda: later).retry_due() == 1
    assert autoresponse_of(client, as_admin, message_id)["status"] == "sent"
    assert len(autoresponses("ada@example.com")) == before + 1


def test_deleting_the_message_deletes_its_pending_autoresponse(
        quote: None, post: Callable[..., Any], pump: Any, client: Any,
        as_admin: dict[str, str], local_aws: LocalAws, fresh_table: str) -> None:
    before = len(autoresponses("ada@example.com"))
    message_id = post("quote", GOOD).json_body["id"]
    assert client.delete(f"/dashboard/messages/{message_id}", headers=as_admin).status_code == 204
    pump.poll_once()
    assert len(autoresponses("ada@example.com")) == before
    dynamodb = local_aws.session.client("dynamodb")
    assert get_item(dynamodb, fresh_table, keys.delivery(keys.message(message_id),
                                                         AUTORESPONSE.name)) is None
    assert claim_of(dynamodb, fresh_table, "ada@example.com") is not None  # the limit stays


def test_the_contact_form_s_autoresponse_answers_post_contact(
        put_form: Callable[..., Any], client: Any, as_admin: dict[str, str],
        pump: Any) -> None:
    contact = client.get("/dashboard/forms/contact", headers=as_admin).json_body
    edited = {k: v for k, v in contact.items()
              if k not in ("formId", "builtIn", "version", "updatedAt")}
    edited["autoresponse"] = {"subject": "Thanks for writing to {{form}}",
                              "body": "We will answer soon. Reference: {{reference}}"}
    assert put_form("contact", edited).status_code == 200
    before = len(autoresponses("ada@example.com"))
    response = client.post("/contact", headers=JSON, body=json.dumps(VALID).encode())
    assert response.status_code == 202
    pump.poll_once()
    (mail,) = autoresponses("ada@example.com")[before:]
    assert mail["subject"] == "Thanks for writing to Contact"
    assert mail["body"] == f"We will answer soon. Reference: {response.json_body['id']}"
