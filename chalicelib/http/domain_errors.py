"""The one place domain errors become HTTP answers.

Chalice turns any exception a view raises into its own 500 unless it is a
ChaliceUnhandledError, so each view is wrapped once, at registration's end,
to translate domain errors into the API's errors; the pipeline renders those.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Chalice

from chalicelib import domain_errors as domain
from chalicelib.errors import (
    ApiError,
    CaptchaFailed,
    Conflict,
    NotFound,
    PreconditionFailed,
    RateLimited,
    ServiceUnavailable,
    ValidationFailed,
)
from chalicelib.http.routing import not_routed

# Errors that need no more than their message.
STATUS_OF: dict[type[domain.DomainError], type[ApiError]] = {
    domain.RecordNotFound: NotFound,
    domain.VersionMismatch: PreconditionFailed,
    domain.LimitReached: Conflict,
    domain.DependencyUnavailable: ServiceUnavailable,
    domain.CaptchaRejected: CaptchaFailed,
    domain.KeyInUse: ServiceUnavailable,
}


def api_error_for(error: domain.DomainError, *, cursor_parameter: str = "cursor") -> ApiError:
    if isinstance(error, domain.EmailTaken):
        return Conflict(error.message, details=[{"field": "email", "message": "is already in use"}])
    if isinstance(error, domain.CursorInvalid):
        return ValidationFailed([{"field": cursor_parameter, "message": error.message}])
    if isinstance(error, domain.IdempotencyKeyReused):
        # The web form finds the field to blame in the details.
        return Conflict(error.message, details=[{"field": "Idempotency-Key",
                                                 "message": "was already used with a different body"}])
    if isinstance(error, domain.IdempotencyKeyInvalid):
        return ValidationFailed([{"field": "Idempotency-Key", "message": error.message}])
    if isinstance(error, domain.RateExceeded):
        return RateLimited(headers={"Retry-After": str(error.retry_after_seconds)})
    for error_class, api_class in STATUS_OF.items():
        if isinstance(error, error_class):
            return api_class(error.message)
    raise error  # a DomainError without a mapping is a bug: let it be a 500


def translating(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def translated(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except domain.DomainError as error:
            raise api_error_for(error) from error
    return translated


def translate_domain_errors(app: Chalice) -> None:
    """Wrap every view of `app` (call after the last route is declared)."""
    for entries in app.routes.values():
        for entry in entries.values():
            if entry.view_function is not not_routed:
                entry.view_function = translating(entry.view_function)
