"""chalicelib/db/items.py converts as boto3's TypeSerializer and TypeDeserializer
do (the function no longer imports boto3 to convert)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from chalicelib.db.items import from_item, from_value, to_item, to_value

VALUES: list[Any] = [
    "text", "", 0, -7, 10 ** 37, Decimal("1.5"), Decimal("-0.001"), Decimal("1E+100"),
    True, False, None, b"\x00bytes", bytearray(b"ba"),
    {"a", "b"}, {1, Decimal("2.5")}, {b"x", b"y"}, set(), frozenset({"f"}),
    [1, "two", None, [True, {"deep": Decimal("3.25")}]], ("tuple", 1),
    {"map": {"n": 5, "s": "x", "l": [], "m": {}}, "flag": False},
]


def test_to_value_is_boto3s_serializer() -> None:
    for value in VALUES:
        assert to_value(value) == TypeSerializer().serialize(value), value


@pytest.mark.parametrize("value", [1.5, {"nested": [0.1]}, 10 ** 38,
                                   Decimal("1.23456789012345678901234567890123456789"),
                                   Decimal("Infinity"), object(), {1.5}, {"a", 1}])
def test_what_boto3_refuses_is_refused_alike(value: Any) -> None:
    with pytest.raises(Exception) as boto3s:
        TypeSerializer().serialize(value)
    with pytest.raises(type(boto3s.value)):
        to_value(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def test_from_value_is_boto3s_deserializer_with_top_level_numbers_made_plain() -> None:
    for value in VALUES:
        typed = TypeSerializer().serialize(value)
        expected = _plain(TypeDeserializer().deserialize(typed))
        got = from_value(typed)
        if isinstance(expected, Binary):  # boto3's wrapper; the value itself here
            expected = expected.value
        assert got == expected and type(got) is type(expected), value


def test_unknown_or_empty_typed_values_are_refused() -> None:
    for typed in ({}, {"X": 1}):
        with pytest.raises(TypeError):
            from_value(typed)


def test_items_round_trip_and_leave_out_none() -> None:
    values = {"name": "Ada", "age": 36, "tags": {"a"}, "score": Decimal("0.5"), "gone": None}
    item = to_item(values)
    assert "gone" not in item
    assert from_item(item) == {"name": "Ada", "age": 36, "tags": {"a"}, "score": 0.5}
