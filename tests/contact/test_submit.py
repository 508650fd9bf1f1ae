"""POST /contact: what is accepted, what is refused, and what is kept."""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import CONTACT_RATE_LIMIT, TEST_ORIGIN
from tests.contact.conftest import VALID
from tests.test_ids import ulid_time_ms


def stored(client: Any, as_admin: dict[str, str]) -> list[dict[str, Any]]:
    return client.get("/dashboard/messages?status=new", headers=as_admin).json_body["items"]


def test_a_submission_is_202_and_stored(submit: Callable[..., Any], client: Any,
                                        as_admin: dict[str, str]) -> None:
    response = submit({**VALID, "subject": "Question", "message": "Line one\r\nLine\ttwo"},
                      Origin=TEST_ORIGIN)
    assert response.status_code == 202
    assert set(response.json_body) == {"id", "status"} and response.json_body["status"] == "received"
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    (message,) = stored(client, as_admin)
    assert message["id"] == response.json_body["id"]
    assert message["message"] == "Line one\nLine\ttwo"  # CRLF kept as one kind of newline
    assert message["subject"] == "Question" and message["status"] == "new"
    assert message["notification"] == {"status": "pending", "attempts": 0,
                                       "nextAttemptAt": message["createdAt"]}


def test_every_invalid_field_is_listed(submit: Callable[..., Any]) -> None:
    response = submit({"name": "", "email": "nope", "message": "", "subject": "x" * 151,
                       "extra": 1})
    assert response.status_code == 400
    fields = {d["field"] for d in response.json_body["error"]["details"]}
    assert fields == {"name", "email", "message", "subject", "extra"}


@pytest.mark.parametrize("field,value", [
    ("name", "Eve\r\nBcc: victim@example.com"),
    ("name", "Eve\nX-Injected: 1"),
    ("subject", "Hello\r\nBcc: victim@example.com"),
    ("subject", "Hello\nContent-Type: text/html"),
    ("email", "eve@example.com\r\nBcc: victim@example.com"),
    ("email", "eve@example.com\nCc: victim@example.com"),
])
def test_header_injection_is_refused(submit: Callable[..., Any], field: str, value: str) -> None:
    response = submit({**VALID, field: value})
    assert response.status_code == 400
    assert [d["field"] for d in response.json_body["error"]["details"]] == [field]


@pytest.mark.parametrize("text", ["bell\x07", "null\x00", "escape\x1b[31m", "lone\rreturn",
                                  "delete\x7f"])
def test_control_characters_in_the_message_are_refused(submit: Callable[..., Any],
                                                       text: str) -> None:
    assert submit({**VALID, "message": text}).status_code == 400


def test_a_body_over_16_kb_is_413(submit: Callable[..., Any]) -> None:
    response = submit({**VALID, "message": "x" * 4000, "padding": "y" * 13000})
    assert response.status_code == 413
    assert response.json_body["error"]["code"] == "payload_too_large"


def test_a_5000_character_message_fits(submit: Callable[..., Any]) -> None:
    # Sent as UTF-8, as browsers do: 5,000 two-byte characters are 10 KB.
    def utf8(message: str) -> bytes:
        return json.dumps({**VALID, "message": message}, ensure_ascii=False).encode()
    assert submit(utf8("é" * 5000)).status_code == 202
    assert submit(utf8("é" * 5001)).status_code == 400


def test_the_honeypot_answers_like_success_but_keeps_nothing(
        submit: Callable[..., Any], client: Any, as_admin: dict[str, str], pump: Any) -> None:
    response = submit({**VALID, "website": "http://spam.example"})
    assert response.status_code == 202
    assert set(response.json_body) == {"id", "status"} and response.json_body["status"] == "received"
    assert stored(client, as_admin) == []
    assert client.get("/dashboard/stats", headers=as_admin).json_body["messages"]["new"] == 0


def test_a_honeypot_retry_looks_like_a_replay(submit: Callable[..., Any], client: Any,
                                              as_admin: dict[str, str]) -> None:
    spam = {**VALID, "website": "http://spam.example"}
    first, again = submit(spam, key="bot-key-123456"), submit(spam, key="bot-key-123456")
    assert first.json_body == again.json_body
    assert re.fullmatch(r"[0-7][0-9A-HJKMNP-TV-Z]{25}", first.json_body["id"])
    assert stored(client, as_admin) == []
    assert submit({**spam, "message": "Other"}, key="bot-key-123456").status_code == 409


@pytest.mark.parametrize("key", [None, "bot-key-654321"], ids=["no-key", "key"])
def test_a_decoy_id_carries_the_current_time_like_a_real_one(submit: Callable[..., Any],
                                                             key: str | None) -> None:
    before = int(time.time() * 1000)
    decoy = submit({**VALID, "website": "http://spam.example"}, key=key).json_body["id"]
    real = submit(VALID, key=None if key is None else key + "-real").json_body["id"]
    after = int(time.time() * 1000)
    assert before <= ulid_time_ms(decoy) <= ulid_time_ms(real) <= after
    assert decoy[:2] == real[:2]


def test_an_empty_honeypot_is_a_person(submit: Callable[..., Any], client: Any,
                                       as_admin: dict[str, str]) -> None:
    assert submit({**VALID, "website": ""}).status_code == 202
    assert len(stored(client, as_admin)) == 1


