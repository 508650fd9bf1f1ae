"""The spam rules document as a body: strict, every problem at once."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.domain_errors import InvalidFields
from chalicelib.spam.rules import MAX_ENTRIES, SpamRules, parse_rules, rules_problems


def problems(data: Any) -> dict[str, str]:
    with pytest.raises(InvalidFields) as failure:
        parse_rules(data)
    return {p["field"]: p["message"] for p in failure.value.fields}


def test_a_full_document_is_kept_as_written() -> None:
    rules = parse_rules({"blockedWords": [" casino ", "free money"],
                         "blockedSenders": ["Eve@Example.com", "@spam.example", " bad.example"],
                         "maxLinks": 3, "duplicateWindowHours": 24.0})
    assert rules == SpamRules(blocked_words=["casino", "free money"],
                              blocked_senders=["eve@example.com", "spam.example", "bad.example"],
                              max_links=3, duplicate_window_hours=24)


def test_absent_fields_are_empty_or_null_and_entries_are_kept_once() -> None:
    assert parse_rules({}) == SpamRules()
    assert parse_rules({"blockedWords": ["a", "a", "b"]}).blocked_words == ["a", "b"]


def test_every_bad_field_and_entry_is_reported_by_path() -> None:
    found = problems({"blockedWords": ["ok", "", 3, "x" * 101, "line\nbreak", "   "],
                      "blockedSenders": ["*.spam.example", "not an address", "a@b",
                                         "trailing.dot.", "\u00a0nbsp.example"],
                      "maxLinks": -1, "duplicateWindowHours": 0, "extra": True})
    assert set(found) == {"blockedWords[1]", "blockedWords[2]", "blockedWords[3]",
                          "blockedWords[4]", "blockedWords[5]", "blockedSenders[0]",
                          "blockedSenders[1]", "blockedSenders[2]", "blockedSenders[3]",
                          "blockedSenders[4]", "maxLinks", "duplicateWindowHours", "extra"}
    assert "subdomains" in found["blockedSenders[0]"]


def test_a_null_list_is_refused_as_the_schema_refuses_it() -> None:
    assert list(problems({"blockedWords": None})) == ["blockedWords"]
    assert parse_rules({"maxLinks": None}).max_links is None


@pytest.mark.parametrize("value", ["a@b.example", "@b.example", " b.example ", "B.Example",
                                   "a@b", "b", "*.b.example", "b.example.", "a b.example",
                                   "a@@b.example", "\u00e9.example", "x" * 101 + ".example"])
def test_the_published_sender_pattern_is_exactly_what_is_taken(value: str) -> None:
    import re

    from chalicelib.spam.rules import SENDER_PATTERN
    schema_valid = re.match(SENDER_PATTERN, value) is not None and len(value) <= 100
    try:
        parse_rules({"blockedSenders": [value]})
        taken = True
    except InvalidFields:
        taken = False
    assert taken == schema_valid


@pytest.mark.parametrize("data,field", [
    ({"blockedWords": "casino"}, "blockedWords"),
    ({"blockedWords": ["w"] * (MAX_ENTRIES + 1)}, "blockedWords"),
    ({"blockedSenders": ["a.example"] * (MAX_ENTRIES + 1)}, "blockedSenders"),
    ({"maxLinks": 1001}, "maxLinks"), ({"maxLinks": True}, "maxLinks"),
    ({"maxLinks": "3"}, "maxLinks"), ({"duplicateWindowHours": 721}, "duplicateWindowHours"),
    ({"duplicateWindowHours": 1.5}, "duplicateWindowHours"),
])
def test_caps_and_types(data: dict[str, Any], field: str) -> None:
    assert list(problems(data)) == [field]


def test_a_body_that_is_no_object_is_one_problem() -> None:
    assert list(problems(["casino"])) == ["body"]


def test_the_settings_check_reads_each_problem_as_a_sentence() -> None:
    assert rules_problems({"maxLinks": -1}) == [
        "maxLinks: must be a whole number from 0 to 1,000, or null"]
    assert rules_problems({"maxLinks": 1}) == []
