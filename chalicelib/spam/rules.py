"""The spam rules document: one per stage, for every form.

    {"blockedWords": [...], "blockedSenders": [...], "maxLinks": n | null,
     "duplicateWindowHours": n | null}

Absent fields are empty (no words, no senders) or null (no limit). The
document is checked as strictly as any body: every bad field and every bad
entry at once, by path (`blockedWords[3]`). Entries are kept as written
(spaces trimmed; a sender lower-cased, a leading `@` dropped), each once;
what is matched is their normalised form (chalicelib/spam/matching.py). The
Structs' patterns say exactly what is taken, so /openapi.json states it too.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from chalicelib.core import text
from chalicelib.core.domain_errors import InvalidFields

MAX_ENTRIES = 500
MAX_ENTRY_LENGTH = 100
MAX_LINKS = 1000
MAX_WINDOW_HOURS = 720  # 30 days

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN_PART = rf"{_LABEL}(?:\.{_LABEL})+"
# One line with something besides spaces (which are trimmed).
WORD_PATTERN = rf"^(?=[^{text.CONTROLS}]*[^ {text.CONTROLS}])[^{text.CONTROLS}]*{text.END}"
# An address (name@domain.example) or a domain (domain.example, or @domain.example).
SENDER_PATTERN = (rf"^ *@?(?:[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@)?{_DOMAIN_PART} *{text.END}")

Word = Annotated[str, Meta(min_length=1, max_length=MAX_ENTRY_LENGTH, pattern=WORD_PATTERN,
                           description="1 to 100 characters on one line, not only spaces")]
Sender = Annotated[str, Meta(min_length=1, max_length=MAX_ENTRY_LENGTH, pattern=SENDER_PATTERN,
                             description="an email address or a domain, at most 100 characters")]

_WORD = re.compile(WORD_PATTERN)
_SENDER = re.compile(SENDER_PATTERN)
_FIELDS = ("blockedWords", "blockedSenders", "maxLinks", "duplicateWindowHours")


class SpamRules(msgspec.Struct, frozen=True, kw_only=True, rename="camel",
                forbid_unknown_fields=True):
    """The content rules applied to every post to every form. A blocked word
    matches whole words, case-insensitively, after Unicode normalisation; an
    entry of several words matches them as a phrase. A blocked sender is an
    address (matched exactly, a +tag ignored) or a domain (matched with its
    subdomains). maxLinks: a post with more links than this is spam (null: no
    limit). duplicateWindowHours: the same text from the same address to the
    same form within this many hours is spam (null: not checked)."""
    blocked_words: Annotated[list[Word], Meta(max_length=MAX_ENTRIES)] = msgspec.field(
        default_factory=list)
    blocked_senders: Annotated[list[Sender], Meta(max_length=MAX_ENTRIES)] = msgspec.field(
        default_factory=list)
    max_links: Annotated[int, Meta(ge=0, le=MAX_LINKS)] | None = None
    duplicate_window_hours: Annotated[int, Meta(ge=1, le=MAX_WINDOW_HOURS)] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"blockedWords": list(self.blocked_words),
                "blockedSenders": list(self.blocked_senders), "maxLinks": self.max_links,
                "duplicateWindowHours": self.duplicate_window_hours}


NO_RULES = SpamRules()


def parse_rules(data: Any) -> SpamRules:
    """`data` as SpamRules, or InvalidFields listing every problem."""
    errors: list[dict[str, str]] = []
    if not isinstance(data, Mapping):
        raise InvalidFields([{"field": "body", "message": "must be an object with blockedWords, "
                                                          "blockedSenders, maxLinks and "
                                                          "duplicateWindowHours"}])
    errors += [{"field": str(name)[:MAX_ENTRY_LENGTH], "message": "is not a known field"}
               for name in data if name not in _FIELDS]
    words = _entries(data, "blockedWords", _word, errors)
    senders = _entries(data, "blockedSenders", _sender, errors)
    max_links = _whole(data, "maxLinks", 0, MAX_LINKS, errors)
    window = _whole(data, "duplicateWindowHours", 1, MAX_WINDOW_HOURS, errors)
    if errors:
        raise InvalidFields(errors)
    return SpamRules(blocked_words=words, blocked_senders=senders, max_links=max_links,
                     duplicate_window_hours=window)


def rules_problems(data: Any) -> list[str]:
    """Each problem of `data` as `field: sentence` (the stage settings' check)."""
    try:
        parse_rules(data)
    except InvalidFields as failure:
        return [f"{problem['field']}: {problem['message']}" for problem in failure.fields]
    return []


def _entries(data: Mapping[str, Any], name: str, check: Any,
             errors: list[dict[str, str]]) -> list[str]:
    if name not in data:
        return []
    raw = data[name]
    if not isinstance(raw, list):
        errors.append({"field": name, "message": "must be a list of strings"})
        return []
    if len(raw) > MAX_ENTRIES:
        errors.append({"field": name, "message": f"must have at most {MAX_ENTRIES} entries"})
        return []
    kept: dict[str, None] = {}  # in order, each once
    for index, value in enumerate(raw):
        entry, problem = check(value)
        if problem is not None:
            errors.append({"field": f"{name}[{index}]", "message": problem})
        elif entry is not None:
            kept[entry] = None
    return list(kept)


def _word(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, str) or len(value) > MAX_ENTRY_LENGTH \
            or _WORD.match(value) is None:
        return None, f"must be 1 to {MAX_ENTRY_LENGTH} characters on one line, not only spaces"
    return text.trim_spaces(value), None


def _sender(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, str) or len(value) > MAX_ENTRY_LENGTH \
            or _SENDER.match(value) is None:
        if isinstance(value, str) and value.strip(" ").startswith("*."):
            return None, "must be the domain alone (spam.example): it covers its subdomains"
        return None, (f"must be an email address (name@domain.example) or a domain "
                      f"(spam.example), in ASCII, at most {MAX_ENTRY_LENGTH} characters")
    return text.trim_spaces(value).lower().removeprefix("@"), None


def _whole(data: Mapping[str, Any], name: str, low: int, high: int,
           errors: list[dict[str, str]]) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if type(value) is float and value.is_integer():
        value = int(value)  # JSON has one number type
    if type(value) is not int or not low <= value <= high:
        errors.append({"field": name,
                       "message": f"must be a whole number from {low} to {high:,}, or null"})
        return None
    return value
