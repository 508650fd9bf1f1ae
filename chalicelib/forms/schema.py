"""A form's public definition as JSON Schema (draft 2020-12), for
GET /forms/{id}/schema: a client can check a JSON post before sending it.

It describes the JSON body chalicelib/forms/submission.py accepts, as strictly
as a schema simply can: what it accepts, the validator accepts
(tests/forms/test_schema.py holds the two to that, value by value). Where a
schema cannot say it simply, the server alone refuses: a date that does not
exist (2026-02-30), an 11th extra field under "keep". The validator also
takes a form post's text for numbers and checkboxes, which the schema leaves
out. Names the route reads itself (any `_`-name: `_next`, `_gotcha`, ...) are
allowed as text.

Two annotations (keywords a validator ignores) let a page draw the form from
its schema alone (form.html, web/js/form-page.js): each property's `x-fieldType`, the field's
type in the definition (a textarea and a text field, or a tel field, are all
strings here), and the form's `x-captcha`. `properties` keeps the form's order.
"""
from __future__ import annotations

from typing import Any

from msgspec import UNSET

from chalicelib.attachments.uploads import UPLOAD_ID
from chalicelib.core import text
from chalicelib.forms.model import NUMBER_LIMIT, FieldDefinition, FormDefinition
from chalicelib.forms.submission import MAX_EXTRA_FIELDS, MAX_EXTRA_LENGTH, MAX_EXTRA_NAME

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_C = text.CONTROLS
_END = text.END
# Spaces around a value are trimmed by the validator, so the patterns allow them.
_TEXT = rf"^[^{_C}]*{_END}"
_TEXT_REQUIRED = rf"^(?=[^{_C}]*[^{_C} ])[^{_C}]*{_END}"
_EMAIL = rf"^ *{text.EMAIL.removeprefix('^').removesuffix(_END)} *{_END}"
_TEL = rf"^ *\+?(?:[ ().-]*[0-9]){{3}}[0-9 ().-]*{_END}"
_URL = (rf"^ *[Hh][Tt][Tt][Pp][Ss]?://(?:[^{_C} /?#@]*@)?[^{_C} /?#@:\[\]]+(?::[0-9]*)?"
        rf"(?:[/?#][^{_C} ]*)? *{_END}")
_DATE = rf"^ *[0-9]{{4}}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]) *{_END}"


def json_schema(form: FormDefinition) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$schema": DIALECT, "title": form.name, "type": "object", "x-captcha": form.captcha,
        "properties": {f.name: _property(f) for f in form.fields},
        "required": [f.name for f in form.fields if f.required],
        "patternProperties": {"^_": {"type": "string"}},
    }
    if form.extra_fields == "reject":
        schema["additionalProperties"] = False
    else:
        schema["additionalProperties"] = {
            "type": "string", "maxLength": MAX_EXTRA_LENGTH, "pattern": text.LINES,
            "description": f"at most {MAX_EXTRA_FIELDS} fields the form does not define "
                           "are kept"}
        schema["propertyNames"] = {"maxLength": MAX_EXTRA_NAME, "pattern": _TEXT}
    return schema


def _property(field: FieldDefinition) -> dict[str, Any]:
    described: dict[str, Any] = {"title": field.label, "x-fieldType": field.type}
    if field.type == "file":
        # The ids POST /forms/{id}/uploads answered; `x-accept` and `x-maxBytes`
        # let a page say, and check, what each file may be before uploading it.
        described.update({
            "type": "array", "uniqueItems": True, "maxItems": field.effective_max_files,
            "items": {"type": "string", "pattern": UPLOAD_ID.pattern},
            "x-accept": list(field.effective_accept), "x-maxBytes": field.effective_max_bytes})
        if field.required:
            described["minItems"] = 1
        return described
    if field.type == "checkbox":
        described["type"] = "boolean"
        if field.required:
            described["const"] = True
        return described
    if field.type == "number":
        described["type"] = "number"
        described["minimum"] = -NUMBER_LIMIT if field.min is UNSET else field.min
        described["maximum"] = NUMBER_LIMIT if field.max is UNSET else field.max
        return described
    described["type"] = "string"
    if field.effective_max_length is not None:
        described["maxLength"] = field.effective_max_length
    if field.type == "select" and field.options is not UNSET:
        described["enum"] = list(field.options)
    elif field.type == "textarea":
        described["pattern"] = text.MULTI_LINE if field.required else text.LINES
    elif field.type == "text":
        described["pattern"] = _TEXT_REQUIRED if field.required else _TEXT
    else:
        described.update({"email": {"format": "email", "pattern": _EMAIL},
                          "tel": {"pattern": _TEL},
                          "url": {"format": "uri", "pattern": _URL},
                          "date": {"format": "date", "pattern": _DATE}}[field.type])
    return described
