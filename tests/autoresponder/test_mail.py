"""The autoresponse mail: the form's text, three merge tags filled in one pass,
and nothing a visitor typed but the address it goes to. Pure."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.autoresponder.decision import Verdict
from chalicelib.autoresponder.mail import compose, merged
from chalicelib.autoresponder.plan import DELIVERY_PART, plan
from chalicelib.db.items import from_item
from chalicelib.forms.definition import parse_definition
from chalicelib.forms.model import Form
from chalicelib.platform.branding import Branding
from tests.forms.conftest import QUOTE

MESSAGE_ID = "01JD0000000000000000000000"
RECEIVED = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
TAGS = {"{{form}}": "Quote request", "{{reference}}": MESSAGE_ID,
        "{{date}}": "2026-12-07T16:00:00.000Z"}
# A visitor's post that tries every way in: merge tags, header breaks, HTML.
HOSTILE = {"name": "{{form}} Eve\r\nBcc: victim@example.com", "email": "eve@example.com",
           "details": "{{reference}} {{date}} {{name}} <a href=x>click</a>",
           "site": "https://spam.example/{{form}}", "terms": True}


def payload_for(definition: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    form = Form(id="quote", definition=parse_definition(definition), version=1,
                updated_at=None)
    planned = plan("table", form, values, Verdict.ACCEPTED, message_id=MESSAGE_ID,
                   received_at=RECEIVED)
    assert planned is not None
    payload: dict[str, Any] = from_item(planned.parts[DELIVERY_PART]["Put"]["Item"])["payload"]
    return payload


def test_only_the_three_merge_tags_are_filled_in() -> None:
    assert merged("{{form}} #{{reference}} on {{date}}; {{name}} {{ form }} {form}", TAGS) == (
        f"Quote request #{MESSAGE_ID} on 2026-12-07T16:00:00.000Z; {{{{name}}}} {{{{ form }}}} "
        "{form}")


def test_a_value_is_never_expanded_again() -> None:
    values = {**TAGS, "{{form}}": "Our {{date}} {{reference}} form"}
    assert merged("{{form}}", values) == "Our {{date}} {{reference}} form"


def test_the_mail_is_the_form_s_text_sent_from_the_stage_to_the_visitor() -> None:
    payload = payload_for(QUOTE, {"email": "ada@example.com", "name": "Ada"})
    mail = compose(payload, sender="frontdesk@example.com", reply_to="owner@example.com")
    assert mail == {
        "Source": "frontdesk@example.com",
        "Destination": {"ToAddresses": ["ada@example.com"]},
        "ReplyToAddresses": ["sales@example.com"],  # the form's first recipient
        "Message": {"Subject": {"Data": "We got your Quote request", "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": f"Reference {MESSAGE_ID}, received "
                                              "2026-12-07T16:00:00.000Z.",
                                      "Charset": "UTF-8"}}}}


def test_a_form_without_recipients_replies_to_the_stage_s_address() -> None:
    payload = payload_for({**QUOTE, "recipients": []}, {"email": "ada@example.com"})
    mail = compose(payload, sender="frontdesk@example.com", reply_to="owner@example.com")
    assert mail["ReplyToAddresses"] == ["owner@example.com"]


def test_the_date_is_shown_in_the_stage_s_zone_and_the_subject_has_no_prefix() -> None:
    payload = payload_for({**QUOTE, "autoresponse": {"subject": "{{date}}", "body": "{{date}}"}},
                          {"email": "ada@example.com"})
    branding = Branding(subject_prefix="[Acme]", time_zone="Europe/Paris")
    mail = compose(payload, sender="s@example.com", reply_to="r@example.com", branding=branding)
    shown = "2026-12-07T17:00:00.000+01:00 (Europe/Paris)"
    assert mail["Message"]["Subject"]["Data"] == shown
    assert mail["Message"]["Body"]["Text"]["Data"] == shown


def test_nothing_a_visitor_typed_reaches_the_payload_or_the_mail_but_the_address() -> None:
    payload = payload_for(QUOTE, HOSTILE)
    assert set(payload) == {"to", "subject", "body", "formName", "reference", "receivedAt",
                            "replyTo"}
    assert payload["to"] == "eve@example.com"
    mail = repr(compose(payload, sender="s@example.com", reply_to="r@example.com"))
    for value in HOSTILE.values():
        if isinstance(value, str) and value != "eve@example.com":
            assert value not in mail
    for piece in ("Eve", "victim", "Bcc", "{{name}}", "<a", "spam.example"):
        assert piece not in mail


def test_a_stored_subject_with_a_line_break_still_reaches_the_header_as_one_line() -> None:
    payload = {**payload_for(QUOTE, {"email": "ada@example.com"}),
               "subject": "Thanks\r\nBcc: victim@example.com"}
    mail = compose(payload, sender="s@example.com", reply_to="r@example.com")
    assert mail["Message"]["Subject"]["Data"] == "Thanks Bcc: victim@example.com"
