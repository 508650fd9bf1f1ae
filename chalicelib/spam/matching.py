"""The content rules applied to a post: pure, no AWS.

Text is compared in one normalised form (`fold`):
1. NFKC, so compatibility look-alikes become the plain letter: full-width
   `ｃａｓｉｎｏ`, ligatures (`ﬁ`), circled and mathematical letters (`𝐜𝐚𝐬𝐢𝐧𝐨`);
2. case folded (`CASINO`, `Straße` = `strasse`);
3. invisible format characters removed (Unicode category Cf: zero-width
   space, joiners, word joiner, soft hyphen, BOM, direction marks), so one
   hidden inside a word does not split it (`ca<U+200B>sino`);
4. combining marks removed after canonical decomposition, so accents and
   marks stacked on a letter (`cásino`, `c̲asino`) do not hide it; the rules
   therefore treat `café` and `cafe` alike.
What is not caught: letters of another script that look the same (Cyrillic
`с` for Latin `c`), digits for letters (`cas1no`), and separators between
the letters (`c a s i n o`, `c.a.s.i.n.o`).

Words are the runs of letters, digits and underscores (`\\w`) of the folded
text. A blocked entry matches whole words: `casino` matches "Casino!" and
"casino-bonus" but not "casinos"; an entry of several words matches them in
a row, whatever separates them.

A link is an address starting `http://`, `https://` or `ftp://`, or a host
starting `www.`, anywhere in the folded text; each occurrence counts, the
same address twice counts twice. A bare domain (`example.com`) or an email
address is not a link.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from chalicelib.core.addresses import normalised_address
from chalicelib.spam.rules import SpamRules

_WORD = re.compile(r"\w+")
_LINK = re.compile(r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"']+")
# A message names at most this many blocked words in its reasons.
MAX_WORD_REASONS = 10


def fold(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).casefold()
    value = "".join(c for c in value if unicodedata.category(c) != "Cf")
    decomposed = unicodedata.normalize("NFD", value)
    return unicodedata.normalize("NFC", "".join(
        c for c in decomposed if not unicodedata.combining(c)))


def words_of(value: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(value)))


def count_links(texts: Iterable[str]) -> int:
    return sum(len(_LINK.findall(fold(value))) for value in texts)


def _contains(words: Sequence[str], phrase: Sequence[str]) -> bool:
    size = len(phrase)
    return any(tuple(words[i:i + size]) == tuple(phrase) for i in range(len(words) - size + 1)
               if words[i] == phrase[0])


def sender_reason(rules: SpamRules, address: str | None) -> str | None:
    """`blocked_sender:<entry>` or `blocked_domain:<entry>` for the first entry
    that `address` matches (an address entry ignores a +tag)."""
    if not address or "@" not in address:
        return None
    mailbox = normalised_address(fold(address))
    domain = mailbox.rpartition("@")[2]
    for entry in rules.blocked_senders:
        if "@" in entry:
            if normalised_address(entry) == mailbox:
                return f"blocked_sender:{entry}"
        elif domain == entry or domain.endswith(f".{entry}"):
            return f"blocked_domain:{entry}"
    return None


def content_reasons(rules: SpamRules, texts: Sequence[str], address: str | None) -> list[str]:
    """Every rule `texts` (a post's text values) and its sender's `address`
    break, in the order: sender, words (each entry once, at most
    MAX_WORD_REASONS), links. Empty: none."""
    reasons: list[str] = []
    sender = sender_reason(rules, address)
    if sender:
        reasons.append(sender)
    if rules.blocked_words:
        words: list[str] = []
        for value in texts:
            words += words_of(value)
            words.append("")  # fields do not run into each other
        for entry in rules.blocked_words:
            if len(reasons) - bool(sender) == MAX_WORD_REASONS:
                break
            phrase = words_of(entry)
            if phrase and _contains(words, phrase):
                reasons.append(f"blocked_word:{entry}")
    if rules.max_links is not None:
        links = count_links(texts)
        if links > rules.max_links:
            reasons.append(f"too_many_links:{links}")
    return reasons
