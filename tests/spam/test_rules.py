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
                         "blockedSenders": ["Eve@Example.com", "@spam.example", "bad.example."],
                         "maxLinks": 3, "duplicateWindowHours": 24.0})
    assert rules == SpamRules(blocked_words=["casino", "free money"],
                              blocked_senders=["eve@example.com", "spam.example", "bad.example"],
                              max_links=3, duplicate_window_hours=24)


def test_absent_fields_are_empty_or_null_and_entries_are_kept_once() -> None:
    assert parse_rules({}) == SpamRules()
    assert parse_rules({"blockedWords": ["a", "a", "b"]}).blocked_words == ["a", "b"]


def test_every_bad_field_and_entry_is_reported_by_path() -> None:
    found = problems({"blockedWords": ["ok", "", 3, "x" * 101, "line\nbreak", "!!!"],
                      "blockedSenders": ["*.spam.example", "not an address", "a@b"],
                      "maxLinks": -1, "duplicateWindowHours": 0, "extra": True})
    assert set(found) == {"blockedWords[1]", "blockedWords[2]", "blockedWords[3]",
                          "blockedWords[4]", "blockedWords[5]", "blockedSenders[0]",
                          "blockedSenders[1]", "blockedSenders[2]", "maxLinks",
                          "duplicateWindowHours", "extra"}
    assert "subdomains" in found["blockedSenders[0]"]
    assert found["blockedWords[5]"] == "must hold a letter or a digit"


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
