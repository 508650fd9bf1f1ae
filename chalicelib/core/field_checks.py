"""Yes-or-no checks of one field's value, read from the field's own type.

When a body fails msgspec, chalicelib.core.validation must find every bad field.
Converting each field on its own with msgspec costs a conversion and an
exception per field; these checks answer the same question with a few
comparisons, for the types request models use: str and int with msgspec.Meta
constraints, Literal strings, None, and unions of these. For any other type
`check_for` returns None and the field is converted with msgspec as before.

msgspec stays the authority: a body is accepted only by msgspec.convert, and
these checks only say which fields to blame for a body it refused.
tests/test_validation.py holds them to msgspec's answer value by value.
"""
from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from typing import Any

import msgspec

Check = Callable[[Any], bool]

_STR_CONSTRAINTS = frozenset({"min_length", "max_length", "pattern"})
_INT_CONSTRAINTS = frozenset({"ge", "le", "gt", "lt"})
_ALL_CONSTRAINTS = ("gt", "ge", "lt", "le", "multiple_of", "pattern", "min_length",
                    "max_length", "tz")


def _constraints(meta: msgspec.Meta) -> dict[str, Any]:
    return {name: getattr(meta, name) for name in _ALL_CONSTRAINTS
            if getattr(meta, name) is not None}


def _string_check(limits: dict[str, Any]) -> Check:
    low = limits.get("min_length", 0)
    high = limits.get("max_length")
    pattern = re.compile(limits["pattern"]) if "pattern" in limits else None

    def check(value: Any) -> bool:
        return (isinstance(value, str) and len(value) >= low
                and (high is None or len(value) <= high)
                and (pattern is None or pattern.search(value) is not None))
    return check


def _integer_check(limits: dict[str, Any]) -> Check:
    # Converting a Python int, msgspec takes any size; only the bounds limit it.
    lows = [limits["ge"]] if "ge" in limits else []
    lows += [limits["gt"] + 1] if "gt" in limits else []
    highs = [limits["le"]] if "le" in limits else []
    highs += [limits["lt"] - 1] if "lt" in limits else []
    low, high = max(lows, default=None), min(highs, default=None)

    def check(value: Any) -> bool:
        return (type(value) is int  # bool is not an int to msgspec
                and (low is None or value >= low) and (high is None or value <= high))
    return check


def _constrained(base: Any, limits: dict[str, Any]) -> Check | None:
    if base is str and set(limits) <= _STR_CONSTRAINTS:
        return _string_check(limits)
    if base is int and set(limits) <= _INT_CONSTRAINTS:
        return _integer_check(limits)
    if not limits:
        return check_for(base)
    return None


def check_for(field_type: Any) -> Check | None:
    """A check equal to msgspec's for `field_type`, or None if it is not one of
    the simple types above."""
    origin = typing.get_origin(field_type)
    if origin is typing.Annotated:
        base, *extras = typing.get_args(field_type)
        limits: dict[str, Any] = {}
        for extra in extras:
            if not isinstance(extra, msgspec.Meta):
                return None
            limits.update(_constraints(extra))
        return _constrained(base, limits)
    if origin in (typing.Union, types.UnionType):
        members = [check_for(member) for member in typing.get_args(field_type)]
        if any(member is None for member in members):
            return None
        checks = tuple(member for member in members if member is not None)
        if len(checks) == 2:  # X | None, the usual union: no loop
            first, second = checks
            return lambda value: first(value) or second(value)

        def any_member(value: Any) -> bool:
            for check in checks:
                if check(value):
                    return True
            return False
        return any_member
    if origin is typing.Literal:
        values = typing.get_args(field_type)
        if not all(type(value) is str for value in values):
            return None
        allowed = frozenset(values)
        return lambda value: isinstance(value, str) and value in allowed
    if field_type is None or field_type is type(None):
        return lambda value: value is None
    if field_type is msgspec.UnsetType:
        return lambda value: False  # JSON has no way to write UNSET
    if field_type in (str, int):
        return _constrained(field_type, {})
    return None
