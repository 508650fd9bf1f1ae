"""Posts judged by the spam rules: stored as spam with their reasons, nothing
sent, the visitor answered as for any post; and the rules document's routes."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.api.services import Services
from chalicelib.platform.aws import AwsClients
from chalicelib.platform.config import Settings
from chalicelib.spam.rules import parse_rules
from tests.conftest import JSON, MAIL_FROM, OWNER_EMAIL, TEST_ORIGIN, LocalAws
from tests.contact.conftest import VALID
from tests.support.metrics import RecordingMetrics

RULES = {"blockedWords": ["casino"], "blockedSenders": ["spam.example"], "maxLinks": 2,
         "duplicateWindowHours": 24}


def listed(client: Any, as_admin: dict[str, str], status: str) -> list[dict[str, Any]]:
    return client.get(f"/dashboard/messages?status={status}", headers=as_admin).json_body["items"]


def stats(client: Any, as_admin: dict[str, str]) -> dict[str, Any]:
    return dict(client.get("/dashboard/stats", headers=as_admin).json_body)


# -- the document ----------------------------------------------------------------

def test_the_rules_start_empty_as_version_1_and_a_put_replaces_them(
        client: Any, as_admin: dict[str, str], put_rules: Callable[..., Any]) -> None:
    first = client.get("/dashboard/spam-rules", headers=as_admin)
    assert first.status_code == 200 and first.headers["ETag"] == '"1"'
    assert first.json_body == {"blockedWords": [], "blockedSenders": [], "maxLinks": None,
                               "duplicateWindowHours": None}
    saved = put_rules(RULES, **{"If-Match": '"1"'})
    assert saved.status_code == 200 and saved.headers["ETag"] == '"2"'
    assert saved.json_body == RULES
    again = client.get("/dashboard/spam-rules", headers=as_admin)
    assert again.json_body == RULES and again.headers["ETag"] == '"2"'


def test_a_stale_if_match_is_412_and_changes_nothing(
        client: Any, as_admin: dict[str, str], put_rules: Callable[..., Any]) -> None:
    assert put_rules(RULES).status_code == 200  # no If-Match: any version
    stale = put_rules({"blockedWords": ["other"]}, **{"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json_body["error"]["code"] == "precondition_failed"
    assert client.get("/dashboard/spam-rules", headers=as_admin).json_body == RULES
    assert put_rules(RULES, **{"If-Match": "3"}).status_code == 400  # not an ETag at all


def test_a_bad_document_is_400_naming_every_problem(put_rules: Callable[..., Any]) -> None:
    response = put_rules({"blockedWords": ["", "ok"], "blockedSenders": ["*.x.example"],
                          "maxLinks": "many", "duplicateWindowHours": 0, "typo": 1})
    assert response.status_code == 400
    assert {d["field"] for d in response.json_body["error"]["details"]} == {
        "blockedWords[0]", "blockedSenders[0]", "maxLinks", "duplicateWindowHours", "typo"}
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN


def test_the_rules_are_for_admins_only(client: Any, user_token: str) -> None:
    headers = {"Authorization": f"Bearer {user_token}", "Origin": TEST_ORIGIN}
    assert client.get("/dashboard/spam-rules", headers=headers).status_code == 403
    assert client.put("/dashboard/spam-rules", headers={**headers, **JSON},
                      body=b"{}").status_code == 403


# -- judged on arrival -------------------------------------------------------------

def test_a_post_breaking_the_rules_is_stored_as_spam_with_every_reason_and_nothing_sent(
        client: Any, as_admin: dict[str, str], put_rules: Callable[..., Any],
        submit: Callable[..., Any], partition: Callable[..., Any]) -> None:
    put_rules(RULES)
    good = submit({**VALID, "email": "ada@good.example", "message": "Hello"})
    spam = submit({**VALID, "email": "eve@mail.spam.example",
                   "message": "ＣＡＳＩＮＯ http://a.example http://b.example www.c.example"})
    # The visitor's answer is the same as for a good post.
    assert spam.status_code == good.status_code == 202
    assert set(spam.json_body) == set(good.json_body) == {"id", "status"}
    assert spam.json_body["status"] == "received"
    (stored,) = listed(client, as_admin, "spam")
    assert stored["id"] == spam.json_body["id"] and stored["status"] == "spam"
    assert stored["spamReason"] == ["blocked_domain:spam.example", "blocked_word:casino",
                                    "too_many_links:3"]
    assert stored["notification"] == {"status": "held", "attempts": 0, "reason": "spam"}
    # No owner mail, no chat, no autoresponse: the message alone is stored.
    assert set(partition(stored["id"])) == {"MSG"}
    assert "DELIVERY#notification" in partition(good.json_body["id"])
    (new,) = listed(client, as_admin, "new")
    assert new["id"] == good.json_body["id"] and "spamReason" not in new
    counts = stats(client, as_admin)
    assert counts["messages"]["new"] == 1 and counts["messages"]["spam"] == 1
    assert counts["notifications"]["pending"] == 1
    assert counts["forms"]["contact"] == 2


def test_spam_expires_after_the_spam_retention(
        client: Any, as_admin: dict[str, str], put_rules: Callable[..., Any],
        submit: Callable[..., Any], partition: Callable[..., Any]) -> None:
    put_rules(RULES)
    before = int(time.time())
    spam_id = submit({**VALID, "message": "casino"}).json_body["id"]
    good_id = submit({**VALID, "email": "b@example.com"}).json_body["id"]
    stored = partition(spam_id)["MSG"]
    expires = stored["expiresAt"]
    assert stored["spamAt"] == stored["createdAt"]
    assert before + 30 * 86_400 <= expires <= int(time.time()) + 30 * 86_400
    # Not spam: the stage's retentionDays (365) instead.
    assert partition(good_id)["MSG"]["expiresAt"] >= before + 365 * 86_400


def test_a_plain_form_post_of_spam_is_redirected_as_any_post(
        client: Any, as_admin: dict[str, str], put_rules: Callable[..., Any]) -> None:
    put_rules(RULES)
    thanks = f"{TEST_ORIGIN}/thanks.html"
    answers = [client.post("/contact", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Origin": TEST_ORIGIN},
        body=urlencode({**VALID, "email": email, "message": text, "_next": thanks}).encode())
        for email, text in (("a@good.example", "hello"), ("b@good.example", "casino"))]
    assert [(a.status_code, a.headers["Location"]) for a in answers] == [(303, thanks)] * 2
    assert [m["spamReason"] for m in listed(client, as_admin, "spam")] == [
        ["blocked_word:casino"]]


def test_another_forms_fields_and_subject_are_judged_too(
        client: Any, as_admin: dict[str, str], put_rules: Callable[..., Any]) -> None:
    definition = {"name": "Quote", "replyTo": "email", "extraFields": "keep", "fields": [
        {"name": "email", "label": "Email", "type": "email", "required": True},
        {"name": "site", "label": "Site", "type": "url"}]}
    assert client.put("/dashboard/forms/quote", headers={**as_admin, **JSON},
                      body=json.dumps(definition).encode()).status_code == 201
    put_rules({"blockedWords": ["casino"], "maxLinks": 1})

    def post(body: dict[str, Any]) -> int:
        return int(client.post("/forms/quote", headers=JSON,
                               body=json.dumps(body).encode()).status_code)

    assert post({"email": "a@example.com", "site": "https://a.example"}) == 202
    assert post({"email": "b@example.com", "_subject": "Casino offer"}) == 202
    assert post({"email": "c@example.com", "site": "https://a.example",
                 "notes": "see www.b.example"}) == 202
    reasons = sorted(tuple(m["spamReason"]) for m in listed(client, as_admin, "spam"))
    assert reasons == [("blocked_word:casino",), ("too_many_links:2",)]


def test_the_same_text_from_the_same_address_within_the_window_is_a_duplicate(
        client: Any, as_admin: dict[str, str], put_rules: Callable[..., Any],
        submit: Callable[..., Any]) -> None:
    put_rules({"duplicateWindowHours": 1})
    first = submit({**VALID, "message": "Buy now"})
    # Case, spacing, a +tag and full-width letters do not make it new.
    second = submit({**VALID, "email": "ADA+x@example.com", "message": "ｂｕｙ   NOW"})
    other_text = submit({**VALID, "message": "Something else"})
    other_sender = submit({**VALID, "email": "bob@example.com", "message": "Buy now"})
    assert {r.status_code for r in (first, second, other_text, other_sender)} == {202}
    (duplicate,) = listed(client, as_admin, "spam")
    assert duplicate["id"] == second.json_body["id"]
    assert duplicate["spamReason"] == ["duplicate"]
    assert len(listed(client, as_admin, "new")) == 3


def test_a_duplicate_breaking_other_rules_names_them_all(
        client: Any, as_admin: dict[str, str], put_rules: Callable[..., Any],
        submit: Callable[..., Any]) -> None:
    put_rules({"blockedWords": ["casino"], "duplicateWindowHours": 1})
    submit({**VALID, "message": "casino"})
    submit({**VALID, "message": "casino"})
    assert sorted(m["spamReason"] for m in listed(client, as_admin, "spam")) == [
        ["blocked_word:casino"], ["blocked_word:casino", "duplicate"]]


def test_concurrent_duplicates_store_one_good_message(
        client: Any, as_admin: dict[str, str], put_rules: Callable[..., Any],
        frontdesk_app: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import app as app_module
    put_rules({"duplicateWindowHours": 1})
    api = app_module.services.contact_api
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda n: api.submit({**VALID, "message": "same"}, None, f"198.51.100.{n}"),
                      range(6)))
    assert len(listed(client, as_admin, "new")) == 1
    assert len(listed(client, as_admin, "spam")) == 5


def test_without_a_duplicate_window_the_same_text_is_stored_again(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any]) -> None:
    submit(VALID)
    submit(VALID)
    assert len(listed(client, as_admin, "new")) == 2 and listed(client, as_admin, "spam") == []


def test_a_spam_posts_autoresponse_is_skipped_as_spam(
        client: Any, as_admin: dict[str, str], put_rules: Callable[..., Any]) -> None:
    definition = {"name": "Signup", "replyTo": "email", "fields": [
        {"name": "email", "label": "Email", "type": "email", "required": True},
        {"name": "message", "label": "Message", "type": "textarea"}],
        "autoresponse": {"subject": "Thanks", "body": "We got it."}}
    client.put("/dashboard/forms/signup", headers={**as_admin, **JSON},
               body=json.dumps(definition).encode())
    put_rules({"blockedWords": ["casino"]})
    client.post("/forms/signup", headers=JSON,
                body=json.dumps({"email": "a@example.com", "message": "casino"}).encode())
    (message,) = listed(client, as_admin, "spam")
    assert message["autoresponse"] == {"status": "skipped", "attempts": 0, "reason": "spam"}


# -- the stage's seed ----------------------------------------------------------------

@pytest.fixture
def seeded(local_aws: LocalAws, fresh_table: str) -> Callable[..., Services]:
    def build(**env: str) -> Services:
        session = local_aws.session
        settings = Settings.from_env({"STAGE": "local", "TABLE_NAME": fresh_table,
                                      "MAIL_FROM": MAIL_FROM, "OWNER_EMAIL": OWNER_EMAIL, **env})
        clients = AwsClients(dynamodb=session.client("dynamodb"), ses=session.client("ses"),
                             ssm=session.client("ssm"))
        return Services.create(settings, RecordingMetrics(), clients)
    return build


def test_the_stage_seed_applies_until_an_admin_saves_rules(
        seeded: Callable[..., Services]) -> None:
    services = seeded(SPAM_RULES=json.dumps({"blockedWords": ["casino"]}),
                      SPAM_RETENTION_DAYS="7")
    answer = services.spam_rules_api.get()
    assert answer.headers["ETag"] == '"1"'
    services.contact_api.submit({**VALID, "message": "casino"}, None, "203.0.113.1")
    (spam,), _ = services.messages.list(status="spam", limit=10)
    assert spam.spam_reason == ("blocked_word:casino",)
    services.spam_rules.put(parse_rules({"blockedWords": []}), {1})
    services.contact_api.submit({**VALID, "message": "casino"}, None, "203.0.113.1")
    (new,), _ = services.messages.list(status="new", limit=10)
    assert new.status == "new"
