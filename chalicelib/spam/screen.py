"""A post judged before it is stored: the content rules (matching.py), then,
only when they found nothing, Akismet where the stage has it (akismet.py):
spam by its word is reason `akismet`; no answer from it leaves the post as
the rules judged it, noted `akismet_unavailable` (the message's `spamCheck`).
The duplicate window is judged by the write that stores the message
(duplicate.py): the screening carries its check.

What a post's text is: every text value of its fields (a checkbox is not
text) but its sender's address, its extra fields' values and its
`_subject`. Its sender is its form's replyTo field's value (the contact
form's `email`), judged by the blocked senders alone.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.forms.model import Form
from chalicelib.forms.submission import FieldValue
from chalicelib.spam.duplicate import DuplicateCheck
from chalicelib.spam.matching import content_reasons
from chalicelib.spam.rules import SpamRules

if TYPE_CHECKING:
    from chalicelib.spam.akismet import Akismet

AKISMET = "akismet"  # the reason of a post Akismet judged spam
AKISMET_UNAVAILABLE = "akismet_unavailable"  # the note of a post it could not judge


@dataclass(frozen=True)
class Screening:
    """Each rule that judged the post spam (none: not spam, so far), a note
    for a check that could not be made, and the duplicate window's check."""
    reasons: tuple[str, ...] = ()
    check: str | None = None
    duplicate: DuplicateCheck | None = None


CLEAN = Screening()


@dataclass(frozen=True)
class Post:
    """What the screen reads of a post."""
    form_id: str
    texts: tuple[str, ...]
    address: str | None
    name: str | None
    client_ip: str

    @classmethod
    def of(cls, form: Form, values: Mapping[str, FieldValue], extra: Mapping[str, str],
           topic: str | None, client_ip: str) -> Post:
        reply_to = form.definition.reply_to
        address = values.get(reply_to) if reply_to else None
        name = values.get("name")
        texts = [v for k, v in values.items() if isinstance(v, str) and k != reply_to]
        texts += extra.values()
        return cls(form.id, tuple(texts + ([topic] if topic else [])),
                   address if isinstance(address, str) else None,
                   name if isinstance(name, str) else None, client_ip)


class SpamScreen:
    def __init__(self, rules: Callable[[], SpamRules], akismet: Akismet | None = None) -> None:
        self._rules = rules
        self._akismet = akismet

    def screen(self, post: Post) -> Screening:
        rules = self._rules()
        reasons = content_reasons(rules, post.texts, post.address)
        check = None
        if not reasons and self._akismet is not None:
            from chalicelib.spam.akismet import Answer

            answer = self._akismet.check(post)
            if answer is Answer.SPAM:
                reasons.append(AKISMET)
            elif answer is Answer.UNAVAILABLE:
                check = AKISMET_UNAVAILABLE
        return Screening(tuple(reasons), check,
                         DuplicateCheck.of(post.form_id, post.address, post.texts,
                                           rules.duplicate_window_hours))
