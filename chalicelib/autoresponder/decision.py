"""Whether a new message asks for an autoresponse.

One function, `decide`, of the form, the values posted and the submission's
verdict: whatever judges a post (the honeypot, the CAPTCHA, the rate limit,
a spam filter) says so in the verdict, and only an accepted post is answered.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Literal, get_args

from chalicelib.core.text import is_one_address
from chalicelib.forms.model import FormDefinition


class Verdict(Enum):
    """What the checks made of a submission."""
    ACCEPTED = "accepted"
    SPAM = "spam"  # stored, but marked spam
    HONEYPOT = "honeypot"  # a decoy answer; nothing stored
    CAPTCHA_FAILED = "captcha_failed"  # refused; nothing stored
    RATE_LIMITED = "rate_limited"  # refused; nothing stored


# Why a message shows its autoresponse `skipped`: sent to this address for this
# form in the last 24 hours; the replyTo field left empty; the post not accepted.
SkipReason = Literal["recently_sent", "no_address", "spam"]
SKIP_REASONS: tuple[str, ...] = get_args(SkipReason)


@dataclass(frozen=True)
class Send:
    address: str


@dataclass(frozen=True)
class Skip:
    reason: SkipReason


def decide(definition: FormDefinition, values: Mapping[str, object],
           verdict: Verdict) -> Send | Skip | None:
    """None: the form has no autoresponse (the message shows none). Otherwise
    send it to the replyTo field's address, or skip it, saying why. The limit
    is not judged here: it is the store's conditional write (limit.py)."""
    if definition.autoresponse is None or definition.reply_to is None:
        return None
    if verdict is not Verdict.ACCEPTED:
        return Skip("spam")
    address = values.get(definition.reply_to)
    if not is_one_address(address):
        return Skip("no_address")
    assert isinstance(address, str)  # noqa: S101 (is_one_address said so)
    return Send(address)
