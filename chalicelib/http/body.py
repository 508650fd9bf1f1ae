"""Read a JSON request body, refusing anything that is not a JSON object, and
any object that names a key twice (400 `validation_failed` naming it, as a
form post that sends a field twice gets): a parser that keeps the last value,
or the first, would read such a body differently from the next."""
from __future__ import annotations

import json
import re
from typing import Any

import msgspec
from chalice.app import Request

from chalicelib.http.errors import (
    BadRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)


def _is_json_in_utf8(content_type: str) -> bool:
    """application/json, with no charset or with UTF-8 (the only one JSON has,
    RFC 8259): a body declared in another charset would be read wrongly."""
    if content_type == "application/json":  # what nearly every client sends
        return True
    media_type, *parameters = content_type.split(";")
    if media_type.strip().lower() != "application/json":
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json's object_pairs_hook: the object, or _DuplicateKey naming the first
    key it holds twice."""
    made = dict(pairs)
    if len(made) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return made


# Built once: json.loads(..., parse_constant=...) builds a decoder on every call.
_decoder = json.JSONDecoder(parse_constant=_refuse_constant, object_pairs_hook=_object)


def _decoded(raw: bytes | str) -> tuple[str, Any]:
    """The body's text and json.loads(raw, parse_constant=_refuse_constant)."""
    text = raw if isinstance(raw, str) else raw.decode(json.detect_encoding(raw), "surrogatepass")
    return text, _decoder.decode(text)


# msgspec reads a body several times faster than json.loads. It accepts only
# strict JSON in UTF-8 without a lone surrogate: a subset of what json.loads
# accepts, read the same way (tests/http/test_body.py). A body it refuses is
# read again by json.loads, which decides: it also reads a BOM or UTF-16 and
# says precisely what is wrong.
_strict_decoder = msgspec.json.Decoder()


def _strictly_decoded(raw: bytes | str) -> tuple[bool, Any]:
    try:
        return True, _strict_decoder.decode(raw)
    except (msgspec.MsgspecError, UnicodeDecodeError, RecursionError):
        return False, None


_ESCAPED_COLON = re.compile(rb"\\u003[aA]")


def _keys_surely_unique(raw: bytes | str, data: Any) -> bool:
    """Whether no object in `raw` names a key twice, told without parsing it
    again (msgspec keeps a repeated key's last value, silently).

    Each `:` of the text separates a member's key from its value or is
    inside a string. Unless an escape spells one (\\u003a), the `:`s inside
    the strings kept are those of the decoded keys and strings; so the text's
    `:`s less those are its members, which outnumber the decoded objects'
    members exactly when a key was repeated (its member was dropped). One
    count in C and a walk of the decoded objects; anything unsure is parsed
    again by json, which names the key.

    The usual body, one object whose members hold no `:` and no object, is
    told by the count alone: each member has its `:`, so no `:` is left over
    for a repeated key (nor for a nested object, nor a string)."""
    text = raw.encode() if isinstance(raw, str) else raw
    colons = text.count(b":")
    if isinstance(data, dict) and colons == len(data):
        return True
    members = in_strings = 0
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            members += len(value)
            for key, item in value.items():
                in_strings += key.count(":")
                if isinstance(item, str):
                    in_strings += item.count(":")
                elif isinstance(item, (dict, list)):
                    pending.append(item)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    in_strings += item.count(":")
                elif isinstance(item, (dict, list)):
                    pending.append(item)
    if in_strings and _ESCAPED_COLON.search(text):
        return False
    return colons - in_strings == members


def _refuse_repeated_key(raw: bytes | str) -> None:
    """ValidationFailed naming the first key `raw` repeats, if it repeats one."""
    try:
        _decoded(raw)
    except _DuplicateKey as repeated:
        raise ValidationFailed([{"field": repeated.key, "message": "must be sent once"}]) from None


def read_json_object(request: Request, *, max_bytes: int) -> dict[str, Any]:
    raw = request.raw_body or b""
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"The request body may be at most {max_bytes} bytes.")
    if not raw.strip():
        raise BadRequest("A JSON object body is required.")
    # Chalice lets a body without any Content-Type through; it is still not JSON
    # we were told about, so it gets the same 415 as text/plain.
    if not _is_json_in_utf8(request.headers.get("content-type", "")):
        raise UnsupportedMediaType("Send the body as application/json in UTF-8.")
    strict, data = _strictly_decoded(raw)
    text = ""
    if strict and isinstance(data, dict) and not _keys_surely_unique(raw, data):
        _refuse_repeated_key(raw)
    if not strict:
        try:
            text, data = _decoded(raw)
        except _DuplicateKey as repeated:
            raise ValidationFailed([{"field": repeated.key,
                                     "message": "must be sent once"}]) from None
        except (ValueError, RecursionError):
            # ValueError covers bad UTF-8, bad syntax, NaN and 10,000-digit numbers;
            # RecursionError covers [[[[...]]]] nested past the interpreter's limit.
            raise BadRequest("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    # JSON may spell a lone UTF-16 surrogate ("\ud800"), which is no character
    # at all: nothing could store or mail it. Strict UTF-8 cannot hold one, and
    # only a \u escape or a non-ASCII byte can bring one in.
    if not strict and (not text.isascii() or "\\u" in text):
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest("The request body holds text that is not valid Unicode.") from None
    return data
