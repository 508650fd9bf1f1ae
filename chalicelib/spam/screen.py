"""A post judged before it is stored: the content rules (matching.py), then,
only when they found nothing, Akismet where the stage has it (akismet.py).
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

from chalicelib.forms.model import Form
from chalicelib.forms.submission import FieldValue
from chalicelib.spam.duplicate import DuplicateCheck
from chalicelib.spam.matching import content_reasons
from chalicelib.spam.rules import SpamRules


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
    def __init__(self, rules: Callable[[], SpamRules]) -> None:
        self._rules = rules

    def screen(self, post: Post) -> Screening:
        rules = self._rules()
        reasons = content_reasons(rules, post.texts, post.address)
        return Screening(tuple(reasons), None,
                         DuplicateCheck.of(post.form_id, post.address, post.texts,
                                           rules.duplicate_window_hours))
