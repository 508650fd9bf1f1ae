"""Plain dicts <-> DynamoDB's typed attribute values, for the low-level client.

Strings and whole numbers, nearly every attribute the stores read and write,
are converted directly; anything else by the rules of boto3's TypeSerializer
and TypeDeserializer, with the same results but for binary values, read as
bytes where boto3 wraps them in its Binary (tests/db/test_items.py holds them to
boto3's), written here so that the function never imports boto3 (a cold
start's cost; chalicelib/platform/aws.py). boto3's generic path also costs
about 1 µs per attribute (a type dispatch, a Decimal in a 38-digit context):
10 µs to read one user and more than 250 µs for a 26-item page, on every
request.
"""
from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

# DynamoDB numbers hold 38 significant digits; anything longer, or out of
# range, is refused rather than rounded (boto3's context).
_MAX_DIGITS = 38
_INT_LIMIT = 10 ** _MAX_DIGITS
_NUMBERS = Context(Emin=-128, Emax=126, prec=_MAX_DIGITS,
                   traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


def _number(value: int | Decimal) -> str:
    text = str(_NUMBERS.create_decimal(value))
    if text in ("Infinity", "NaN"):
        raise TypeError("Infinity and NaN not supported")
    return text


def _is_number(value: Any) -> bool:
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, (int, Decimal))


def _typed(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if _is_number(value):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (bytes, bytearray)):
        return {"B": value}
    if isinstance(value, Set):
        if all(_is_number(v) for v in value):
            return {"NS": [_number(v) for v in value]}
        if all(isinstance(v, str) for v in value):
            return {"SS": list(value)}
        if all(isinstance(v, (bytes, bytearray)) for v in value):
            return {"BS": list(value)}
    if isinstance(value, Mapping):
        return {"M": {k: _typed(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [_typed(v) for v in value]}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def _untyped(typed: dict[str, Any]) -> Any:
    if not typed:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
    kind, value = next(iter(typed.items()))
    if kind == "S" or kind == "BOOL" or kind == "B":
        return value
    if kind == "N":
        return _NUMBERS.create_decimal(value)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: _untyped(v) for k, v in value.items()}
    if kind == "L":
        return [_untyped(v) for v in value]
    if kind == "SS" or kind == "BS":
        return set(value)
    if kind == "NS":
        return {_NUMBERS.create_decimal(v) for v in value}
    raise TypeError(f"Dynamodb type {kind} is not supported")


def to_value(value: Any) -> dict[str, Any]:
    # Exact types only: bool is an int, and a str subclass stays boto3's to judge.
    if type(value) is str:
        return {"S": value}
    if type(value) is int and -_INT_LIMIT < value < _INT_LIMIT:
        return {"N": str(value)}
    return _typed(value)


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {name: to_value(value) for name, value in values.items() if value is not None}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def from_value(typed: dict[str, Any]) -> Any:
    text = typed.get("S")
    if text is not None:
        return text
    number = typed.get("N")
    if number is not None and len(number) <= _MAX_DIGITS and number.isascii() \
            and number.isdigit():
        return int(number)
    return _plain(_untyped(typed))


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: from_value(value) for name, value in item.items()}
