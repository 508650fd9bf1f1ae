"""The one place an error becomes an HTTP answer.

ERROR_MAP gives each domain error its API error (status, code, details); the
HTTP edge's own errors (chalicelib/http/errors.py) already are one; anything else
is a bug, answered as a 500 that discloses nothing. `answering_errors` applies
this to a view when its route is declared (chalicelib/http/application.py),
and the pipeline to its own checks, so every route, whenever it is declared,
answers through here.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from chalice import ChaliceUnhandledError, Response

from chalicelib.core import domain_errors as domain
from chalicelib.http import context
from chalicelib.http.errors import (
    ApiError,
    CaptchaFailed,
    Conflict,
    InternalError,
    NotFound,
    PreconditionFailed,
    RateLimited,
    ServiceUnavailable,
    ValidationFailed,
)
from chalicelib.http.responses import error_response

_log = logging.getLogger("frontdesk.http")


def _reused(error: domain.DomainError) -> ApiError:
    # The web form finds the field to blame in the details.
    return Conflict(error.message, details=[{"field": "Idempotency-Key",
                                             "message": "was already used with a different body"}])


def _rate_limited(error: domain.DomainError) -> ApiError:
    assert isinstance(error, domain.RateExceeded)
    return RateLimited(headers={"Retry-After": str(error.retry_after_seconds)})


def _invalid(error: domain.DomainError) -> ApiError:
    assert isinstance(error, domain.InvalidFields)
    return ValidationFailed(error.fields)


# A domain error's answer is that of its nearest class here (tests/architecture
# checks that each has one).
ERROR_MAP: dict[type[domain.DomainError], Callable[[domain.DomainError], ApiError]] = {
    domain.InvalidFields: _invalid,
    domain.RecordNotFound: lambda error: NotFound(error.message),
    domain.VersionMismatch: lambda error: PreconditionFailed(error.message),
    # `*` matched (the record exists), so not 412: the change lost a race.
    domain.ConcurrentChange: lambda error: Conflict(error.message),
    domain.EmailTaken: lambda error: Conflict(
        error.message, details=[{"field": "email", "message": "is already in use"}]),
    domain.IdempotencyKeyReused: _reused,
    domain.LimitReached: lambda error: Conflict(error.message),
    domain.BuiltInForm: lambda error: Conflict(error.message),
    domain.NoReplyAddress: lambda error: Conflict(error.message),
    domain.MessageIsSpam: lambda error: Conflict(error.message),
    domain.RateExceeded: _rate_limited,
    domain.CaptchaRejected: lambda error: CaptchaFailed(error.message),
    domain.DependencyUnavailable: lambda error: ServiceUnavailable(error.message),
    # Escaping, it means the request holding the key is still in progress.
    domain.KeyInUse: lambda error: ServiceUnavailable(error.message),
}


def api_error_of(error: Exception) -> ApiError:
    """The API error that answers `error`."""
    if isinstance(error, ApiError):
        return error
    if isinstance(error, domain.DomainError):
        for cls in type(error).__mro__:
            answer = ERROR_MAP.get(cls)
            if answer is not None:
                mapped = answer(error)
                mapped.__cause__ = error
                return mapped
    internal = InternalError()  # a bug, or a domain error without a mapping
    internal.__cause__ = error
    return internal


def error_answer(error: Exception) -> Response:
    """`error` in the API's error shape; a 5xx is logged with its trace."""
    api_error = api_error_of(error)
    if api_error.status >= 500:
        cause = api_error.__cause__ or api_error
        message = "request failed" if isinstance(cause, (ApiError, domain.DomainError)) \
            else "unhandled error"
        _log.error(message, exc_info=cause)
    return error_response(api_error, context.request_id.get())


class Answered(ChaliceUnhandledError):
    """A view's error, answered already. Chalice lets this class (only) past
    it, to the pipeline, which sends `response`; returned instead, the answer
    would go through Chalice's checks of a view's response (a sixth of a bad
    request's time)."""

    def __init__(self, response: Response) -> None:
        # No super().__init__: nothing reads its message, and it is made per bad request.
        self.response = response


def answering_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """`view`, answering whatever it raises through the map above."""
    @functools.wraps(view)
    def answered(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except Exception as error:
            raise Answered(error_answer(error)) from None
    return answered
