"""A submission checked against its form: pure, no AWS, no HTTP.

`validate_submission(form, raw)` takes what was posted, as JSON gives it (text,
numbers, booleans) or as a form post gives it (text, or a list of the values of
a name sent several times), and answers the values in the form's order, or
InvalidFields naming every bad field at once. The route reads the reserved
names itself (`_next`, `_error`, `_gotcha`, `_subject`, any other `_`-name, and
the honeypot `website`): they are ignored here.

What each type takes (and answers):
- text, email, tel, url, date, select, number: one line; no control
  character at all (no CR or LF), so no value can ever reach a mail header.
  Spaces around the value are trimmed; email is lower-cased.
- textarea: newlines and tabs, CRLF kept as LF, no other control character.
- number: a JSON number or its text (`-12`, `2.5`), within the field's min/max;
  answered as text (`"2.5"`), exactly as stored and mailed.
- checkbox: JSON true/false, or a form's "on"/"true"/"1" and ""/"false"/"0"/"off"
  (case-insensitive); absent is unchecked. Answered as a bool.
- file: a JSON list of upload ids (POST /forms/{id}/uploads answers them), or
  one id as text; at most the field's maxFiles, none twice. Answered apart,
  in `uploads`: the files themselves are checked when the post is stored
  (chalicelib/attachments/files.py).
An empty value is an absent one: a required field must have one, an optional
one is left out of the answer (a checkbox is always in it).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from msgspec import UNSET

from chalicelib.attachments.uploads import is_upload_id
from chalicelib.core import text
from chalicelib.core.domain_errors import InvalidFields
from chalicelib.forms.model import (
    NUMBER_LIMIT,
    RESERVED_NAMES,
    FieldDefinition,
    FormDefinition,
)

FieldValue = str | bool
MAX_EXTRA_FIELDS = 10
MAX_EXTRA_LENGTH = 1000
MAX_EXTRA_NAME = 100
MAX_POST_FILES = 10  # every file field of one post together

_ONE_LINE = re.compile(text.ONE_LINE)
_MULTI_LINE = re.compile(text.MULTI_LINE)  # blank values are absent ones before it is asked
_EMAIL = re.compile(text.EMAIL)
# Digits with the usual separators, an optional leading +, at least three digits.
_TEL = re.compile(rf"^\+?[0-9 ().-]*{text.END}")
_NUMBER = re.compile(rf"^-?[0-9]{{1,16}}(?:\.[0-9]{{1,16}})?{text.END}")
_DATE = re.compile(rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{text.END}")
_CHECKED = frozenset({"on", "true", "1"})
_UNCHECKED = frozenset({"", "off", "false", "0"})


@dataclass(frozen=True)
class Submission:
    """The form's fields in the form's order (optional ones left empty are left
    out; checkboxes always in), and, under extraFields "keep", the fields the
    form lacks, in the order they came."""
    values: dict[str, FieldValue]
    extra: dict[str, str] = field(default_factory=dict)
    uploads: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmittedField:
    """One field of a stored message: its value with the name, label and type
    its form had when the message came, so a later edit of the form never
    changes what a stored message says."""
    name: str
    label: str
    type: str
    value: FieldValue

    def to_item(self) -> dict[str, FieldValue]:
        return {"name": self.name, "label": self.label, "type": self.type, "value": self.value}

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> SubmittedField:
        value = item.get("value")
        return cls(name=str(item["name"]), label=str(item["label"]), type=str(item["type"]),
                   value=value if isinstance(value, bool) else str(value))


def submitted_fields(form: FormDefinition,
                     values: Mapping[str, FieldValue]) -> tuple[SubmittedField, ...]:
    """`values` in the form's order, each with its field's label and type."""
    return tuple(SubmittedField(f.name, f.label, f.type, values[f.name])
                 for f in form.fields if f.name in values)


class _Problem(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_reserved(name: str) -> bool:
    """A name the route reads itself: never a field, never an extra field."""
    return name.startswith("_") or name in RESERVED_NAMES


def validate_submission(form: FormDefinition, raw: Mapping[str, Any]) -> Submission:
    errors: list[dict[str, str]] = []
    values: dict[str, FieldValue] = {}
    uploads: dict[str, tuple[str, ...]] = {}
    for definition in form.fields:
        if definition.type == "file":
            try:
                named = _upload_ids(definition, raw.get(definition.name))
            except _Problem as problem:
                errors.append({"field": definition.name, "message": problem.message})
                continue
            if named:
                uploads[definition.name] = named
                if sum(map(len, uploads.values())) > MAX_POST_FILES:
                    errors.append({"field": definition.name, "message": f"brings this post "
                                   f"over {MAX_POST_FILES} files in all"})
            continue
        try:
            value = _value(definition, _single(raw.get(definition.name)))
        except _Problem as problem:
            errors.append({"field": definition.name, "message": problem.message})
            continue
        if value is not None:
            values[definition.name] = value
    known = {definition.name for definition in form.fields}
    unknown = [name for name in raw if name not in known and not is_reserved(name)]
    extra: dict[str, str] = {}
    if form.extra_fields == "reject":
        errors += [{"field": name, "message": "is not a field of this form"} for name in unknown]
    else:
        extra = _extra(raw, unknown, errors)
    if errors:
        raise InvalidFields(errors)
    return Submission(values, extra, uploads)


def _upload_ids(definition: FieldDefinition, value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        named: list[Any] = []
    elif isinstance(value, str):
        named = [value]
    elif isinstance(value, list):
        named = value
    else:
        raise _Problem("must be a list of upload ids")
    if not named:
        if definition.required:
            raise _Problem("is required: attach a file")
        return ()
    if not all(is_upload_id(upload_id) for upload_id in named):
        raise _Problem("must be a list of upload ids, as POST /forms/{formId}/uploads "
                       "answers them")
    if len(set(named)) != len(named):
        raise _Problem("names one upload twice")
    if len(named) > definition.effective_max_files:
        raise _Problem(f"must be at most {definition.effective_max_files} "
                       f"file{'s' if definition.effective_max_files > 1 else ''}")
    return tuple(named)


def _single(value: Any) -> Any:
    """A form post's list of values as its one value; None for none."""
    if isinstance(value, list):
        if len(value) > 1:
            raise _Problem("must be sent once")
        return value[0] if value else None
    return value


