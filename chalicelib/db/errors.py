"""Turn AWS failures we understand into domain errors; re-raise the rest.

Throttling and service-side failures (after botocore's own retries) become
DependencyUnavailable (the HTTP edge answers 503 with Retry-After); a failed
condition is the caller's business (the store decides between not found,
taken and stale). Anything else propagates and becomes a 500 that leaks nothing.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import ClientError, ConnectionError, ReadTimeoutError

from chalicelib.core.domain_errors import DependencyUnavailable

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
def aws_unavailable_mapped(service: str = "DynamoDB") -> Iterator[None]:
    try:
        yield
    except ClientError as exc:
        if is_unavailable(exc):
            raise DependencyUnavailable(f"{service} is busy or unavailable. Try again shortly.") from exc
        raise
    except (ConnectionError, ReadTimeoutError) as exc:
        raise DependencyUnavailable(f"{service} is unreachable. Try again shortly.") from exc


# The former name, for branches written before the domain stopped naming statuses.
aws_unavailable_as_503 = aws_unavailable_mapped
