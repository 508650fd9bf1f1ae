"""An entry's summary counts things in words that agree with the count:
"1 reply", never "1 replies"."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from chalicelib.audit.entry import count_of
from tests.conftest import JSON

Read = Callable[..., dict[str, Any]]


def test_count_of_agrees_with_one_and_with_many() -> None:
    assert count_of(1, "reply", "replies") == "1 reply"
    assert count_of(0, "reply", "replies") == "0 replies"
    assert count_of(2, "reply", "replies") == "2 replies"
    assert count_of(1, "hour") == "1 hour"
    assert count_of(24, "hour") == "24 hours"


def test_a_one_character_reply_is_one_character(client: Any, as_admin: dict[str, str],
                                                message_id: str, audit_log: Read) -> None:
    response = client.post(f"/dashboard/messages/{message_id}/replies",
                           headers={**as_admin, **JSON}, body=json.dumps({"body": "K"}))
    assert response.status_code in (201, 202), response.json_body
    [entry] = audit_log(action="reply.create")["items"]
    assert "(1 character)" in entry["summary"]


def test_one_blocked_word_and_one_hour_are_singular(client: Any, as_admin: dict[str, str],
                                                     audit_log: Read) -> None:
    response = client.put("/dashboard/spam-rules", headers={**as_admin, **JSON},
                          body=json.dumps({"blockedWords": ["casino"],
                                           "blockedSenders": [],
                                           "duplicateWindowHours": 1}))
    assert response.status_code == 200, response.json_body
    [entry] = audit_log(action="spam_rules.put")["items"]
    assert "1 blocked word," in entry["summary"]
    assert "0 blocked senders" in entry["summary"]
    assert entry["summary"].endswith("duplicate window 1 hour")


def test_an_erasure_of_one_message_and_its_reply_is_singular(
        client: Any, as_admin: dict[str, str], message_id: str, visitor: str,
        audit_log: Read) -> None:
    assert client.post(f"/dashboard/messages/{message_id}/replies",
                       headers={**as_admin, **JSON},
                       body=json.dumps({"body": "Thanks!"})).status_code in (201, 202)
    erased = client.delete(f"/dashboard/people/{quote(visitor, safe='')}", headers=as_admin)
    assert erased.status_code == 200, erased.json_body
    [entry] = audit_log(action="person.erase")["items"]
    assert entry["summary"].startswith("erased 1 message, 1 reply, 0 users, ")
    assert "replies" not in entry["summary"]