def test_a_retry_with_the_same_key_and_body_replays_the_answer(
        submit: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    first = submit(VALID, key="order-7f3a9c21")
    again = submit(VALID, key="order-7f3a9c21")
    assert first.status_code == again.status_code == 202
    assert again.json_body == first.json_body
    assert [m["id"] for m in stored(client, as_admin)] == [first.json_body["id"]]


def test_the_same_key_with_another_body_is_409(submit: Callable[..., Any], client: Any,
                                              as_admin: dict[str, str]) -> None:
    assert submit(VALID, key="order-7f3a9c21").status_code == 202
    response = submit({**VALID, "message": "Something else"}, key="order-7f3a9c21")
    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "conflict"
    assert len(stored(client, as_admin)) == 1


def test_different_keys_store_different_messages(submit: Callable[..., Any], client: Any,
                                                 as_admin: dict[str, str]) -> None:
    submit(VALID, key="first-key-1")
    submit(VALID, key="second-key-2")
    assert len(stored(client, as_admin)) == 2


@pytest.mark.parametrize("key", ["short", "x" * 129, "has space in it", "tab\there-key",
                                  "ünïcödé-key"])
def test_a_malformed_idempotency_key_is_400(client: Any, key: str) -> None:
    # Sent raw: some of these are not even valid HTTP header values for most clients.
    response = client.post("/contact", headers={"Content-Type": "application/json",
                                                "Idempotency-Key": key},
                           body=json.dumps(VALID).encode())
    assert response.status_code == 400
    assert response.json_body["error"]["details"][0]["field"] == "Idempotency-Key"


def test_over_the_limit_is_429_with_retry_after(submit: Callable[..., Any], client: Any,
                                                as_admin: dict[str, str]) -> None:
    for n in range(CONTACT_RATE_LIMIT):
        assert submit({**VALID, "message": f"Message {n}"}).status_code == 202
    response = submit({**VALID, "message": "One too many"}, Origin=TEST_ORIGIN)
    assert response.status_code == 429
    assert response.json_body["error"]["code"] == "rate_limited"
    assert 0 < int(response.headers["Retry-After"]) <= 600
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    assert len(stored(client, as_admin)) == CONTACT_RATE_LIMIT


def test_a_replay_is_not_rate_limited(submit: Callable[..., Any]) -> None:
    first = submit(VALID, key="replayed-key")
    for _ in range(CONTACT_RATE_LIMIT + 2):
        assert submit(VALID, key="replayed-key").json_body == first.json_body


def test_invalid_submissions_do_not_use_up_the_limit(submit: Callable[..., Any]) -> None:
    for _ in range(CONTACT_RATE_LIMIT + 2):
        assert submit({**VALID, "email": "bad"}).status_code == 400
    assert submit(VALID).status_code == 202


@pytest.mark.parametrize("field,value", [
    ("name", "Trail\r\n"), ("name", "\nLead"), ("subject", "Trailing\r\n"),
    ("email", "trail@example.com\r\n"), ("email", "\ttab@example.com"),
    ("name", "Ann\u2028Bcc: evil@example.com"), ("subject", "S\u0085Bcc: e@example.com"),
    ("subject", "P\u2029X"), ("message", "next\u0085line"),
])
def test_line_breaks_and_c1_controls_are_refused_anywhere(submit: Callable[..., Any], field: str,
                                                         value: str) -> None:
    response = submit({**VALID, field: value})
    assert response.status_code == 400
    assert [d["field"] for d in response.json_body["error"]["details"]] == [field]


def test_surrounding_spaces_are_trimmed(submit: Callable[..., Any], client: Any,
                                        as_admin: dict[str, str]) -> None:
    assert submit({**VALID, "name": "  Ada  ", "email": " Ada@Example.com "}).status_code == 202
    (message,) = stored(client, as_admin)
    assert (message["name"], message["email"]) == ("Ada", "ada@example.com")


@pytest.mark.parametrize("message", ["   ", "\n\n", "\t \n"])
def test_a_blank_message_is_refused(submit: Callable[..., Any], message: str) -> None:
    assert submit({**VALID, "message": message}).status_code == 400


def test_an_email_ses_cannot_send_to_is_refused(submit: Callable[..., Any]) -> None:
    response = submit({**VALID, "email": "jörg@exämple.com"})
    assert response.status_code == 400
    assert response.json_body["error"]["details"][0]["field"] == "email"


@pytest.mark.parametrize("field", ["name", "message", "subject"])
def test_a_lone_surrogate_is_400_and_uses_no_budget(client: Any, field: str) -> None:
    body = json.dumps({**VALID, field: "x"}).replace('"x"', '"\\ud800x"').encode()
    for _ in range(CONTACT_RATE_LIMIT + 1):
        response = client.post("/contact", headers={"Content-Type": "application/json"}, body=body)
        assert response.status_code == 400
        assert response.json_body["error"]["code"] == "bad_request"
    ok = client.post("/contact", headers={"Content-Type": "application/json"},
                     body=json.dumps(VALID).encode())
    assert ok.status_code == 202


def test_a_bad_key_and_bad_fields_are_reported_together(client: Any) -> None:
    response = client.post("/contact", headers={"Content-Type": "application/json",
                                                "Idempotency-Key": "short"},
                           body=json.dumps({**VALID, "email": "nope"}).encode())
    assert response.status_code == 400
    assert {d["field"] for d in response.json_body["error"]["details"]} == {"email",
                                                                             "Idempotency-Key"}
