"""Build responses in the one JSON shape the API uses."""
from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.errors import ApiError


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=body, status_code=status,
                    headers={"Content-Type": "application/json", **(headers or {})})


def no_content(headers: dict[str, str] | None = None) -> Response:
    return Response(body="", status_code=204, headers=dict(headers or {}))


def error_body(error: ApiError, request_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details:
        body["details"] = error.details
    body["requestId"] = request_id
    return {"error": body}


def error_response(error: ApiError, request_id: str) -> Response:
    return json_response(error_body(error, request_id), error.status, error.headers)


def is_error_shape(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("error"), dict)
