"""A form's JSON Schema: what it says for each type, that it is valid draft
2020-12, and that it is never more lenient than the server's validator: each
value it accepts, validate_submission accepts too."""
from __future__ import annotations

import itertools
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from chalicelib.core.domain_errors import InvalidFields
from chalicelib.forms.builtin import CONTACT
from chalicelib.forms.definition import parse_definition
from chalicelib.forms.model import FIELD_TYPES, FormDefinition
from chalicelib.forms.schema import json_schema
from chalicelib.forms.submission import validate_submission
from tests.forms.conftest import QUOTE

SAMPLES: list[Any] = [
    None, True, False, 0, 1, 3, 2.5, -7, 10 ** 15, 10 ** 16, "", " ", "  \t ", "\n",
    "Ada", " Ada ", "a\nb", "a\r\nb", "a\rb", "a\tb", "\x00", "a\u2028b", "Zoë 🌸", "x" * 201,
    "ada@example.com", " ADA@example.com ", "ada@localhost", "ada@example.com\r\nBcc: x@y.z",
    "Ada <ada@example.com>", "a@b.c", "+44 (0)20 7946-0958", "12", "123", "555-CALL",
    "https://example.com", " http://example.com/a?b=c#d ", "HTTPS://X.IO", "https://",
    "https:///x", "javascript:alert(1)", "ftp://example.com", "https://a b.com",
    "https://user@example.com:8080/x", "https://[::1]/", "https://example.com:99999",
    "2026-12-07", " 2024-02-29 ", "2026-02-30", "2026-13-01", "2026-1-7", "07/12/2026",
    "on", "true", "off", "0", "1.5", "42", "Basic", "Pro", " Pro ", "pro", ["on"], {"a": 1},
    [], ["0123456789abcdef0123456789abcdef"], ["0" * 32, "1" * 32], ["0" * 32, "0" * 32],
    ["0" * 32, "1" * 32, "2" * 32], ["0" * 31], ["0" * 32 + "\n"], ["A" * 32], [1],
]
DEFINITIONS = [dict(type="text"), dict(type="text", maxLength=5), dict(type="textarea"),
               dict(type="email"), dict(type="tel"), dict(type="url"), dict(type="date"),
               dict(type="number", min=1, max=500), dict(type="number"),
               dict(type="select", options=["Basic", "Pro", " Spaced "]), dict(type="checkbox"),
               dict(type="file"), dict(type="file", maxFiles=2, accept=["application/pdf"])]


def form_of(required: bool, **field: Any) -> FormDefinition:
    return parse_definition({"name": "F", "fields": [
        {"name": "f", "label": "F", "required": required, **field}]})


def accepted_by_the_server(form: FormDefinition, raw: dict[str, Any]) -> bool:
    try:
        validate_submission(form, raw)
    except InvalidFields:
        return False
    return True


def test_every_type_is_sampled() -> None:
    assert {d["type"] for d in DEFINITIONS} == set(FIELD_TYPES)


@pytest.mark.parametrize(("definition", "required"),
                         list(itertools.product(DEFINITIONS, [False, True])),
                         ids=lambda v: str(v))
def test_what_the_schema_accepts_the_server_accepts(definition: dict[str, Any],
                                                    required: bool) -> None:
    form = form_of(required, **definition)
    # A client that asserts formats, as the schema asks ("format": "date" refuses 2026-02-30,
    # which its pattern alone would let through).
    validator = Draft202012Validator(json_schema(form),
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    accepted = 0
    for sample in SAMPLES:
        raw = {"f": sample}
        if validator.is_valid(raw):
            accepted += 1
            assert accepted_by_the_server(form, raw), f"{definition} {required}: {sample!r}"
    assert accepted > 0  # the schema is no wall either
    if not required:
        assert validator.is_valid({}) and accepted_by_the_server(form, {})


def test_it_is_a_valid_draft_2020_12_schema_for_every_form() -> None:
    for form in (CONTACT, parse_definition(QUOTE)):
        Draft202012Validator.check_schema(json_schema(form))


def test_the_quote_forms_schema() -> None:
    schema = json_schema(parse_definition(QUOTE))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Quote request" and schema["type"] == "object"
    assert list(schema["properties"]) == [f["name"] for f in QUOTE["fields"]]
    assert schema["required"] == ["name", "email", "terms"]
    properties = schema["properties"]
    assert properties["name"]["title"] == "Your name" and properties["name"]["maxLength"] == 200
    assert properties["email"]["format"] == "email" and properties["email"]["maxLength"] == 254
    assert properties["site"]["format"] == "uri" and properties["site"]["maxLength"] == 300
    assert {k: properties["qty"][k] for k in ("type", "minimum", "maximum")} == {
        "type": "number", "minimum": 1, "maximum": 500}
    assert properties["by"]["format"] == "date"
    assert properties["plan"]["enum"] == ["Basic", "Pro"]
    assert properties["terms"] == {"title": "I agree", "x-fieldType": "checkbox",
                                   "type": "boolean", "const": True}
    assert properties["details"]["maxLength"] == 2000
    assert schema["additionalProperties"]["maxLength"] == 1000  # extraFields: keep
    assert schema["patternProperties"] == {"^_": {"type": "string"}}


def test_under_reject_no_other_field_is_allowed_but_reserved_ones() -> None:
    form = parse_definition({**QUOTE, "extraFields": "reject"})
    validator = Draft202012Validator(json_schema(form))
    good = {"name": "Ada", "email": "ada@example.com", "terms": True}
    assert validator.is_valid({**good, "_next": "https://example.com/thanks"})
    assert not validator.is_valid({**good, "colour": "blue"})
    assert accepted_by_the_server(form, good)


def test_the_contact_forms_schema_matches_post_contact() -> None:
    schema = json_schema(CONTACT)
    assert schema["required"] == ["name", "email", "message"]
    assert [schema["properties"][n]["maxLength"] for n in ("name", "email", "subject",
                                                           "message")] == [100, 254, 150, 5000]
    assert schema["additionalProperties"] is False


def test_each_property_names_its_field_type_and_the_form_its_captcha_switch() -> None:
    """What a page needs to draw the form that the validation keywords leave out:
    a textarea, a tel and a text field are all strings with a pattern."""
    schema = json_schema(parse_definition(QUOTE))
    assert [p["x-fieldType"] for p in schema["properties"].values()] == [
        f["type"] for f in QUOTE["fields"]]
    assert schema["x-captcha"] is QUOTE.get("captcha", False)
    assert json_schema(CONTACT)["x-captcha"] is True