def _value(definition: FieldDefinition, value: Any) -> FieldValue | None:
    if definition.type == "checkbox":
        checked = _checkbox(value)
        if definition.required and not checked:
            raise _Problem("must be checked")
        return checked
    if value is None:
        found = None
    elif definition.type == "number":
        found = _number(definition, value)
    elif not isinstance(value, str):
        raise _Problem("must be text")
    else:
        found = _text_value(definition, value)
    if found is None and definition.required:
        raise _Problem("is required")
    return found


def _text_value(definition: FieldDefinition, value: str) -> str | None:
    kind = definition.type
    if kind == "select" and definition.options is not UNSET and value in definition.options:
        return value  # exactly an option, spaces and all
    if kind == "textarea":
        value = value.replace("\r\n", "\n")
        if not value.strip():
            return None
        return _within(definition, value, _MULTI_LINE,
                       "characters, without control characters other than newlines and tabs")
    value = text.email_form(value) if kind == "email" else text.trim_spaces(value)
    if not value:
        return None
    if kind == "email":
        return _within(definition, value, _EMAIL, "characters: a valid email address")
    if kind == "tel":
        if _TEL.match(value) is None or sum(c.isdigit() for c in value) < 3:
            raise _Problem("must be a phone number: digits, spaces and + ( ) . -")
        return _within(definition, value, _ONE_LINE, "characters")
    if kind == "url":
        return _url(definition, value)
    if kind == "date":
        return _date(value)
    if kind == "select":
        if definition.options is UNSET or value not in definition.options:
            raise _Problem("must be one of the field's options")
        return value
    return _within(definition, value, _ONE_LINE, "characters on one line")


def _within(definition: FieldDefinition, value: str, pattern: re.Pattern[str],
            what: str) -> str:
    limit = definition.effective_max_length or 0
    if len(value) > limit or pattern.match(value) is None:
        raise _Problem(f"must be at most {limit:,} {what}")
    return value


def _url(definition: FieldDefinition, value: str) -> str:
    limit = definition.effective_max_length or 0
    message = f"must be an http:// or https:// address of at most {limit:,} characters"
    if len(value) > limit or _ONE_LINE.match(value) is None or " " in value:
        raise _Problem(message)
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # a malformed IPv6 host or port
        raise _Problem(message) from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise _Problem(message)
    return value


def _date(value: str) -> str:
    try:
        if _DATE.match(value) is None:
            raise ValueError(value)
        date.fromisoformat(value)
    except ValueError:
        raise _Problem("must be a date as YYYY-MM-DD") from None
    return value


def _number(definition: FieldDefinition, value: Any) -> str | None:
    if isinstance(value, bool):
        raise _Problem("must be a number")
    if isinstance(value, int):
        written = str(value)
    elif isinstance(value, float):
        written = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, str):
        written = text.trim_spaces(value)
        if not written:
            return None
        if _NUMBER.match(written) is None:
            raise _Problem("must be a number, such as 42 or 2.5")
    else:
        raise _Problem("must be a number")
    try:
        number = Decimal(written)
    except InvalidOperation:
        raise _Problem("must be a number, such as 42 or 2.5") from None
    low = -NUMBER_LIMIT if definition.min is UNSET else definition.min
    high = NUMBER_LIMIT if definition.max is UNSET else definition.max
    if not Decimal(str(low)) <= number <= Decimal(str(high)):
        raise _Problem(f"must be a number from {low} to {high}")
    return written


def _checkbox(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _CHECKED:
            return True
        if word in _UNCHECKED:
            return False
    raise _Problem("must be true or false")


def _extra(raw: Mapping[str, Any], names: list[str],
           errors: list[dict[str, str]]) -> dict[str, str]:
    """Under "keep": at most MAX_EXTRA_FIELDS non-empty values, each of at most
    MAX_EXTRA_LENGTH characters; more is refused, never cut or dropped."""
    kept: dict[str, str] = {}
    for name in names:
        try:
            if len(name) > MAX_EXTRA_NAME or _ONE_LINE.match(name) is None:
                raise _Problem(f"must be a name of at most {MAX_EXTRA_NAME} characters on "
                               "one line")
            value = _single(raw[name])
            if value is None:
                continue
            if not isinstance(value, str):
                raise _Problem("must be text")
            value = value.replace("\r\n", "\n")
            if not value.strip():
                continue
            if len(value) > MAX_EXTRA_LENGTH or _MULTI_LINE.match(value) is None:
                raise _Problem(f"must be at most {MAX_EXTRA_LENGTH:,} characters, without "
                               "control characters other than newlines and tabs")
            if len(kept) == MAX_EXTRA_FIELDS:
                raise _Problem(f"is one field too many: this form keeps at most "
                               f"{MAX_EXTRA_FIELDS} fields it does not define")
            kept[name] = value
        except _Problem as problem:
            errors.append({"field": name[:MAX_EXTRA_NAME], "message": problem.message})
    return kept
