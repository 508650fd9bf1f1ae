"""A form definition is checked as strictly as any body: every problem at once,
each named by its path, the rules across fields included. Pure: no AWS."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from chalicelib.core.domain_errors import InvalidFields
from chalicelib.forms.builtin import CONTACT, contact_edit_problems
from chalicelib.forms.definition import parse_definition
from chalicelib.forms.model import FormDefinition
from tests.forms.conftest import MINIMAL, QUOTE


def problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidFields) as caught:
        parse_definition(data)
    found = {e["field"]: e["message"] for e in caught.value.fields}
    assert len(found) == len(caught.value.fields), "one problem per path"
    return found


def with_field(index: int, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(QUOTE)
    data["fields"][index] = {**data["fields"][index], **changes}
    return {**data, "fields": [{k: v for k, v in f.items() if v is not None}
                               for f in data["fields"]]}


def test_a_full_definition_parses_with_its_values() -> None:
    definition = parse_definition(QUOTE)
    assert isinstance(definition, FormDefinition)
    assert [f.name for f in definition.fields] == [f["name"] for f in QUOTE["fields"]]
    assert definition.extra_fields == "keep" and definition.captcha is True
    assert definition.field("qty") is not None and definition.field("qty").max == 500
    assert definition.autoresponse is not None
    assert definition.autoresponse.subject == "We got your {{form}}"


def test_defaults() -> None:
    definition = parse_definition(MINIMAL)
    assert definition.recipients == [] and definition.reply_to is None
    assert definition.extra_fields == "reject" and definition.captcha is False
    assert definition.autoresponse is None
    assert definition.fields[0].required is False
    assert definition.fields[0].effective_max_length == 254


@pytest.mark.parametrize(("field_type", "default"), [("text", 200), ("textarea", 5000),
                                                     ("email", 254), ("tel", 30), ("url", 2000),
                                                     ("number", None), ("date", None),
                                                     ("checkbox", None)])
def test_each_text_like_type_has_a_default_max_length(field_type: str, default: int | None) -> None:
    definition = parse_definition({"name": "F", "fields": [
        {"name": "f", "label": "F", "type": field_type}]})
    assert definition.fields[0].effective_max_length == default


def test_the_form_name_is_trimmed() -> None:
    assert parse_definition({**MINIMAL, "name": "  Newsletter  "}).name == "Newsletter"


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    data = copy.deepcopy(QUOTE)
    data["name"] = ""
    data["fields"][0]["name"] = "Name"
    data["fields"][2]["type"] = "phone"
    data["fields"][4]["min"] = 900  # above max
    data["fields"][6]["options"] = ["Basic", "Basic"]
    data["fields"][8]["name"] = "email"  # a repeated name
    data["recipients"] = ["sales@example.com", "not an address", "SALES@example.com"]
    data["autoresponse"] = {"subject": "Hi {{name}}", "body": ""}
    data["colour"] = "blue"
    assert problems(data) == {
        "colour": "is not a known field",
        "name": "must be 1 to 100 characters on one line",
        "fields[0].name": "must be a lower-case letter, then up to 39 lower-case letters, "
                          "digits or underscores",
        "fields[2].type": "must be one of text, textarea, email, tel, url, number, date, "
                          "select, checkbox, file",
        "fields[4].min": "must not be greater than max",
        "fields[6].options[1]": "repeats an earlier option",
        "fields[8].name": "repeats the name of fields[1]",
        "recipients[1]": "must be a valid email address",
        "recipients[2]": "repeats an earlier recipient",
        "autoresponse.body": "must be 1 to 2,000 characters, not all blank, without control "
                             "characters other than newlines and tabs",
    }


@pytest.mark.parametrize(("index", "changes", "path", "message"), [
    (0, {"maxLength": 0}, "fields[0].maxLength", "must be an integer from 1 to 5,000"),
    (0, {"maxLength": 5001}, "fields[0].maxLength", "must be an integer from 1 to 5,000"),
    (1, {"maxLength": 255}, "fields[1].maxLength", "must be at most 254 for an email field"),
    (4, {"maxLength": 10}, "fields[4].maxLength",
     "applies only to text, textarea, email, tel, url fields"),
    (7, {"maxLength": 10}, "fields[7].maxLength",
     "applies only to text, textarea, email, tel, url fields"),
    (0, {"min": 1}, "fields[0].min", "applies only to number fields"),
    (5, {"max": 3}, "fields[5].max", "applies only to number fields"),
    (0, {"options": ["a"]}, "fields[0].options", "apply only to select fields"),
    (6, {"options": None}, "fields[6].options", "are required for a select field"),
    (6, {"options": []}, "fields[6].options",
     "must be 1 to 50 options, each 1 to 100 characters on one line"),
    (6, {"options": [f"o{n}" for n in range(51)]}, "fields[6].options",
     "must be 1 to 50 options, each 1 to 100 characters on one line"),
    (6, {"options": ["ok", "line\nbreak"]}, "fields[6].options",
     "must be 1 to 50 options, each 1 to 100 characters on one line"),
    (0, {"label": "x" * 101}, "fields[0].label", "must be 1 to 100 characters on one line"),
    (0, {"label": "Two\r\nlines"}, "fields[0].label", "must be 1 to 100 characters on one line"),
    (0, {"required": "true"}, "fields[0].required", "Expected `bool`, got `str`"),
    (4, {"min": True}, "fields[4].min", "Expected `int | float`, got `bool`"),
    (4, {"max": 10 ** 16}, "fields[4].max", "Expected `int` <= 1000000000000000"),
    (0, {"name": "website"}, "fields[0].name",
     "is reserved (_error, _gotcha, _next, _subject, website)"),
    (0, {"name": "_next"}, "fields[0].name",
     "must be a lower-case letter, then up to 39 lower-case letters, digits or underscores"),
    (0, {"name": "a" * 41}, "fields[0].name",
     "must be a lower-case letter, then up to 39 lower-case letters, digits or underscores"),
    (0, {"placeholder": "x"}, "fields[0].placeholder", "is not a known field"),
])
def test_a_field_that_breaks_a_rule(index: int, changes: dict[str, Any], path: str,
                                    message: str) -> None:
    assert problems(with_field(index, **changes)) == {path: message}


def test_numbers_may_be_decimal_and_integral_floats_are_integers() -> None:
    definition = parse_definition(with_field(4, min=0.5, max=2.0))
    qty = definition.field("qty")
    assert qty is not None and qty.min == 0.5 and qty.max == 2 and type(qty.max) is int
    assert parse_definition(with_field(4, min=3, max=3)).field("qty") is not None


@pytest.mark.parametrize(("fields", "message"), [
    ([], "must be 1 to 30 fields"),
    ([{"name": f"f{n}", "label": "F", "type": "text"} for n in range(31)],
     "must be 1 to 30 fields"),
    ({"name": "f"}, "must be 1 to 30 fields"),
    ("fields", "must be 1 to 30 fields"),
])
def test_the_list_of_fields(fields: Any, message: str) -> None:
    assert problems({"name": "F", "fields": fields}) == {"fields": message}


def test_thirty_fields_are_allowed() -> None:
    fields = [{"name": f"f{n}", "label": "F", "type": "text"} for n in range(30)]
    assert len(parse_definition({"name": "F", "fields": fields}).fields) == 30


def test_a_huge_list_is_one_problem_not_one_per_element() -> None:
    found = problems({"name": "F", "fields": [None] * 100_000})
    assert found == {"fields": "must be 1 to 30 fields"}


def test_name_and_fields_are_required() -> None:
    assert problems({}) == {"name": "is required", "fields": "is required"}


@pytest.mark.parametrize(("reply_to", "message"), [
    ("name", "must name an email field of this form"),
    ("nobody", "must name an email field of this form"),
    ("Email", "must be a lower-case letter, then up to 39 lower-case letters, digits or "
              "underscores"),
])
def test_reply_to_names_an_email_field(reply_to: str, message: str) -> None:
    assert problems({**QUOTE, "replyTo": reply_to}) == {"replyTo": message}


def test_reply_to_is_not_judged_against_a_field_that_is_itself_bad() -> None:
    data = with_field(1, maxLength=9999)
    assert problems(data) == {"fields[1].maxLength": "must be an integer from 1 to 5,000"}


def test_an_autoresponse_needs_reply_to() -> None:
    assert problems({**QUOTE, "replyTo": None}) == {
        "autoresponse": "needs replyTo: the email field it is sent to"}


@pytest.mark.parametrize("text", ["{{name}}", "{{ form }}", "{{FORM}}", "{{", "a {{form}} {{email}}",
                                  "{{{form}}", "{{reference}{{date}}"])
def test_only_three_merge_tags(text: str) -> None:
    found = problems({**QUOTE, "autoresponse": {"subject": text, "body": text}})
    message = "may use only the merge tags {{form}}, {{reference}}, {{date}}"
    assert found == {"autoresponse.subject": message, "autoresponse.body": message}


def test_allowed_merge_tags_and_plain_braces() -> None:
    body = "Ref {{reference}} on {{date}} for {{form}}; {single} } and }} are text."
    assert parse_definition({**QUOTE, "autoresponse": {"subject": "{{form}}", "body": body}})


@pytest.mark.parametrize(("autoresponse", "found"), [
    ({"subject": "x" * 151, "body": "b"},
     {"autoresponse.subject": "must be 1 to 150 characters on one line"}),
    ({"subject": "Line\nbreak", "body": "b"},
     {"autoresponse.subject": "must be 1 to 150 characters on one line"}),
    ({"subject": "s", "body": "x" * 2001},
     {"autoresponse.body": "must be 1 to 2,000 characters, not all blank, without control "
                           "characters other than newlines and tabs"}),
    ({"subject": "s"}, {"autoresponse.body": "is required"}),
    ({"subject": "s", "body": "b", "html": "<b>"}, {"autoresponse.html": "is not a known field"}),
    ("thanks", {"autoresponse": "must be null or an object with subject and body"}),
])
def test_autoresponse_limits(autoresponse: Any, found: dict[str, str]) -> None:
    assert problems({**QUOTE, "autoresponse": autoresponse}) == found


def test_at_most_five_recipients() -> None:
    five = [f"r{n}@example.com" for n in range(5)]
    assert parse_definition({**MINIMAL, "recipients": five}).recipients == five
    assert problems({**MINIMAL, "recipients": [*five, "r5@example.com"]}) == {
        "recipients": "must be a list of at most 5 email addresses"}
    assert problems({**MINIMAL, "recipients": [7]}) == {
        "recipients[0]": "must be a valid email address"}


# No lone surrogate ("\ud800"): the body reader refuses one before any model sees it
# (tests/forms/test_forms_api.py).
@pytest.mark.parametrize("junk", [None, 1, 1.5, True, "x", [], {}, [[[]]], {"a": {"b": {}}},
                                  "\x00", "💥" * 1000, 10 ** 30, -0.0])
def test_junk_anywhere_is_reported_never_raised_otherwise(junk: Any) -> None:
    for data in ({"name": junk, "fields": junk}, {**QUOTE, "recipients": junk},
                 {**QUOTE, "autoresponse": {"subject": junk, "body": junk}},
                 {**QUOTE, "fields": [junk]},
                 {**QUOTE, "fields": [{"name": junk, "label": junk, "type": junk,
                                       "required": junk, "maxLength": junk, "min": junk,
                                       "max": junk, "options": junk}]},
                 {**QUOTE, "extraFields": junk, "captcha": junk, "replyTo": junk}):
        try:
            parse_definition(data)
        except InvalidFields as failure:
            assert failure.fields
            assert all(isinstance(e["field"], str) and isinstance(e["message"], str)
                       for e in failure.fields)


def test_the_built_in_contact_form_is_a_valid_definition_of_post_contact() -> None:
    from msgspec import json as msgspec_json
    assert parse_definition(msgspec_json.decode(msgspec_json.encode(CONTACT))) == CONTACT
    assert contact_edit_problems(CONTACT) == []
    assert [(f.name, f.type, f.required, f.effective_max_length) for f in CONTACT.fields] == [
        ("name", "text", True, 100), ("email", "email", True, 254),
        ("subject", "text", False, 150), ("message", "textarea", True, 5000)]
