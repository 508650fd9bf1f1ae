"""Whether a new message asks for an autoresponse: only an accepted post to a
form that has one, with one valid address in its replyTo field. Pure."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.autoresponder.decision import Send, Skip, Verdict, decide, is_one_address
from chalicelib.forms.definition import parse_definition
from tests.forms.conftest import MINIMAL, QUOTE

FORM = parse_definition(QUOTE)
OPTIONAL_EMAIL = parse_definition({
    "name": "Newsletter", "replyTo": "email",
    "fields": [{"name": "email", "label": "Email", "type": "email"}],
    "autoresponse": {"subject": "Thanks", "body": "You are on the list."}})


def test_an_accepted_post_is_answered_at_its_reply_to_address() -> None:
    assert decide(FORM, {"email": "ada@example.com"}, Verdict.ACCEPTED) == Send("ada@example.com")


@pytest.mark.parametrize("verdict", [v for v in Verdict if v is not Verdict.ACCEPTED])
def test_a_post_judged_not_a_person_s_is_never_answered(verdict: Verdict) -> None:
    assert decide(FORM, {"email": "ada@example.com"}, verdict) == Skip("spam")


def test_a_form_without_an_autoresponse_asks_for_none_whatever_the_verdict() -> None:
    form = parse_definition({**MINIMAL, "replyTo": "email"})
    for verdict in Verdict:
        assert decide(form, {"email": "ada@example.com"}, verdict) is None


def test_an_empty_reply_to_field_is_skipped_for_want_of_an_address() -> None:
    assert decide(OPTIONAL_EMAIL, {}, Verdict.ACCEPTED) == Skip("no_address")


@pytest.mark.parametrize("value", [
    "ada@example.com, eve@example.com", "ada@example.com\r\nBcc: eve@example.com",
    "Ada <ada@example.com>", "ada@example.com eve@example.com", "ada", "", True, None,
    ["ada@example.com"], "a" * 250 + "@example.com"])
def test_anything_but_one_plain_address_is_no_address(value: Any) -> None:
    assert not is_one_address(value)
    assert decide(OPTIONAL_EMAIL, {"email": value}, Verdict.ACCEPTED) == Skip("no_address")
