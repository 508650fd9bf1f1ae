"""A post to a form as the route received it: checked against the form's
definition, the names the route reads itself taken out, and what a retry is
compared by. Pure, no AWS, no HTTP.

- The contact form keeps POST /contact's body exactly (chalicelib/contact/model.py
  `ContactSubmission`: its four fields and its honeypot `website`, any other
  name refused), whatever its definition's labels say.
- Every other form: chalicelib/forms/submission.py `validate_submission`, and
  the reserved names: the honeypots `website` and `_gotcha` (filled in: spam,
  answered like a success and stored nowhere) and `_subject` (a one-line topic
  for the owner mail, at most 150 characters).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from msgspec import UNSET

from chalicelib.contact.model import ContactSubmission
from chalicelib.core import text
from chalicelib.core.domain_errors import InvalidFields
from chalicelib.core.validation import parse
from chalicelib.forms.builtin import CONTACT_ID
from chalicelib.forms.model import Form
from chalicelib.forms.submission import FieldValue, validate_submission

SUBJECT_FIELD = "_subject"
HONEYPOTS = ("website", "_gotcha")
MAX_TOPIC_LENGTH = 150
_ONE_LINE = re.compile(text.ONE_LINE)


@dataclass(frozen=True)
class Received:
    """The form's values in its order, the extra fields it keeps, the owner
    mail's topic (`_subject`), and whether a honeypot was filled in."""
    values: dict[str, FieldValue]
    extra: dict[str, str] = field(default_factory=dict)
    topic: str | None = None
    is_spam: bool = False
    uploads: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file field -> upload ids

    def compared(self) -> dict[str, Any]:
        """What an Idempotency-Key's retry must repeat (never the honeypots).
        The contact form's is its fields alone, as POST /contact always compared."""
        if not self.extra and self.topic is None and not self.uploads:
            return dict(self.values)
        compared = {"values": dict(self.values), "extra": dict(self.extra), "topic": self.topic}
        if self.uploads:
            compared["uploads"] = {name: list(ids) for name, ids in self.uploads.items()}
        return compared


def receive(form: Form, raw: Mapping[str, Any]) -> Received:
    """`raw` (a JSON object, or a form post's fields) checked against `form`,
    or InvalidFields naming every problem."""
    if form.id == CONTACT_ID:
        submission = parse(ContactSubmission, dict(raw))
        return Received(dict(submission.fields()), is_spam=submission.is_spam)
    # A JSON array is no value of any field but a file field's (a form post's
    # repeated name is refused before this, chalicelib/http/form.py).
    files = {f.name for f in form.definition.fields if f.type == "file"}
    errors = [{"field": name[:100], "message": "must be one value, not a list"}
              for name, value in raw.items() if isinstance(value, list) and name not in files]
    if errors:
        raise InvalidFields(errors)
    try:
        submission_values = validate_submission(form.definition, raw)
    except InvalidFields as failure:
        errors += failure.fields
        submission_values = None
    topic = None
    try:
        topic = _topic(raw.get(SUBJECT_FIELD))
    except InvalidFields as failure:
        errors += failure.fields
    if errors or submission_values is None:
        raise InvalidFields(errors)
    return Received(submission_values.values, submission_values.extra, topic,
                    is_spam=any(_filled(raw.get(name)) for name in HONEYPOTS),
                    uploads=submission_values.uploads)


def _filled(value: Any) -> bool:
    """A honeypot is filled in by anything but nothing or blanks."""
    if value is None:
        return False
    return not isinstance(value, str) or value.strip() != ""


def _topic(value: Any) -> str | None:
    def refused(message: str) -> InvalidFields:
        return InvalidFields([{"field": SUBJECT_FIELD, "message": message}])

    if value is None or value is UNSET:
        return None
    if not isinstance(value, str):
        raise refused("must be text")
    value = text.trim_spaces(value)
    if len(value) > MAX_TOPIC_LENGTH or _ONE_LINE.match(value) is None:
        raise refused(f"must be at most {MAX_TOPIC_LENGTH} characters on one line")
    return value or None
