"""The errors the API answers with. Each knows its HTTP status and its code.

The HTTP edge raises them; the domain raises domain errors, which the one
table in chalicelib/http/error_map.py turns into these. CATALOGUE lists every
code the API can answer, and /openapi.json and docs/api.md are held to it.
"""
from __future__ import annotations

from typing import Any, ClassVar


class ApiError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "An internal error occurred."
    default_headers: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        message: str | None = None,
        *,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details
        self.headers = {**self.default_headers, **headers} if headers else dict(self.default_headers)
        super().__init__(self.message)


class BadRequest(ApiError):
    status, code, default_message = 400, "bad_request", "The request is malformed."


class ValidationFailed(ApiError):
    status, code, default_message = 400, "validation_failed", "Some fields are invalid."

    def __init__(self, field_errors: list[dict[str, str]], message: str | None = None) -> None:
        super().__init__(message, details=field_errors)


class CaptchaFailed(ApiError):
    status, code, default_message = (
        400, "captcha_failed", "The CAPTCHA was not solved. Solve it and send the form again.")


class Unauthorized(ApiError):
    status, code, default_message = 401, "unauthorized", "Sign in to use this resource."


class Forbidden(ApiError):
    status, code, default_message = 403, "forbidden", "You are not allowed to do this."


class NotFound(ApiError):
    status, code, default_message = 404, "not_found", "Nothing exists at this address."


class MethodNotAllowed(ApiError):
    status, code, default_message = 405, "method_not_allowed", "This method is not allowed here."


class Conflict(ApiError):
    status, code, default_message = 409, "conflict", "The request conflicts with the current state."


class PreconditionFailed(ApiError):
    status, code, default_message = (
        412, "precondition_failed", "The resource changed since you read it.")


class PayloadTooLarge(ApiError):
    status, code, default_message = 413, "payload_too_large", "The request body is too large."


class UnsupportedMediaType(ApiError):
    status, code, default_message = (
        415, "unsupported_media_type", "Send the body as application/json.")


class PreconditionRequired(ApiError):
    status, code, default_message = (
        428, "precondition_required", "Send If-Match with the ETag you last read.")


class RateLimited(ApiError):
    status, code, default_message = 429, "rate_limited", "Too many requests. Try again later."


class InternalError(ApiError):
    pass


class ServiceUnavailable(ApiError):
    status, code, default_message = (
        503, "service_unavailable", "A service we depend on is unavailable. Try again shortly.")
    default_headers = {"Retry-After": "5"}


# Every code the API answers with, by code: one status may have several (400).
CATALOGUE: dict[str, type[ApiError]] = {
    cls.code: cls
    for cls in (BadRequest, ValidationFailed, CaptchaFailed, Unauthorized, Forbidden, NotFound,
                MethodNotAllowed, Conflict, PreconditionFailed, PayloadTooLarge,
                UnsupportedMediaType, PreconditionRequired, RateLimited, InternalError,
                ServiceUnavailable)
}

# What an answer someone else made (Chalice, the local server) means when all
# we know of it is its status: the general code of that status.
FOR_STATUS: dict[int, type[ApiError]] = {
    cls.status: cls
    for cls in (BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed, Conflict,
                PreconditionFailed, PayloadTooLarge, UnsupportedMediaType,
                PreconditionRequired, RateLimited, InternalError, ServiceUnavailable)
}
