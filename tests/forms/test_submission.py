"""A submission against its form: every type's rules, required fields, extra
fields under "reject" and "keep", reserved names, and hostile values. Pure."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.domain_errors import InvalidFields
from chalicelib.forms.builtin import CONTACT
from chalicelib.forms.definition import parse_definition
from chalicelib.forms.model import FormDefinition
from chalicelib.forms.submission import Submission, validate_submission
from tests.forms.conftest import QUOTE

FORM = parse_definition({**QUOTE, "extraFields": "reject"})
KEEP = parse_definition(QUOTE)
GOOD = {"name": "Ada Lovelace", "email": "ada@example.com", "terms": True}


def problems(raw: dict[str, Any], form: FormDefinition = FORM) -> dict[str, str]:
    with pytest.raises(InvalidFields) as caught:
        validate_submission(form, raw)
    return {e["field"]: e["message"] for e in caught.value.fields}


def value(name: str, raw: Any, form: FormDefinition = FORM) -> Any:
    return validate_submission(form, {**GOOD, name: raw}).values.get(name)


def one_field(**definition: Any) -> FormDefinition:
    return parse_definition({"name": "F", "fields": [{"name": "f", "label": "F", **definition}]})


def test_values_come_in_the_forms_order_with_optional_empty_ones_left_out() -> None:
    submission = validate_submission(FORM, {"terms": "on", "details": "", "qty": "3",
                                            "email": " Ada@Example.COM ", "name": " Ada ",
                                            "phone": "   "})
    assert submission == Submission({"name": "Ada", "email": "ada@example.com", "qty": "3",
                                     "terms": True})
    assert list(submission.values) == ["name", "email", "qty", "terms"]


def test_every_problem_at_once() -> None:
    assert problems({"name": "", "email": "not-an-address", "phone": "call me",
                     "site": "ftp://example.com", "qty": "0", "by": "2026-02-30",
                     "plan": "Gold", "terms": "maybe", "details": "bad \x07 bell",
                     "colour": "blue", "size": "L"}) == {
        "name": "is required",
        "email": "must be at most 254 characters: a valid email address",
        "phone": "must be a phone number: digits, spaces and + ( ) . -",
        "site": "must be an http:// or https:// address of at most 300 characters",
        "qty": "must be a number from 1 to 500",
        "by": "must be a date as YYYY-MM-DD",
        "plan": "must be one of the field's options",
        "terms": "must be true or false",
        "details": "must be at most 2,000 characters, without control characters other than "
                   "newlines and tabs",
        "colour": "is not a field of this form",
        "size": "is not a field of this form",
    }


def test_required_fields() -> None:
    assert problems({}) == {"name": "is required", "email": "is required",
                            "terms": "must be checked"}
    assert problems({**GOOD, "terms": False})["terms"] == "must be checked"
    assert problems({**GOOD, "name": None})["name"] == "is required"
    assert problems({**GOOD, "name": []})["name"] == "is required"


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\u2028b", "\x00", "a\x85b", "x" * 201])
def test_one_line_text_refuses_line_breaks_and_control_characters(bad: str) -> None:
    assert problems({**GOOD, "name": bad}) == {
        "name": "must be at most 200 characters on one line"}


def test_text_is_trimmed_of_spaces_only_and_keeps_unicode() -> None:
    assert value("name", "  Zoë 🌸 ") == "Zoë 🌸"
    assert problems({**GOOD, "name": "\tAda"})  # a tab is a control character on one line
    assert value("name", "x" * 200) == "x" * 200


@pytest.mark.parametrize("header", ["ada@example.com\r\nBcc: victim@example.com",
                                    "ada@example.com\nBcc: x@y.z", "ada@example.com\r",
                                    "ada@example.com,bob@example.com",
                                    "Ada <ada@example.com>", "ada@localhost",
                                    "ädä@example.com", "a" * 250 + "@example.com"])
def test_email_refuses_anything_but_one_address(header: str) -> None:
    assert set(problems({**GOOD, "email": header})) == {"email"}


def test_textarea_keeps_lines_and_tabs_as_lf() -> None:
    form = one_field(type="textarea", maxLength=10)
    assert validate_submission(form, {"f": "a\r\nb\tc"}).values == {"f": "a\nb\tc"}
    assert validate_submission(form, {"f": " \n\t "}).values == {}
    assert problems({"f": "a\rb"}, form)  # a lone CR
    assert problems({"f": "x" * 11}, form)


@pytest.mark.parametrize(("raw", "ok"), [("+44 (0)20 7946-0958", True), ("555.123.4567", True),
                                         ("123", True), ("12", False), ("+", False),
                                         ("555-CALL-NOW", False), ("1" * 31, False),
                                         ("12\n34", False), ("++123", False)])
def test_tel(raw: str, ok: bool) -> None:
    if ok:
        assert value("phone", raw) == raw
    else:
        assert set(problems({**GOOD, "phone": raw})) == {"phone"}


@pytest.mark.parametrize(("raw", "ok"), [
    ("https://example.com", True), ("http://example.com/a?b=c#d", True),
    ("HTTPS://EXAMPLE.COM", True), ("https://user@example.com:8080/x", True),
    ("javascript:alert(1)", False), ("ftp://example.com", False), ("//example.com", False),
    ("https://", False), ("https:///path", False), ("example.com", False),
    ("https://exa mple.com", False), ("https://example.com/\nx", False),
    ("https://[::1", False), ("data:text/html,<b>", False), ("https://" + "a" * 300, False),
])
def test_url_is_http_or_https_only(raw: str, ok: bool) -> None:
    if ok:
        assert value("site", raw) == raw
    else:
        assert set(problems({**GOOD, "site": raw})) == {"site"}


@pytest.mark.parametrize(("raw", "stored"), [
    (3, "3"), (3.0, "3"), (2.5, None), ("2.5", None), (" 42 ", "42"), (500, "500"),
    ("1.0", "1.0"),
])
def test_numbers(raw: Any, stored: str | None) -> None:
    form = one_field(type="number", min=1, max=500)
    result = validate_submission(form, {"f": raw}).values["f"]
    assert result == (stored if stored is not None else str(raw))


@pytest.mark.parametrize("raw", [0, 501, -1, "0.99", "1e3", "NaN", "Infinity", "0x10", "1,000",
                                 True, "", " ", "١٢", 10 ** 40, "9" * 40, [1, 2], {"n": 1}])
def test_numbers_refused(raw: Any) -> None:
    form = one_field(type="number", min=1, max=500, required=True)
    assert set(problems({"f": raw}, form)) == {"f"}


def test_a_number_without_bounds_is_within_the_limit() -> None:
    form = one_field(type="number")
    assert validate_submission(form, {"f": -(10 ** 15)}).values == {"f": "-1000000000000000"}
    assert problems({"f": 10 ** 15 + 1}, form)
    assert validate_submission(form, {"f": ""}).values == {}


@pytest.mark.parametrize(("raw", "ok"), [("2026-12-07", True), (" 2024-02-29 ", True),
                                         ("2026-02-29", False), ("2026-13-01", False),
                                         ("07/12/2026", False), ("2026-12-07T10:00", False),
                                         ("20261207", False), ("+2026-12-07", False),
                                         ("2026-1-7", False)])
def test_dates(raw: str, ok: bool) -> None:
    if ok:
        assert value("by", raw) == raw.strip()
    else:
        assert problems({**GOOD, "by": raw}) == {"by": "must be a date as YYYY-MM-DD"}


def test_select_takes_only_its_options() -> None:
    assert value("plan", "Pro") == "Pro"
    assert value("plan", " Pro ") == "Pro"
    for bad in ("pro", "Gold", "Basic,Pro", ["Basic", "Pro"]):
        assert "plan" in problems({**GOOD, "plan": bad})


@pytest.mark.parametrize(("raw", "checked"), [(True, True), (False, False), ("on", True),
                                              ("true", True), ("TRUE", True), ("1", True),
                                              ("", False), ("off", False), ("false", False),
                                              ("0", False), (None, False), (["on"], True)])
def test_checkboxes(raw: Any, checked: bool) -> None:
    form = one_field(type="checkbox")
    assert validate_submission(form, {"f": raw}).values == {"f": checked}
    assert validate_submission(form, {}).values == {"f": False}


@pytest.mark.parametrize("raw", ["yes please", 1, 0, {}, ["on", "on"], [[]]])
def test_checkboxes_refused(raw: Any) -> None:
    assert set(problems({"f": raw}, one_field(type="checkbox"))) == {"f"}


@pytest.mark.parametrize("raw", [42, 4.2, True, {"a": 1}, ["a", "b"], [["a"]]])
def test_text_fields_take_text_only(raw: Any) -> None:
    found = problems({**GOOD, "name": raw})
    assert found["name"] in ("must be text", "must be sent once")


def test_a_form_post_list_of_one_value_is_that_value() -> None:
    assert validate_submission(FORM, {"name": ["Ada"], "email": ["ada@example.com"],
                                      "terms": ["on"]}).values == {
        "name": "Ada", "email": "ada@example.com", "terms": True}
    assert problems({**GOOD, "name": ["Ada", "Bob"]}) == {"name": "must be sent once"}


def test_reserved_names_are_ignored_and_never_kept() -> None:
    raw = {**GOOD, "_next": "https://example.com/thanks", "_error": "x", "_gotcha": "",
           "_subject": "Hi", "_anything": "x", "website": ""}
    for form in (FORM, KEEP):
        assert validate_submission(form, raw) == Submission(
            {"name": "Ada Lovelace", "email": "ada@example.com", "terms": True})


def test_extra_fields_are_kept_under_keep_in_the_order_sent() -> None:
    submission = validate_submission(KEEP, {"utm_source": "news", **GOOD, "Company Name": "ACME",
                                            "notes": "two\r\nlines", "empty": "", "none": None})
    assert submission.extra == {"utm_source": "news", "Company Name": "ACME",
                                "notes": "two\nlines"}


def test_at_most_ten_extra_fields_of_1000_characters() -> None:
    ten = {f"x{n}": "v" for n in range(10)}
    assert len(validate_submission(KEEP, {**GOOD, **ten}).extra) == 10
    assert validate_submission(KEEP, {**GOOD, "long": "y" * 1000}).extra == {"long": "y" * 1000}
    assert problems({**GOOD, **ten, "x10": "v", "x11": "v"}, KEEP) == {
        "x10": "is one field too many: this form keeps at most 10 fields it does not define",
        "x11": "is one field too many: this form keeps at most 10 fields it does not define"}
    too_long = "must be at most 1,000 characters, without control characters other than " \
               "newlines and tabs"
    assert problems({**GOOD, "long": "y" * 1001}, KEEP) == {"long": too_long}
    assert problems({**GOOD, "bell": "\x07"}, KEEP) == {"bell": too_long}


def test_hostile_extra_field_names_and_values() -> None:
    found = problems({**GOOD, "n" * 5000: "v", "line\nbreak": "v", "num": 5, "obj": {"a": 1},
                      "twice": ["a", "b"]}, KEEP)
    assert found == {
        "n" * 100: "must be a name of at most 100 characters on one line",
        "line\nbreak": "must be a name of at most 100 characters on one line",
        "num": "must be text", "obj": "must be text", "twice": "must be sent once"}


def test_a_flood_of_unknown_fields_is_refused_under_reject() -> None:
    raw = {**GOOD, **{f"spam{n}": "x" for n in range(500)}}
    assert len(problems(raw)) == 500


def test_the_contact_form_checks_what_post_contact_checks() -> None:
    ok = {"name": " Ada ", "email": "ADA@example.com", "message": "Hello\r\nthere"}
    assert validate_submission(CONTACT, ok).values == {
        "name": "Ada", "email": "ada@example.com", "message": "Hello\nthere"}
    assert set(problems({**ok, "name": "x" * 101}, CONTACT)) == {"name"}
    assert set(problems({**ok, "subject": "x" * 151}, CONTACT)) == {"subject"}
    assert set(problems({**ok, "message": "x" * 5001}, CONTACT)) == {"message"}
    assert set(problems({**ok, "message": " \n "}, CONTACT)) == {"message"}
    assert set(problems({**ok, "phone": "1"}, CONTACT)) == {"phone"}
    assert validate_submission(CONTACT, {**ok, "website": "", "subject": ""}).values == {
        "name": "Ada", "email": "ada@example.com", "message": "Hello\nthere"}
