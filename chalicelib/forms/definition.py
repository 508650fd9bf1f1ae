"""A form definition from a request body, checked as strictly as any body:
every bad field at once, named by its path (`fields[3].name`,
`autoresponse.subject`), and the rules that span fields (a repeated name,
`min` above `max`, options on a field that is not a select, `replyTo` naming
a field that is not an email field) checked wherever the parts they need are
valid. A bad definition is InvalidFields: a 400, never a 500.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec
from msgspec import UNSET

from chalicelib.core.domain_errors import InvalidFields
from chalicelib.core.field_checks import Check, check_for
from chalicelib.core.text import EMAIL_MAX_LENGTH
from chalicelib.core.validation import Model, parse_into
from chalicelib.forms.model import (
    DEFAULT_MAX_LENGTH,
    MAX_FIELDS,
    MAX_RECIPIENTS,
    MERGE_TAGS,
    RESERVED_NAMES,
    Autoresponse,
    FieldDefinition,
    FormDefinition,
)
from chalicelib.users.model import Email

Errors = list[dict[str, str]]

_NESTED = ("fields", "recipients", "autoresponse")
# The definition's own properties, each checked on its own by chalicelib/core/validation.py;
# the nested ones are checked element by element below. Derived, not declared twice.
_Top = msgspec.defstruct(
    "FormDefinitionTop",
    [(info.name, info.type,
      msgspec.field(default_factory=info.default_factory)
      if info.default_factory is not msgspec.NODEFAULT else info.default)
     if not info.required else (info.name, info.type)
     for info in msgspec.structs.fields(FormDefinition) if info.encode_name not in _NESTED],
    bases=(Model,), rename="camel", kw_only=True, forbid_unknown_fields=True,
    namespace={"normalize": FormDefinition.normalize})

_email_check = check_for(Email)
assert _email_check is not None  # noqa: S101 (a constrained str: field_checks knows it)
_is_email: Check = _email_check
_TAG = re.compile(r"\{\{")
_TEXT_TYPES = ", ".join(DEFAULT_MAX_LENGTH)

# A file field's own properties, as a body names them.
_FILE_PROPERTIES = {"max_files": "maxFiles", "max_bytes": "maxBytes", "accept": "accept"}


def parse_definition(data: Mapping[str, Any]) -> FormDefinition:
    """`data` as a FormDefinition, or InvalidFields listing every problem."""
    errors: Errors = []
    top = parse_into(errors, _Top, {k: v for k, v in data.items() if k not in _NESTED})
    fields = _fields(data.get("fields", UNSET), errors)
    recipients = _recipients(data.get("recipients", []), errors)
    autoresponse = _autoresponse(data.get("autoresponse"), errors)
    if top is not None:
        reply_to = msgspec.structs.asdict(top)["reply_to"]
        if fields is not None:
            errors += _reply_to_problems(reply_to, fields)
        if data.get("autoresponse") is not None and reply_to is None:
            errors.append({"field": "autoresponse",
                           "message": "needs replyTo: the email field it is sent to"})
    if errors:
        raise InvalidFields(errors)
    # No errors: every part parsed.
    assert top is not None and fields is not None and recipients is not None  # noqa: S101
    return FormDefinition(**msgspec.structs.asdict(top), recipients=recipients,
                          fields=[field for field in fields if field is not None],
                          autoresponse=autoresponse)


def _prefixed(path: str, errors: Errors) -> Errors:
    # The nested models have no rule across their fields, so every error names one.
    return [{"field": f"{path}.{e['field']}", "message": e["message"]} for e in errors]


def _fields(raw: Any, errors: Errors) -> list[FieldDefinition | None] | None:
    """Each field, None where it is bad; None when the list itself is (each
    problem added to `errors`)."""
    if raw is UNSET:
        errors.append({"field": "fields", "message": "is required"})
        return None
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_FIELDS:
        # A list too long is not read further: one error, however many elements.
        errors.append({"field": "fields", "message": f"must be 1 to {MAX_FIELDS} fields"})
        return None
    parsed: list[FieldDefinition | None] = []
    first_of: dict[str, int] = {}
    for index, element in enumerate(raw):
        path = f"fields[{index}]"
        if not isinstance(element, dict):
            errors.append({"field": path, "message": "must be an object"})
            parsed.append(None)
            continue
        own: Errors = []
        field = parse_into(own, FieldDefinition, element)
        name_ok = not any(e["field"] == "name" for e in own)
        if name_ok and element.get("name") in RESERVED_NAMES:  # a valid name, but taken
            own.append({"field": "name",
                        "message": f"is reserved ({', '.join(sorted(RESERVED_NAMES))})"})
        if field is not None:
            own += _field_problems(field)
            if field.name in first_of:
                own.append({"field": "name", "message": f"repeats the name of "
                                                        f"fields[{first_of[field.name]}]"})
            first_of.setdefault(field.name, index)
        errors += _prefixed(path, own)
        parsed.append(field if not own else None)
    return parsed


def _field_problems(field: FieldDefinition) -> Errors:
    """What one valid-looking field contradicts in itself."""
    problems: Errors = []

    def problem(name: str, message: str) -> None:
        problems.append({"field": name, "message": message})

    if field.max_length is not UNSET:
        if field.type not in DEFAULT_MAX_LENGTH:
            problem("maxLength", f"applies only to {_TEXT_TYPES} fields")
        elif field.type == "email" and field.max_length > EMAIL_MAX_LENGTH:
            problem("maxLength", f"must be at most {EMAIL_MAX_LENGTH} for an email field")
    for bound in ("min", "max"):
        if getattr(field, bound) is not UNSET and field.type != "number":
            problem(bound, "applies only to number fields")
    if field.min is not UNSET and field.max is not UNSET and field.min > field.max:
        problem("min", "must not be greater than max")
    if field.options is not UNSET:
        if field.type != "select":
            problem("options", "apply only to select fields")
        seen: set[str] = set()
        for index, option in enumerate(field.options):
            if option in seen:
                problem(f"options[{index}]", "repeats an earlier option")
            seen.add(option)
    elif field.type == "select":
        problem("options", "are required for a select field")
    for attribute, name in _FILE_PROPERTIES.items():
        if getattr(field, attribute) is not UNSET and field.type != "file":
            problem(name, "applies only to file fields")
    if field.accept is not UNSET and len(set(field.accept)) != len(field.accept):
        problem("accept", "repeats a media type")
    return problems


def _recipients(raw: Any, errors: Errors) -> list[str] | None:
    if not isinstance(raw, list) or len(raw) > MAX_RECIPIENTS:
        errors.append({"field": "recipients",
                       "message": f"must be a list of at most {MAX_RECIPIENTS} email addresses"})
        return None
    seen: set[str] = set()
    problems: Errors = []
    for index, address in enumerate(raw):
        if not _is_email(address):
            problems.append({"field": f"recipients[{index}]",
                             "message": "must be a valid email address"})
        elif address.lower() in seen:
            problems.append({"field": f"recipients[{index}]",
                             "message": "repeats an earlier recipient"})
        else:
            seen.add(address.lower())
    errors += problems
    return None if problems else list(raw)


def _reply_to_problems(reply_to: str | None, fields: list[FieldDefinition | None]) -> Errors:
    """Judged on the fields that are valid; a bad field is blamed on its own."""
    if reply_to is None:
        return []
    field = next((f for f in fields if f is not None and f.name == reply_to), None)
    if field is None and None in fields:
        return []  # it may name a field whose own errors are reported
    if field is None or field.type != "email":
        return [{"field": "replyTo", "message": "must name an email field of this form"}]
    return []


def _autoresponse(raw: Any, errors: Errors) -> Autoresponse | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors.append({"field": "autoresponse",
                       "message": "must be null or an object with subject and body"})
        return None
    own: Errors = []
    autoresponse = parse_into(own, Autoresponse, raw)
    if autoresponse is not None:
        own += merge_tag_problems("subject", autoresponse.subject)
        own += merge_tag_problems("body", autoresponse.body)
    errors += _prefixed("autoresponse", own)
    return autoresponse


def merge_tag_problems(name: str, value: str) -> Errors:
    """A `{{` that does not open one of the allowed merge tags."""
    for match in _TAG.finditer(value):
        if not value.startswith(MERGE_TAGS, match.start()):
            return [{"field": name, "message": "may use only the merge tags "
                                               + ", ".join(MERGE_TAGS)}]
    return []
