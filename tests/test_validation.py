"""chalicelib.core.validation reports every bad field of a body, and
chalicelib.core.field_checks gives msgspec's own verdict on each field without
converting it: these tests hold the two to each other, value by value."""
from __future__ import annotations

import typing
from typing import Annotated, Any, Literal

import msgspec
import pytest
from msgspec import Meta, UnsetType

from chalicelib.contact.model import ContactSubmission, StatusChange
from chalicelib.core.domain_errors import InvalidFields
from chalicelib.core.field_checks import check_for
from chalicelib.core.validation import _fields, parse
from chalicelib.dashboard.replies import ReplyBody
from chalicelib.users.model import UserCreate, UserUpdate

MODELS = [UserCreate, UserUpdate, ContactSubmission, StatusChange, ReplyBody]
VALUES: list[Any] = [
    "", " ", "x", "xy", "Ada Lovelace", "  Ada  ", "ada@example.com", "ADA@EXAMPLE.COM",
    "ada@example", "not-an-email", "a@b.c", "a\nb", "a\tb", "a\r", "bell \x07", "del \x7f",
    "c1 \x85", "sep \u2028", "\n", "   \t", "Zoë 😀", "x" * 99, "x" * 100, "x" * 101, "x" * 150,
    "x" * 151, "x" * 254 + "@e.co", "a" * 5000, "a" * 5001, "a" * 10_000, "a" * 10_001,
    "new", "read", "archived", "New", "deleted",
    0, 1, 17, 18, 19, 36, 119, 120, 121, -1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1,
    36.0, 36.5, float("inf"), True, False, None, [], {}, ["a"], {"a": 1}, b"x"]


def msgspec_accepts(field: Any, value: Any) -> bool:
    try:
        msgspec.convert({"value": value}, field.alone)
    except msgspec.ValidationError:
        return False
    return True


FIELDS = [(model, name, field) for model in MODELS for name, field in _fields(model).items()]


@pytest.mark.parametrize("model,name,field", FIELDS,
                         ids=[f"{m.__name__}.{n}" for m, n, _ in FIELDS])
def test_each_check_gives_msgspecs_verdict(model: Any, name: str, field: Any) -> None:
    assert field.quick is not None, "every request model field has a quick check"
    disagreements = [value for value in VALUES
                     if field.quick(value) != msgspec_accepts(field, value)]
    assert disagreements == []


# Types beyond the request models': each gets msgspec's verdict or no check.
OTHER_TYPES: list[Any] = [
    Annotated[int, Meta(gt=0, lt=10)], Annotated[str, Meta(min_length=3)], Literal["a", "b"],
    Annotated[int, Meta(multiple_of=2)], Literal[1, 2], float, bool, list[str],
    Annotated[str, Meta(max_length=3)] | None | UnsetType, int | str,
]


@pytest.mark.parametrize("field_type", OTHER_TYPES, ids=str)
def test_other_types_get_msgspecs_verdict_or_none(field_type: Any) -> None:
    check = check_for(field_type)
    if check is None:
        return
    alone = msgspec.defstruct("Alone", [("value", field_type)])
    for value in VALUES:
        try:
            msgspec.convert({"value": value}, alone)
            accepted = True
        except msgspec.ValidationError:
            accepted = False
        assert check(value) == accepted, (field_type, value)


def test_unknown_types_get_no_check() -> None:
    assert check_for(float) is None
    assert check_for(Annotated[int, Meta(multiple_of=2)]) is None
    assert check_for(Literal[1, 2]) is None
    assert check_for(typing.Optional[list[str]]) is None  # noqa: UP045 (the typing form on purpose)


def test_every_bad_field_is_reported_together() -> None:
    with pytest.raises(InvalidFields) as failure:
        parse(UserCreate, {"name": "x", "email": "not-an-email", "age": 7, "role": "admin"})
    assert failure.value.fields == [
        {"field": "role", "message": "is not a known field"},
        {"field": "name", "message": "must be 2 to 100 characters, without control characters"},
        {"field": "email", "message": "must be a valid email address"},
        {"field": "age", "message": "must be an integer from 18 to 120"}]


def test_a_field_without_a_description_gets_msgspecs_words() -> None:
    with pytest.raises(InvalidFields) as failure:
        parse(ContactSubmission, {"name": "Ada", "email": "ada@example.com",
                                  "message": "Hello", "website": 5})
    assert failure.value.fields == [{"field": "website", "message": "Expected `str`, got `int`"}]
