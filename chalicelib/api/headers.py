"""Request headers the resources read, checked at the edge."""
from __future__ import annotations

from chalicelib.domain_errors import IdempotencyKeyInvalid
from chalicelib.http.domain_errors import api_error_for
from chalicelib.idempotency import checked_key


def idempotency_key(value: str | None) -> str | None:
    """The Idempotency-Key header, or ValidationFailed naming it."""
    try:
        return checked_key(value)
    except IdempotencyKeyInvalid as error:
        raise api_error_for(error) from error
