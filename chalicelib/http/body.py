"""Read a JSON request body, refusing anything that is not a JSON object."""
from __future__ import annotations

import json
from typing import Any

import msgspec
from chalice.app import Request

from chalicelib.http.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType


def _is_json_in_utf8(content_type: str) -> bool:
    """application/json, with no charset or with UTF-8 (the only one JSON has,
    RFC 8259): a body declared in another charset would be read wrongly."""
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


# Built once: json.loads(..., parse_constant=...) builds a decoder on every call.
_decoder = json.JSONDecoder(parse_constant=_refuse_constant)


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
    if not strict:
        try:
            text, data = _decoded(raw)
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
