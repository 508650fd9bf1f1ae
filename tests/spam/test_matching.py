"""The content rules, pure: what each rule catches, Unicode tricks included,
and what it is documented not to catch."""
from __future__ import annotations

import pytest

from chalicelib.spam.matching import MAX_WORD_REASONS, content_reasons, count_links, fold
from chalicelib.spam.rules import SpamRules

WORDS = SpamRules(blocked_words=["casino", "free money"])


def reasons(texts: list[str], rules: SpamRules = WORDS, address: str | None = None) -> list[str]:
    return content_reasons(rules, texts, address)


@pytest.mark.parametrize("text", [
    "Visit our casino", "CASINO night", "Casino!", "the casino-bonus", "(casino)",
    "ｃａｓｉｎｏ",  # full-width letters (NFKC)
    "𝐜𝐚𝐬𝐢𝐧𝐨",  # mathematical bold (NFKC)
    "ca\u200bsino",  # a zero-width space inside the word
    "cas\u200dino", "c\u00adasino", "\ufeffcasino", "casi\u2060no",  # joiner, soft hyphen, BOM, WJ
    "cásino", "c\u0332asino",  # an accent, a combining underline
    "CAS\u0130NO",  # dotted capital I folds to i + a combining dot, which goes
])
def test_a_blocked_word_is_caught_through_case_and_unicode_tricks(text: str) -> None:
    assert reasons([text]) == ["blocked_word:casino"]


@pytest.mark.parametrize("text", [
    "casinos", "casinoroyale", "mycasino",  # whole words only
    "саsino",  # Cyrillic с and а: another script, not folded (documented)
    "cas1no", "c a s i n o", "c.a.s.i.n.o",  # digits for letters, separators (documented)
])
def test_what_a_blocked_word_does_not_catch(text: str) -> None:
    assert reasons([text]) == []


def test_a_phrase_matches_its_words_in_a_row_whatever_separates_them() -> None:
    assert reasons(["get FREE\n\tmoney now"]) == ["blocked_word:free money"]
    assert reasons(["free, money"]) == ["blocked_word:free money"]
    assert reasons(["money free"]) == [] and reasons(["free cash money"]) == []


def test_a_phrase_never_runs_across_two_fields() -> None:
    assert reasons(["get it free", "money back"]) == []


def test_each_entry_is_named_once_and_at_most_ten_words_are_named() -> None:
    many = SpamRules(blocked_words=[f"w{n}" for n in range(15)])
    assert reasons(["casino casino"]) == ["blocked_word:casino"]
    assert len(reasons([" ".join(f"w{n}" for n in range(15))], many)) == MAX_WORD_REASONS


def test_blocked_senders_match_the_address_and_the_domain_with_its_subdomains() -> None:
    rules = SpamRules(blocked_senders=["eve@example.com", "spam.example"])
    assert reasons([], rules, "eve@example.com") == ["blocked_sender:eve@example.com"]
    assert reasons([], rules, "eve+offers@example.com") == ["blocked_sender:eve@example.com"]
    assert reasons([], rules, "adam@example.com") == []
    assert reasons([], rules, "a@spam.example") == ["blocked_domain:spam.example"]
    assert reasons([], rules, "a@mail.eu.spam.example") == ["blocked_domain:spam.example"]
    assert reasons([], rules, "a@notspam.example") == []  # a suffix is not a subdomain
    assert reasons([], rules, "a@spam.example.org") == []


@pytest.mark.parametrize("text,count", [
    ("see https://a.example and http://b.example/x?y=1", 2),
    ("www.a.example, then www.a.example again", 2),
    ("https://www.a.example counts once", 1),
    ("ftp://files.example/x", 1),
    ("ｈｔｔｐｓ://full.width.example", 1),  # folded first
    ("mail me at a@b.example or see example.com", 0),  # neither is a link
    ("no links here", 0),
])
def test_what_counts_as_a_link(text: str, count: int) -> None:
    assert count_links([text]) == count


def test_too_many_links_names_the_count_across_every_field() -> None:
    rules = SpamRules(max_links=2)
    assert reasons(["http://a.example", "http://b.example"], rules) == []
    assert reasons(["http://a.example http://b.example", "www.c.example"], rules) == [
        "too_many_links:3"]
    assert reasons(["www.a.example"], SpamRules(max_links=0)) == ["too_many_links:1"]


def test_every_rule_that_fires_is_named_sender_first() -> None:
    rules = SpamRules(blocked_words=["casino"], blocked_senders=["spam.example"], max_links=0)
    assert reasons(["casino at https://x.example"], rules, "a@spam.example") == [
        "blocked_domain:spam.example", "blocked_word:casino", "too_many_links:1"]


def test_fold_is_one_normal_form() -> None:
    assert fold("Ｓtraße ﬁne\u200b") == "strasse fine"
