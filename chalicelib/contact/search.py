"""Which messages the dashboard's search finds: a selection of the lists
(statuses, form, sender) and, for a text search, the words every match holds.

Text is compared folded: NFKD, combining marks dropped, case-folded, so
`Zoë`, `ZOE` and `zoe` are one word, as are `Straße` and `STRASSE`. A message
matches when each word of the search is part of its name, email, subject, text
or any of its fields' values (all words must match, in any of them).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

import msgspec

from chalicelib.forms.builtin import CONTACT_ID

# Messages a search examines per request at most (docs/api.md, bench/RESULTS.md).
SEARCH_BUDGET = 500
MAX_WORDS = 10
MAX_QUERY_LENGTH = 200


def folded(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_words(query: str) -> tuple[str, ...]:
    """The words of a search, folded, each once, in order."""
    return tuple(dict.fromkeys(folded(query).split()))


def _texts(item: dict[str, Any]) -> Iterable[str]:
    for name in ("name", "email", "subject", "message", "topic"):
        value = item.get(name)
        if isinstance(value, str):
            yield value
    for field in item.get("fields") or ():
        value = field.get("value") if isinstance(field, dict) else None
        if isinstance(value, str):
            yield value
    for value in (item.get("extra") or {}).values():
        if isinstance(value, str):
            yield value


# A Struct, not a dataclass (chalicelib/http/operations.py says why).
class Selection(msgspec.Struct, frozen=True):
    """Messages of `statuses`, of one form and from one sender where given,
    holding every one of `words` where there are any."""
    statuses: tuple[str, ...]
    form_id: str | None = None
    email: str | None = None
    words: tuple[str, ...] = ()

    @property
    def is_search(self) -> bool:
        """Whether some of it is a test of each message rather than an index:
        words, or a form within one sender's messages."""
        return bool(self.words) or (self.email is not None and self.form_id is not None)

    def matches(self, item: dict[str, Any]) -> bool:
        if self.email is not None and self.form_id is not None \
                and str(item.get("formId", CONTACT_ID)) != self.form_id:
            return False
        if not self.words:
            return True
        haystack = "\n".join(folded(text) for text in _texts(item))
        return all(word in haystack for word in self.words)
