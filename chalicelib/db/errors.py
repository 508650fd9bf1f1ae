"""Turn DynamoDB failures we understand into API errors; re-raise the rest.

Throttling and DynamoDB-side failures (after botocore's own retries) become
503 with Retry-After; a failed condition is the caller's business (the store
decides between 404, 409 and 412). Anything else propagates and becomes a
500 that leaks nothing.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from botocore.exceptions import ClientError, ConnectionError, ReadTimeoutError

from chalicelib.errors import ServiceUnavailable

THROTTLING_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "ThrottlingError", "TooManyRequestsException",
})
UNAVAILABLE_CODES = frozenset({"InternalServerError", "ServiceUnavailable", "InternalFailure"})


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def cancellation_reasons(exc: ClientError) -> list[str]:
    """The per-item codes of a cancelled TransactWriteItems, in request order."""
    return [reason.get("Code", "None") for reason in exc.response.get("CancellationReasons", [])]


def is_unavailable(exc: ClientError) -> bool:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return error_code(exc) in THROTTLING_CODES | UNAVAILABLE_CODES or status >= 500


@contextmanager
def aws_unavailable_as_503(service: str = "DynamoDB") -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        if is_unavailable(exc):
            raise ServiceUnavailable(f"{service} is busy or unavailable. Try again shortly.") from exc
        raise
    except (ConnectionError, ReadTimeoutError) as exc:
        raise ServiceUnavailable(f"{service} is unreachable. Try again shortly.") from exc
