"""What the domain (db/, users/, contact/, dashboard/, outbox/, forms/) raises when a
request cannot be done. These know nothing of HTTP: the one table in
chalicelib/http/error_map.py gives each its status and code, and a stream
or schedule handler simply lets them propagate (Lambda retries the event).
"""
from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    default_message: ClassVar[str] = "The request could not be done."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class RecordNotFound(DomainError):
    default_message = "Nothing exists at this address."


class VersionMismatch(DomainError):
    default_message = "The resource changed since you read it."


class ConcurrentChange(DomainError):
    """A change to whatever version is current (`If-Match: *`, or none on a
    delete) that other changes kept overtaking: a normal race, lost. Nothing
    was changed; the caller may read the record again and retry."""
    default_message = ("The record kept changing while this change was being applied; "
                       "nothing was changed. Read it again and retry.")


class EmailTaken(DomainError):
    default_message = "A user with this email already exists."


class IdempotencyKeyReused(DomainError):
    default_message = "This Idempotency-Key was already used with a different body."


class InvalidFields(DomainError):
    """Values that are not what they must be: `fields` lists each as
    {"field": name, "message": what it must be}, every bad one at once."""
    default_message = "Some fields are invalid."

    def __init__(self, fields: list[dict[str, str]] | None = None,
                 message: str | None = None) -> None:
        super().__init__(message)
        self.fields = fields or []


class IdempotencyKeyInvalid(InvalidFields):
    def __init__(self) -> None:
        super().__init__([{"field": "Idempotency-Key",
                           "message": "must be 8 to 128 printable ASCII characters"}])


class KeyInUse(DomainError):
    """The write that was to remember an Idempotency-Key found it remembered
    already: a concurrent request with the same key got there first. The edge
    replays its answer; escaping, it means that request is still in progress."""
    default_message = "Another request with this Idempotency-Key is in progress."


class CursorInvalid(InvalidFields):
    """A cursor this list did not issue (edited, truncated, or from another list)."""

    def __init__(self) -> None:
        super().__init__([{"field": "cursor", "message": "is not a cursor this list issued"}])


class LimitReached(DomainError):
    """A fixed cap on a record was reached (20 replies to one message)."""


class BuiltInForm(DomainError):
    """The built-in contact form, which always exists: it can be edited, never deleted."""
    default_message = "The built-in contact form cannot be deleted; edit it instead."


class NoReplyAddress(DomainError):
    """A reply to a message whose form gave no email address (no replyTo field)."""
    default_message = "This message has no email address to reply to."


class MessageIsSpam(DomainError):
    """A reply to a message marked spam: its sender is not to be answered until
    an admin says it is not spam."""
    default_message = "This message is marked spam. Mark it as not spam before replying."


class RateExceeded(DomainError):
    default_message = "Too many requests. Try again later."

    def __init__(self, retry_after_seconds: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class CaptchaRejected(DomainError):
    """A CAPTCHA token that is missing, or that the provider did not accept."""
    default_message = "The CAPTCHA was not solved. Solve it and send the form again."


class DependencyUnavailable(DomainError):
    """DynamoDB, SES or the user pool is busy or unreachable, or a record kept
    changing under us: the same request may well succeed shortly."""
    default_message = "A service we depend on is unavailable. Try again shortly."
