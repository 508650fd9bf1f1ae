"""Where mail leaves: the addresses an outbox sender takes from stored data.

A visitor's address (a reply's recipient, the owner's Reply-To, an
autoresponse's recipient) and a form's recipients were checked when they were
posted or saved; they are checked again here, as the mail is sent, with the
same rule (chalicelib/core/text.py `is_one_address`), so an address changed in
storage (or stored under an older rule) never reaches SES as a header. One
that fails fails its delivery at once (PermanentFailure: `failed`, this
reason as its lastError), and nothing is sent. The stage's own addresses
(MAIL_FROM, OWNER_EMAIL, REPLY_TO) are settings, checked when the stage is
configured, and may carry a display name.
"""
from __future__ import annotations

from chalicelib.core.text import is_one_address
from chalicelib.outbox.kind import PermanentFailure

_SHOWN = 60  # of a refused address, in the lastError the dashboard shows


def sendable(value: object, role: str) -> str:
    """`value` if it is one plain email address; else PermanentFailure
    naming `role` (recipient, Reply-To) and showing the value escaped."""
    if is_one_address(value):
        assert isinstance(value, str)  # noqa: S101 (is_one_address said so)
        return value
    shown = ascii(value) if isinstance(value, str) else type(value).__name__
    if len(shown) > _SHOWN:
        shown = shown[:_SHOWN] + "…"
    raise PermanentFailure(f"Not sent: the {role} address is not one valid email address "
                           f"({shown})")
