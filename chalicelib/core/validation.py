"""Validate a JSON object against a msgspec Struct, reporting every bad field.

msgspec stops at the first error, so every field is also checked on its own
to report them all. For the simple field types chalicelib.core.field_checks knows
(all of today's request models), those checks run first and answer a bad body
without msgspec's exception; a body they pass is then converted by msgspec,
which alone accepts anything. The Structs also give the JSON Schema for
/openapi.json. Constrained types carry a `description` that reads as the end
of "must be ...", used both in the schema and in messages. A bad body is the
domain error InvalidFields: models are shared with the domain, which knows no HTTP.
"""
from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import msgspec

from chalicelib.core.domain_errors import InvalidFields

if typing.TYPE_CHECKING:
    from chalicelib.core.field_checks import Check

S = TypeVar("S", bound=msgspec.Struct)
T = TypeVar("T")


class Model(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base for request bodies. `normalize` maps field -> function applied to a
    string value before it is checked (trimming, lower-casing)."""

    normalize: ClassVar[dict[str, Callable[[str], str]]] = {}


def _description(field_type: Any) -> str | None:
    for candidate in (field_type, *typing.get_args(field_type)):
        if typing.get_origin(candidate) is not typing.Annotated:
            continue
        for meta in typing.get_args(candidate)[1:]:
            if isinstance(meta, msgspec.Meta) and meta.description:
                return meta.description
    return None


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says why).
class _Field(msgspec.Struct, frozen=True, dict=True):  # dict: for cached_property
    type: Any
    required: bool
    description: str | None
    # The field alone, as a one-field Struct: msgspec keeps what it works out
    # about a Struct's types, but works out a bare Annotated type again on
    # every convert(), which cost several times the check itself.
    alone: type[msgspec.Struct]
    # The same verdict as converting `alone`, without msgspec's exception, for
    # the simple types field_checks knows; None for the others.
    quick: Check | None

    @functools.cached_property
    def message(self) -> str | None:
        return f"must be {self.description}" if self.description else None

    def problem(self, value: Any) -> str | None:
        """What is wrong with `value` in this field, or None."""
        if self.quick is not None:
            if self.quick(value):
                return None
            if self.message:
                return self.message
        try:
            msgspec.convert({"value": value}, self.alone)
        except msgspec.ValidationError as error:
            if self.message:
                return self.message
            in_struct = str(error)
        else:
            return None
        try:  # msgspec's words for the value itself, without the Struct's "at `$.value`"
            msgspec.convert(value, self.type)
        except msgspec.ValidationError as error:
            return str(error)
        return in_struct


@functools.cache
def _fields(model: type[msgspec.Struct]) -> dict[str, _Field]:
    """Once per model: msgspec.structs.fields() evaluates the model's
    annotations again on every call, which cost more than the rest of a
    request's validation together."""
    from chalicelib.core.field_checks import check_for  # on the first body, not at init

    return {info.encode_name: _Field(info.type, info.required, _description(info.type),
                                     msgspec.defstruct(f"{model.__name__}_{info.name}",
                                                       [("value", info.type)]),
                                     check_for(info.type))
            for info in msgspec.structs.fields(model)}


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says why).
class _Plan(msgspec.Struct, frozen=True):
    """What validating a body of one model needs, looked up once per model."""
    fields: dict[str, _Field]
    normalize: dict[str, Callable[[str], str]]
    quick: bool  # every field has a quick check


@functools.cache
def _plan(model: type[msgspec.Struct]) -> _Plan:
    fields = _fields(model)
    return _Plan(fields, getattr(model, "normalize", {}),
                 all(field.quick is not None for field in fields.values()))


def parse(model: type[S], data: dict[str, Any]) -> S:
    """`data` as a `model`, or InvalidFields listing every bad field."""
    parsed = _parsed(model, data)
    if isinstance(parsed, list):
        raise InvalidFields(parsed)
    return parsed


def parse_into(errors: list[dict[str, str]], model: type[S], data: dict[str, Any]) -> S | None:
    """As gather(errors, parse, model, data), without raising and catching."""
    parsed = _parsed(model, data)
    if isinstance(parsed, list):
        errors.extend(parsed)
        return None
    return parsed


def _parsed(model: type[S], data: dict[str, Any]) -> S | list[dict[str, str]]:
    """The converted body, or its field errors."""
    plan = _plan(model)
    normalize, fields = plan.normalize, plan.fields
    # JSON has one number type: JSON Schema's "integer" (what /openapi.json
    # publishes) accepts 50.0 and 5e1, so the API does too.
    data = {name: normalize[name](value) if name in normalize and type(value) is str
            else int(value) if type(value) is float and value.is_integer()
            else value for name, value in data.items()}
    if plan.quick:
        # Every field has a quick check (all of today's models): a bad body is
        # answered from them, without msgspec's exception and a second pass.
        errors = _field_errors(fields, data)
        if errors:
            return errors
    try:
        # The authority: nothing is accepted but what msgspec converts.
        return msgspec.convert(data, model)
    except msgspec.ValidationError as error:
        whole_error = str(error)  # not the exception: its traceback would hold this frame
    # The bad fields (found again here for a model without quick checks); if every
    # field is valid on its own, a rule spanning fields (__post_init__) failed.
    return _field_errors(fields, data) or [{"field": "body", "message": whole_error}]


def _field_errors(fields: dict[str, _Field], data: dict[str, Any]) -> list[dict[str, str]]:
    errors = [{"field": name, "message": "is not a known field"}
              for name in data if name not in fields]
    for name, field in fields.items():
        if name not in data:
            if field.required:
                errors.append({"field": name, "message": "is required"})
            continue
        problem = field.problem(data[name])
        if problem is not None:
            errors.append({"field": name, "message": problem})
    return errors


def gather(errors: list[dict[str, str]], check: Callable[..., T], *args: Any) -> T | None:
    """Run one check; on InvalidFields add its field errors to `errors` and
    return None, so a request's separate checks are all reported together."""
    try:
        return check(*args)
    except InvalidFields as failure:
        errors.extend(failure.fields)
        return None
