"""Plain HTML form posts: read an application/x-www-form-urlencoded body strictly.

A browser percent-encodes every field as UTF-8, so anything else here was
not sent by a form: bytes that are not UTF-8, a field without `=`, a field
given twice (a form never names two inputs alike by accident; two values for
one field would leave us guessing which one the sender meant).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import msgspec
from chalice.app import Request

from chalicelib.http.context import client_ip
from chalicelib.http.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
# Far more than any form here has; a bound so a body of `a&a&a…` stays cheap.
MAX_FIELDS = 50


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says why).
class FormPost(msgspec.Struct, frozen=True):
    """What a form post brings besides its body."""
    raw_body: bytes
    idempotency_key: str | None
    referer: str | None
    client_ip: str
    host: str | None = None  # this API's host, as the request named it
    query: Any = None  # the query string's parameters (Chalice's MultiDict, or None)


def _media_type(content_type: str) -> tuple[str, dict[str, str]]:
    media_type, *params = content_type.split(";")
    parameters = {}
    for param in params:
        name, _, value = param.partition("=")
        parameters[name.strip().lower()] = value.strip().strip('"').lower()
    return media_type.strip().lower(), parameters


def is_form_post(request: Request) -> bool:
    return _media_type(request.headers.get("content-type", ""))[0] == FORM_MEDIA_TYPE


def form_post(request: Request) -> FormPost:
    raw = request.raw_body or b""
    _, parameters = _media_type(request.headers.get("content-type", ""))
    if parameters.get("charset", "utf-8") != "utf-8":
        raise UnsupportedMediaType("Form posts must be encoded as UTF-8.")
    return FormPost(raw_body=raw if isinstance(raw, bytes) else raw.encode(),
                    idempotency_key=request.headers.get("idempotency-key"),
                    referer=request.headers.get("referer"),
                    client_ip=client_ip(request.context),
                    host=request.headers.get("host"),
                    query=request.query_params)


def read_form(raw: bytes, *, max_bytes: int) -> dict[str, list[str]]:
    """Each field's values, in order; raises the API's errors for a body no
    form would send. Fields sent twice are for `single_values` to refuse, so
    the caller may still read its own fields first."""
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"The request body may be at most {max_bytes} bytes.")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True,
                          encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise BadRequest("The form is not valid UTF-8.") from None
    except ValueError:
        raise BadRequest("The request body is not a valid form.") from None
    form: dict[str, list[str]] = {}
    for name, value in pairs:
        form.setdefault(name, []).append(value)
    return form


def single_values(form: dict[str, list[str]]) -> dict[str, str]:
    """Each field as text, or ValidationFailed naming every field sent twice."""
    repeated = [name for name, values in form.items() if len(values) > 1]
    if repeated:
        raise ValidationFailed([{"field": name, "message": "must be sent once"}
                                for name in repeated])
    return {name: values[0] for name, values in form.items()}
