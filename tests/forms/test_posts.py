"""POST /forms/{form_id}: the contact form's pipeline for any form, what it
stores, and GET /forms/{form_id}/schema."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from chalicelib.forms.submission import MAX_EXTRA_FIELDS
from devstack.fakes import LOCAL_CAPTCHA_TOKEN
from tests.conftest import CONTACT_RATE_LIMIT, JSON, OWNER_EMAIL, TEST_ORIGIN
from tests.contact.conftest import VALID, pump, sent_mail  # noqa: F401 (fixtures)
from tests.contact.test_captcha import fakes, secret_parameter, with_captcha  # noqa: F401
from tests.forms.conftest import QUOTE

FORM = {"Content-Type": "application/x-www-form-urlencoded", "Origin": TEST_ORIGIN}
THANKS = f"{TEST_ORIGIN}/thanks.html"
OOPS = f"{TEST_ORIGIN}/oops.html"
# QUOTE without its CAPTCHA and autoresponse: what most tests post to.
PLAIN = {**QUOTE, "captcha": False, "autoresponse": None}
GOOD = {"name": "Ada", "email": "Ada@Example.com", "qty": 12, "plan": "Pro", "terms": True,
        "details": "Line one\r\nLine two"}


@pytest.fixture
def quote(put_form: Callable[..., Any]) -> dict[str, Any]:
    response = put_form("quote", PLAIN)
    assert response.status_code == 201
    return dict(response.json_body)


@pytest.fixture
def post(client: Any) -> Callable[..., Any]:
    def send(form_id: str, body: dict[str, Any] | bytes, key: str | None = None,
             **headers: str) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        extra = {"Idempotency-Key": key} if key is not None else {}
        return client.post(f"/forms/{form_id}", headers={**JSON, "Origin": TEST_ORIGIN,
                                                         **extra, **headers}, body=raw)
    return send


@pytest.fixture
def post_form(client: Any) -> Callable[..., Any]:
    def send(form_id: str, fields: dict[str, str] | list[tuple[str, str]] | bytes) -> Any:
        body = fields if isinstance(fields, bytes) else urlencode(fields).encode()
        return client.post(f"/forms/{form_id}", headers=FORM, body=body)
    return send


def listed(client: Any, as_admin: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/dashboard/messages?status=new{query}", headers=as_admin)
    assert response.status_code == 200, response.json_body
    return list(response.json_body["items"])


def thread(client: Any, as_admin: dict[str, str], message_id: str) -> dict[str, Any]:
    return dict(client.get(f"/dashboard/messages/{message_id}", headers=as_admin).json_body)


def details(response: Any) -> dict[str, str]:
    return {d["field"]: d["message"] for d in response.json_body["error"]["details"]}


# -- what is stored -------------------------------------------------------------

def test_a_post_is_stored_with_its_fields_in_the_form_s_order_labels_and_types(
        quote: dict[str, Any], post: Callable[..., Any], client: Any,
        as_admin: dict[str, str]) -> None:
    response = post("quote", {**GOOD, "_subject": "Big order", "utm": "ad"})
    assert response.status_code == 202
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    message_id = response.json_body["id"]
    assert response.json_body == {"id": message_id, "status": "received"}
    (message,) = listed(client, as_admin)
    assert message["id"] == message_id and message["formId"] == "quote"
    assert message["fields"] == [
        {"name": "name", "label": "Your name", "type": "text", "value": "Ada"},
        {"name": "email", "label": "Email", "type": "email", "value": "ada@example.com"},
        {"name": "qty", "label": "How many", "type": "number", "value": "12"},
        {"name": "plan", "label": "Plan", "type": "select", "value": "Pro"},
        {"name": "terms", "label": "I agree", "type": "checkbox", "value": True},
        {"name": "details", "label": "Details", "type": "textarea",
         "value": "Line one\nLine two"}]
    assert message["extra"] == {"utm": "ad"}
    # What stands for the contact form's fields: a field named name, the
    # replyTo field, _subject; no field named message.
    assert (message["name"], message["email"], message["subject"], message["message"]) == (
        "Ada", "ada@example.com", "Big order", None)
    assert thread(client, as_admin, message_id)["fields"] == message["fields"]


def test_a_later_edit_of_the_form_never_changes_a_stored_message(
        quote: dict[str, Any], post: Callable[..., Any], put_form: Callable[..., Any],
        client: Any, as_admin: dict[str, str]) -> None:
    message_id = post("quote", GOOD).json_body["id"]
    before = thread(client, as_admin, message_id)
    edited = {**PLAIN, "fields": [{**f, "label": f"New {f['label']}"} if f["name"] != "qty"
                                  else {"name": "qty", "label": "Qty", "type": "text"}
                                  for f in PLAIN["fields"] if f["name"] != "plan"]}
    assert put_form("quote", edited).status_code == 200
    after = thread(client, as_admin, message_id)
    assert after["fields"] == before["fields"]
    assert [f["label"] for f in after["fields"]][:2] == ["Your name", "Email"]


def test_a_form_without_reply_to_stores_nulls_and_cannot_be_replied_to(
        put_form: Callable[..., Any], post: Callable[..., Any], client: Any,
        as_admin: dict[str, str]) -> None:
    put_form("survey", {"name": "Survey", "fields": [
        {"name": "message", "label": "Your thoughts", "type": "textarea", "required": True},
        {"name": "score", "label": "Score", "type": "number", "min": 0, "max": 10}]})
    message_id = post("survey", {"message": "Fine", "score": "7"}).json_body["id"]
    (message,) = listed(client, as_admin, "&form=survey")
    assert (message["name"], message["email"], message["subject"], message["message"]) == (
        None, None, None, "Fine")
    assert message["extra"] == {}
    reply = client.post(f"/dashboard/messages/{message_id}/replies",
                        headers={**as_admin, **JSON}, body=b'{"body": "Thanks"}')
    assert reply.status_code == 409 and reply.json_body["error"]["code"] == "conflict"
    assert thread(client, as_admin, message_id)["replyCount"] == 0


def test_a_message_stored_before_forms_reads_as_a_contact_message(
        local_aws: Any, fresh_table: str, client: Any, as_admin: dict[str, str]) -> None:
    from chalicelib.db.items import to_item
    message_id = "01KBD0000000000000000000A1"
    local_aws.session.client("dynamodb").put_item(TableName=fresh_table, Item=to_item({
        "pk": f"MSG#{message_id}", "sk": "MSG", "gsi1pk": "MSGS#new", "gsi1sk": message_id,
        "type": "message", "id": message_id, "name": "Ada", "email": "ada@example.com",
        "message": "Hello", "status": "new", "createdAt": "2026-12-01T09:00:00.000Z",
        "updatedAt": "2026-12-01T09:00:00.000Z", "notifyStatus": "sent", "notifyAttempts": 1}))
    message = thread(client, as_admin, message_id)
    assert message["formId"] == "contact" and "subject" not in message
    assert message["fields"] == [
        {"name": "name", "label": "Name", "type": "text", "value": "Ada"},
        {"name": "email", "label": "Email", "type": "email", "value": "ada@example.com"},
        {"name": "message", "label": "Message", "type": "textarea", "value": "Hello"}]
    assert message["extra"] == {}


def test_post_contact_and_post_forms_contact_are_one_route(
        post: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    first = post("contact", {**VALID, "subject": "Hi"}, key="same-key-0001")
    again = client.post("/contact", headers={**JSON, "Idempotency-Key": "same-key-0001"},
                        body=json.dumps({**VALID, "subject": "Hi"}).encode())
    assert first.status_code == again.status_code == 202
    assert again.json_body == first.json_body  # one scope: the replay of the first
    (message,) = listed(client, as_admin, "&form=contact")
    assert {k: message[k] for k in ("formId", "name", "email", "subject", "message")} == {
        "formId": "contact", "name": "Ada", "email": "ada@example.com", "subject": "Hi",
        "message": "Hello!"}
    assert [f["name"] for f in message["fields"]] == ["name", "email", "subject", "message"]
    # The contact form keeps POST /contact's body: a name it lacks is refused.
    assert details(post("contact", {**VALID, "_gotcha": ""})) == {
        "_gotcha": "is not a known field"}


def test_the_contact_form_s_edited_labels_are_stored_with_its_messages(
        put_form: Callable[..., Any], post: Callable[..., Any], client: Any,
        as_admin: dict[str, str]) -> None:
    contact = client.get("/dashboard/forms/contact", headers=as_admin).json_body
    edited = {k: v for k, v in contact.items() if k not in ("formId", "builtIn", "version",
                                                            "updatedAt")}
    edited["fields"] = [{**f, "label": f"Votre {f['name']}"} for f in edited["fields"]]
    assert put_form("contact", edited).status_code == 200
    post("contact", VALID)
    (message,) = listed(client, as_admin)
    assert [f["label"] for f in message["fields"]] == ["Votre name", "Votre email",
                                                        "Votre message"]


# -- answers --------------------------------------------------------------------

@pytest.mark.parametrize("form_id", ["nothing-here", "Quote", "a" * 41, "_next", "q%20x",
                                     "1abc"])
def test_an_unknown_or_malformed_form_is_404(quote: dict[str, Any], post: Callable[..., Any],
                                            post_form: Callable[..., Any],
                                            form_id: str) -> None:
    response = post(form_id, GOOD)
    assert response.status_code == 404 and response.json_body["error"]["code"] == "not_found"
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    page = post_form(form_id, {"name": "x", "_error": OOPS})
    assert page.status_code == 303
    assert parse_qs(urlsplit(page.headers["Location"]).query)["error"] == ["not_found"]


def test_every_bad_field_is_named_at_once(quote: dict[str, Any], post: Callable[..., Any],
                                          client: Any, as_admin: dict[str, str]) -> None:
    response = post("quote", {"name": "A\r\nBcc: x@example.com", "email": "nope", "qty": 501,
                              "plan": "Gold", "terms": False, "site": "javascript:alert(1)",
                              "by": "2026-02-30", "_subject": "Hi\nBcc: x@example.com"})
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "validation_failed"
    assert set(details(response)) == {"name", "email", "qty", "plan", "terms", "site", "by",
                                      "_subject"}
    assert listed(client, as_admin) == []


def test_under_reject_an_unknown_field_is_named(put_form: Callable[..., Any],
                                                post: Callable[..., Any]) -> None:
    put_form("quote", {**PLAIN, "extraFields": "reject"})
    response = post("quote", {**GOOD, "colour": "blue", "website": ""})
    assert response.status_code == 400
    assert details(response) == {"colour": "is not a field of this form"}


def test_under_keep_ten_extra_fields_are_kept_and_an_eleventh_refused(
        quote: dict[str, Any], post: Callable[..., Any], client: Any,
        as_admin: dict[str, str]) -> None:
    extras = {f"x{n}": f"value {n}" for n in range(MAX_EXTRA_FIELDS)}
    assert post("quote", {**GOOD, **extras}).status_code == 202
    assert listed(client, as_admin)[0]["extra"] == extras
    response = post("quote", {**GOOD, **extras, "x10": "one more"})
    assert response.status_code == 400 and "x10" in details(response)
    too_long = post("quote", {**GOOD, "note": "x" * 1001})
    assert too_long.status_code == 400 and "note" in details(too_long)
    assert len(listed(client, as_admin)) == 1


@pytest.mark.parametrize("body", [
    {**GOOD, "name": ["Ada", "Bob"]},
    {**GOOD, "name": {"first": "Ada"}},
    {**GOOD, "qty": [1]},
    {**GOOD, "terms": "maybe"},
    {**GOOD, "utm": {"nested": True}},
    {**GOOD, "_subject": ["a", "b"]},
    {**GOOD, "_subject": 42},
    {**GOOD, "email": "ada@example.com\r\nBcc: all@example.com"},
])
def test_values_of_the_wrong_shape_are_400_never_500(quote: dict[str, Any],
                                                     post: Callable[..., Any],
                                                     body: dict[str, Any]) -> None:
    response = post("quote", body)
    assert response.status_code == 400, response.json_body
    assert response.json_body["error"]["code"] == "validation_failed"


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"{", b"null"])
def test_a_body_that_is_no_json_object_is_400(quote: dict[str, Any], post: Callable[..., Any],
                                              body: bytes) -> None:
    response = post("quote", body)
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN


def test_a_huge_body_is_413_and_stores_nothing(quote: dict[str, Any], post: Callable[..., Any],
                                              post_form: Callable[..., Any], client: Any,
                                              as_admin: dict[str, str]) -> None:
    huge = {**GOOD, "details": "x" * (17 * 1024)}
    assert post("quote", huge).status_code == 413
    assert post_form("quote", {**{k: str(v) for k, v in GOOD.items()},
                               "details": "x" * (17 * 1024)}).status_code == 413
    assert listed(client, as_admin) == []


def test_unicode_is_kept_as_sent(quote: dict[str, Any], post: Callable[..., Any],
                                 client: Any, as_admin: dict[str, str]) -> None:
    text = "Zoë 🚀 — 日本語 \u200b"
    assert post("quote", {**GOOD, "name": text, "details": text}).status_code == 202
    (message,) = listed(client, as_admin)
    assert message["name"] == text.strip(" ")
    assert message["fields"][-1]["value"] == text


def test_a_lone_surrogate_is_400(quote: dict[str, Any], post: Callable[..., Any]) -> None:
    body = json.dumps({**GOOD, "name": "x"}).replace('"x"', '"\\ud800"').encode()
    response = post("quote", body)
    assert response.status_code == 400


# -- honeypots, rate limit, idempotency, CAPTCHA ---------------------------------

@pytest.mark.parametrize("honeypot", ["website", "_gotcha"])
def test_a_filled_honeypot_answers_like_a_success_and_stores_nothing(
        quote: dict[str, Any], post: Callable[..., Any], post_form: Callable[..., Any],
        client: Any, as_admin: dict[str, str], honeypot: str) -> None:
    response = post("quote", {**GOOD, honeypot: "http://spam.example"})
    assert response.status_code == 202 and response.json_body["status"] == "received"
    page = post_form("quote", {**{k: str(v) for k, v in GOOD.items()},
                               honeypot: "spam", "_next": THANKS})
    assert page.status_code == 303 and page.headers["Location"] == THANKS
    assert listed(client, as_admin) == []
    stats = client.get("/dashboard/stats", headers=as_admin).json_body
    assert stats["forms"]["quote"] == 0


def test_the_rate_limit_is_one_per_client_across_forms(
        quote: dict[str, Any], post: Callable[..., Any], client: Any) -> None:
    for n in range(CONTACT_RATE_LIMIT - 1):
        assert client.post("/contact", headers=JSON,
                           body=json.dumps(VALID).encode()).status_code == 202, n
    assert post("quote", GOOD).status_code == 202
    refused = post("quote", GOOD)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert client.post("/contact", headers=JSON,
                       body=json.dumps(VALID).encode()).status_code == 429


def test_an_idempotency_key_is_a_key_to_one_form_s_posts(
        quote: dict[str, Any], put_form: Callable[..., Any], post: Callable[..., Any],
        client: Any, as_admin: dict[str, str]) -> None:
    put_form("other", PLAIN)
    first = post("quote", GOOD, key="key-for-a-quote")
    assert post("quote", GOOD, key="key-for-a-quote").json_body == first.json_body
    changed = post("quote", {**GOOD, "qty": 13}, key="key-for-a-quote")
    assert changed.status_code == 409
    assert details(changed) == {"Idempotency-Key": "was already used with a different body"}
    elsewhere = post("other", GOOD, key="key-for-a-quote")
    assert elsewhere.status_code == 202 and elsewhere.json_body["id"] != first.json_body["id"]
    assert [m["formId"] for m in listed(client, as_admin)] == ["other", "quote"]


def test_concurrent_retries_with_one_key_store_one_message(
        quote: dict[str, Any], post: Callable[..., Any], client: Any,
        as_admin: dict[str, str]) -> None:
    answers: list[Any] = []

    def send() -> None:
        answers.append(post("quote", GOOD, key="one-key-many-tries"))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [a.json_body["id"] for a in answers if a.status_code == 202]
    assert ok and len(set(ok)) == 1
    assert all(a.status_code in (202, 503) for a in answers)
    assert len(listed(client, as_admin)) == 1


def test_a_captcha_form_needs_a_token_where_the_stage_has_captcha(
        with_captcha: Callable[..., Any], put_form: Callable[..., Any],  # noqa: F811
        post: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    put_form("quote", {**PLAIN, "captcha": True})
    put_form("open", PLAIN)
    with_captcha()
    refused = post("quote", GOOD)
    assert refused.status_code == 400 and refused.json_body["error"]["code"] == "captcha_failed"
    assert post("quote", {**GOOD, "captchaToken": LOCAL_CAPTCHA_TOKEN}).status_code == 202
    # The widget's own field names are the route's, never a field of the form.
    assert post("quote", {**GOOD, "captchaToken": LOCAL_CAPTCHA_TOKEN,
                          "cf-turnstile-response": "x"}).status_code == 202
    assert post("open", GOOD).status_code == 202  # captcha: false
    form = client.post("/forms/quote", headers=FORM, body=urlencode(
        {**{k: str(v) for k, v in GOOD.items()}, "cf-turnstile-response": LOCAL_CAPTCHA_TOKEN,
         "_next": THANKS}).encode())
    assert form.status_code == 303 and form.headers["Location"] == THANKS
    assert len(listed(client, as_admin)) == 4


def test_without_captcha_on_the_stage_a_captcha_form_takes_posts(
        put_form: Callable[..., Any], post: Callable[..., Any]) -> None:
    put_form("quote", {**PLAIN, "captcha": True})
    assert post("quote", GOOD).status_code == 202


# -- plain HTML form posts ---------------------------------------------------------

def test_a_form_post_is_redirected_and_a_refusal_names_its_fields(
        quote: dict[str, Any], post_form: Callable[..., Any], client: Any,
        as_admin: dict[str, str]) -> None:
    fields = {"name": "Ada", "email": "ada@example.com", "terms": "on", "qty": "3",
              "_next": THANKS, "_error": OOPS}
    response = post_form("quote", fields)
    assert response.status_code == 303 and response.headers["Location"] == THANKS
    (message,) = listed(client, as_admin)
    assert [f for f in message["fields"] if f["name"] == "terms"] == [
        {"name": "terms", "label": "I agree", "type": "checkbox", "value": True}]
    refused = post_form("quote", {**fields, "terms": "", "email": "x"})
    assert refused.status_code == 303
    query = parse_qs(urlsplit(refused.headers["Location"]).query)
    assert query["error"] == ["validation_failed"] and query["fields"] == ["email,terms"]
    repeated = post_form("quote", [*fields.items(), ("name", "Bob")])
    assert repeated.status_code == 303
    assert parse_qs(urlsplit(repeated.headers["Location"]).query)["fields"] == ["name"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "javascript:alert(1)"])
def test_next_outside_the_site_is_refused_never_followed(
        quote: dict[str, Any], post_form: Callable[..., Any], client: Any,
        as_admin: dict[str, str], target: str) -> None:
    response = post_form("quote", {"name": "Ada", "email": "ada@example.com", "terms": "on",
                                   "_next": target})
    assert response.status_code == 400 and "text/html" in response.headers["Content-Type"]
    assert "Location" not in response.headers
    assert listed(client, as_admin) == []


# -- the owner mail and the chat post ------------------------------------------------

def test_the_owner_mail_goes_to_the_form_s_recipients_with_every_field(
        quote: dict[str, Any], post: Callable[..., Any], pump: Any,  # noqa: F811
        sent_mail: Callable[[str], list[dict[str, Any]]]) -> None:  # noqa: F811
    message_id = post("quote", {**GOOD, "utm": "ad <b>"}).json_body["id"]
    pump.poll_once()
    (mail,) = sent_mail(message_id)
    assert mail["destinations"]["ToAddresses"] == ["sales@example.com"]
    assert mail["subject"] == "[Frontdesk] Quote request"
    body = mail["body"]  # the HTML part, as SES keeps it
    for label, value in (("Your name", "Ada"), ("Email", "ada@example.com"), ("How many", "12"),
                         ("Plan", "Pro"), ("I agree", "yes"), ("Details", "Line one\nLine two")):
        assert f"<strong>{label}</strong><br><span style=\"white-space: pre-wrap\">{value}" \
            in body, label
    assert "utm<br>" in body and "ad &lt;b&gt;" in body and "<b>" not in body


def test_the_owner_mail_s_text_lists_every_field_with_its_label() -> None:
    from chalicelib.contact.email import compose
    from chalicelib.contact.model import Message, Notification
    from chalicelib.forms.definition import parse_definition
    from chalicelib.forms.store import Form

    form = Form(id="quote", definition=parse_definition(PLAIN), version=1, updated_at=None)
    message = Message.received("01KBD0000000000000000000A1", "2026-12-01T09:00:00.000Z", form,
                               {"name": "Ada", "email": "ada@example.com", "qty": "12",
                                "terms": True, "details": "Line one\nLine two"},
                               extra={"utm": "ad"}, topic=None,
                               notification=Notification("pending"))
    mail = compose(message, sender="from@example.com", owner=OWNER_EMAIL,
                   recipients=["sales@example.com"])
    assert mail["Destination"] == {"ToAddresses": ["sales@example.com"]}
    assert mail["ReplyToAddresses"] == ["ada@example.com"]
    assert mail["Message"]["Body"]["Text"]["Data"] == (
        "Form: Quote request\n\nYour name: Ada\nEmail: ada@example.com\nHow many: 12\n"
        "I agree: yes\nDetails:\nLine one\nLine two\n\n\nOther fields:\nutm: ad\n\n"
        "Received: 2026-12-01T09:00:00.000Z\nMessage id: 01KBD0000000000000000000A1\n")


def test_the_owner_mail_s_subject_is_subject_and_reply_to_the_reply_to_field() -> None:
    from chalicelib.contact.email import compose
    from chalicelib.contact.model import Message, Notification
    from chalicelib.forms.builtin import CONTACT_ID
    from chalicelib.forms.definition import parse_definition
    from chalicelib.forms.store import Form

    definition = parse_definition({"name": "Quote request", "fields": [
        {"name": "note", "label": "Note", "type": "text"}]})
    form = Form(id="quote", definition=definition, version=1, updated_at=None)
    message = Message.received("01KBD0000000000000000000A1", "2026-12-01T09:00:00.000Z", form,
                               {}, extra={}, topic="Big\u2028order",
                               notification=Notification("pending"))
    mail = compose(message, sender="from@example.com", owner=OWNER_EMAIL)
    assert mail["Destination"] == {"ToAddresses": [OWNER_EMAIL]}  # none named: the owner
    assert "ReplyToAddresses" not in mail  # no replyTo field
    assert mail["Message"]["Subject"]["Data"] == "[Frontdesk] Big order"
    assert message.form_id != CONTACT_ID


def test_a_reply_to_address_is_one_line_whatever_was_stored() -> None:
    from chalicelib.contact.email import compose
    from chalicelib.contact.model import Message, Notification

    message = Message(id="01KBD0000000000000000000A1", name="Eve", email="eve@example.com\r\nBcc: x",
                      subject="S\r\nBcc: y", message="m", status="new",
                      created_at="2026-12-01T09:00:00.000Z", updated_at="2026-12-01T09:00:00.000Z",
                      notification=Notification("pending"), form_id="quote",
                      topic="T\r\nBcc: z", form_name="Q")
    mail = compose(message, sender="from@example.com", owner=OWNER_EMAIL)
    assert all("\r" not in v and "\n" not in v for v in mail["ReplyToAddresses"])
    assert "\n" not in mail["Message"]["Subject"]["Data"]


def test_the_chat_post_names_the_form() -> None:
    from chalicelib.contact.chat import payload
    from chalicelib.contact.model import Message, Notification
    from chalicelib.forms.submission import SubmittedField

    message = Message(id="01KBD0000000000000000000A1", name="Ada", email="ada@example.com",
                      subject=None, message=None, status="new",
                      created_at="2026-12-01T09:00:00.000Z", updated_at="2026-12-01T09:00:00.000Z",
                      notification=Notification("pending"), form_id="quote",
                      fields=(SubmittedField("name", "Your name", "text", "Ada"),
                              SubmittedField("terms", "I agree", "checkbox", True)),
                      form_name="Quote request")
    assert payload(message, "slack")["text"] == (
        "New message to the form Quote request from Ada\nYour name: Ada\nI agree: yes")
    assert payload(message, "discord")["content"].startswith(
        "New message to the form Quote request from Ada")
    posted = payload(message, "json")
    assert posted["type"] == "form_message" and posted["formId"] == "quote"
    assert posted["fields"][1] == {"name": "terms", "label": "I agree", "type": "checkbox",
                                   "value": True}


# -- the schema ------------------------------------------------------------------------

def test_the_schema_is_public_cached_briefly_and_follows_edits(
        quote: dict[str, Any], put_form: Callable[..., Any], client: Any) -> None:
    response = client.get("/forms/quote/schema", headers={"Origin": TEST_ORIGIN})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    schema = response.json_body
    assert schema["title"] == "Quote request"
    assert list(schema["properties"]) == [f["name"] for f in QUOTE["fields"]]
    put_form("quote", {**PLAIN, "name": "Quotes"})
    assert client.get("/forms/quote/schema").json_body["title"] == "Quotes"
    missing = client.get("/forms/nothing/schema", headers={"Origin": TEST_ORIGIN})
    assert missing.status_code == 404
    assert missing.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    assert client.get("/forms/contact/schema").json_body["required"] == ["name", "email",
                                                                        "message"]


def test_the_openapi_document_describes_posts_to_forms(client: Any) -> None:
    document = client.get("/openapi.json").json_body
    operation = document["paths"]["/forms/{form_id}"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "application/x-www-form-urlencoded"}
    assert {"202", "303", "400", "404", "409", "429"} <= set(operation["responses"])
    schema = document["paths"]["/forms/{form_id}/schema"]["get"]
    assert "Cache-Control" in schema["responses"]["200"]["headers"]


def test_thousands_of_names_in_a_json_body_are_one_bounded_400(
        quote: dict[str, Any], put_form: Callable[..., Any], post: Callable[..., Any],
        client: Any, as_admin: dict[str, str]) -> None:
    many = {f"k{n}": "v" for n in range(1200)}  # under the 16 KB body limit
    kept = post("quote", {**GOOD, **many})  # extraFields "keep": the 11th on is refused
    assert kept.status_code == 400 and len(details(kept)) == 1200 - MAX_EXTRA_FIELDS
    put_form("quote", {**PLAIN, "extraFields": "reject"})
    rejected = post("quote", {**GOOD, **many})
    assert rejected.status_code == 400 and len(details(rejected)) == 1200
    assert listed(client, as_admin) == []


def test_the_route_s_own_names_are_never_stored(quote: dict[str, Any], post: Callable[..., Any],
                                               client: Any, as_admin: dict[str, str]) -> None:
    response = post("quote", {**GOOD, "_next": "https://evil.example/", "_error": "x",
                              "_anything": "y", "website": "", "_gotcha": "  ",
                              "captchaToken": "t", "h-captcha-response": "t"})
    assert response.status_code == 202
    (message,) = listed(client, as_admin)
    assert message["extra"] == {}
    assert {f["name"] for f in message["fields"]} == {"name", "email", "plan", "qty", "terms",
                                                      "details"}
