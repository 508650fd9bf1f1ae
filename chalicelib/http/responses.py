"""Build responses in the one JSON shape the API uses."""
from __future__ import annotations

import json
from typing import Annotated, Any

import msgspec
from chalice import Response
from msgspec import UNSET, Meta, UnsetType

from chalicelib.http.errors import CATALOGUE, ApiError

# Bodies are written by msgspec, several times faster than the json.dumps
# Chalice would otherwise run on every response. Decimals (DynamoDB's numbers)
# are written as numbers, as Chalice writes them.
_encoder = msgspec.json.Encoder(decimal_format="number")


def json_text(body: Any) -> str:
    """`body` as compact JSON text. Text is written as UTF-8, not \\u escapes."""
    try:
        return _encoder.encode(body).decode()
    except UnicodeEncodeError:
        # A lone surrogate has no UTF-8: json.dumps writes it as a \\u escape,
        # as Chalice would have.
        return json.dumps(body, separators=(",", ":"))


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=body, status_code=status,
                    headers={"Content-Type": "application/json", **(headers or {})})


def no_content(headers: dict[str, str] | None = None) -> Response:
    return Response(body="", status_code=204, headers=dict(headers or {}))


class FieldError(msgspec.Struct, forbid_unknown_fields=True):
    field: str
    message: str


class ErrorDetail(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    code: Annotated[str, Meta(extra_json_schema={"enum": sorted(CATALOGUE)})]
    message: str
    details: list[FieldError] | UnsetType = UNSET
    request_id: str


class Error(msgspec.Struct, forbid_unknown_fields=True):
    """Every error the API answers with (docs/api.md, "Errors")."""
    error: ErrorDetail


def error_body(error: ApiError, request_id: str) -> Error:
    # details are dicts of field and message (the domain's InvalidFields): encoded as they are.
    details: Any = error.details or UNSET
    return Error(ErrorDetail(code=error.code, message=error.message, details=details,
                             request_id=request_id))


def error_response(error: ApiError, request_id: str) -> Response:
    return json_response(error_body(error, request_id), error.status, error.headers)


def is_error_shape(body: Any) -> bool:
    return isinstance(body, Error)
