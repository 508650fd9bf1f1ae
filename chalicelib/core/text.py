"""Rules for text fields, shared by every request model.

"Control characters" means C0 (U+0000-U+001F), DEL, C1 (U+0080-U+009F) and the
Unicode line and paragraph separators (U+2028, U+2029): anything a mail header,
a log line or a terminal could treat as a break or a command.

Patterns end with `(?![\\s\\S])`, "nothing follows", rather than `$`: in Python
`$` also matches before a final newline, which would let "name\\n" through. The
form works in ECMAScript too, so the JSON Schemas in /openapi.json stay usable.
"""
from __future__ import annotations

import re

CONTROLS = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
_CONTROLS_BUT_NEWLINE_AND_TAB = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029"
END = r"(?![\s\S])"  # "nothing follows", in Python and ECMAScript alike

ONE_LINE = rf"^[^{CONTROLS}]*{END}"
# Newlines and tabs allowed, other control characters refused, and at least one
# visible character.
MULTI_LINE = rf"^(?=[\s\S]*\S)[^{_CONTROLS_BUT_NEWLINE_AND_TAB}]*{END}"
# The same, blank allowed (an optional field left empty).
LINES = rf"^[^{_CONTROLS_BUT_NEWLINE_AND_TAB}]*{END}"

# The HTML form's email rule (ASCII only: SES sends to nothing else), with a
# dot required in the domain.
EMAIL = (r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
         rf"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{{0,61}}[a-zA-Z0-9])?)+{END}")


EMAIL_MAX_LENGTH = 254  # what an address can be (RFC 5321)
_ONE_ADDRESS = re.compile(EMAIL)


def is_one_address(value: object) -> bool:
    """One plain address by the email rule (no name, no list, no control
    character), as the email fields take it: checked again wherever one
    becomes a mail's recipient or Reply-To (chalicelib/outbox/mail.py)."""
    return isinstance(value, str) and len(value) <= EMAIL_MAX_LENGTH \
        and _ONE_ADDRESS.match(value) is not None


def trim_spaces(value: str) -> str:
    """Trim spaces only: a CR, LF or tab at either end must still be refused."""
    return value.strip(" ")


def email_form(value: str) -> str:
    return trim_spaces(value).lower()
