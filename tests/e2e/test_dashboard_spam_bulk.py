"""Spam in bulk (issue 24, parts 1 and 2): the inbox's bulk "Mark as spam",
the spam list's bulk "Not spam" (which sends the owner mail spam held back) and
Delete, and one-click "Empty spam" behind a confirmation."""
from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any

from playwright.sync_api import Page, Request, expect

from tests.e2e.conftest import Tab, stack_fixture
from tests.e2e.support import Api, check_rows, post_contact, reload_messages, show_messages

# A stack of its own: "Empty spam" deletes every spam message of the stage.
stack = stack_fixture()


def _rows(page: Page) -> Any:
    return page.locator("#messages-rows tr")


def _bulk_bodies(requests: list[Request]) -> list[dict[str, Any]]:
    return [json.loads(r.post_data or "{}") for r in requests
            if r.method == "POST" and r.url.endswith("/dashboard/messages/bulk")]


def _mails_naming(stack: dict[str, Any], word: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{stack['awsEndpoint']}/moto-api/data.json", timeout=60) as answer:
        data = json.load(answer)
    return [m for m in data["ses"]["Message"] if word in str(m.get("body", ""))]


def _status(admin_api: Api, message_id: str) -> str:
    return str(admin_api.ok("GET", f"/dashboard/messages/{message_id}").body["status"])


def test_bulk_delete_then_empty_spam(admin_tab: Tab, stack: dict[str, Any], admin_api: Api,
                                    blocked_word: str) -> None:
    page = admin_tab.page
    chosen = [post_contact(stack, f"Chosen {blocked_word} {n}") for n in range(2)]
    junk = {post_contact(stack, f"Buy {blocked_word} now {n}") for n in range(3)}
    show_messages(page, "spam")
    check_rows(page, chosen)
    expect(page.locator("#bulk-actions").get_by_role("button")).to_have_text(["Not spam", "Delete"])
    page.locator("#bulk-actions").get_by_role("button", name="Delete").click()
    page.locator("#bulk-actions").get_by_role("button", name="Yes, delete").click()
    expect(page.locator("#bulk-result")).to_have_text("Deleted: 2 messages.")
    for message_id in chosen:
        assert admin_api.call("GET", f"/dashboard/messages/{message_id}").status == 404

    requests: list[Request] = []
    page.on("request", lambda r: requests.append(r))
    page.click("#messages-empty-spam")
    confirm = page.locator("#messages-empty-spam-confirm")
    expect(confirm).to_contain_text("Delete every spam message for good?")
    confirm.get_by_role("button", name="Keep them").click()
    expect(confirm).to_be_hidden()
    assert _bulk_bodies(requests) == []
    page.click("#messages-empty-spam")
    with page.expect_response(lambda r: r.url.endswith("/dashboard/messages/bulk")):
        confirm.get_by_role("button", name="Yes, empty spam").click()
    expect(_rows(page)).to_have_count(0)  # the list is read again once every batch is sent
    spam_left = admin_api.ok("GET", "/dashboard/stats").body["messages"]["spam"]
    assert spam_left == 0
    deleted = {i for body in _bulk_bodies(requests) for i in body["ids"]}
    expect(page.locator("#bulk-result")).to_have_text(f"Deleted: {len(deleted)} messages.")
    assert junk <= deleted
    assert all(body["action"] == "delete" for body in _bulk_bodies(requests))
    expect(page.locator("#messages-spam-tools")).to_be_hidden()
    expect(page.locator("#stat-spam")).to_have_text("0")
    for message_id in junk:
        assert admin_api.call("GET", f"/dashboard/messages/{message_id}").status == 404


def test_bulk_mark_as_spam_and_not_spam(admin_tab: Tab, stack: dict[str, Any], admin_api: Api,
                                        blocked_word: str) -> None:
    page = admin_tab.page
    bar = page.locator("#bulk-actions")
    token = f"ham{uuid.uuid4().hex[:10]}"
    good = [post_contact(stack, f"Hello {token} {n}") for n in range(2)]
    reload_messages(page)
    check_rows(page, good)
    expect(bar.get_by_role("button")).to_have_text(["Mark as read", "Archive", "Mark as spam", "Delete"])
    bar.get_by_role("button", name="Mark as spam").click()
    expect(page.locator("#bulk-result")).to_have_text("Marked as spam: 2 messages.")
    assert [_status(admin_api, m) for m in good] == ["spam", "spam"]

    held = post_contact(stack, f"Cheap {blocked_word} {token}")  # spam by rule: its owner mail is held
    assert _status(admin_api, held) == "spam"
    show_messages(page, "spam")
    check_rows(page, [good[0], held])
    with page.expect_response(lambda r: r.url.endswith("/dashboard/messages/bulk")) as answer:
        bar.get_by_role("button", name="Not spam").click()
    assert json.loads(answer.value.request.post_data or "{}") == {"ids": [good[0], held],
                                                                 "action": "not_spam"}
    expect(page.locator("#bulk-result")).to_have_text("Moved back to the inbox: 2 messages.")
    expect(page.locator(f'#messages-rows tr[data-id="{held}"]')).to_have_count(0)
    assert [_status(admin_api, m) for m in [good[0], held, good[1]]] == ["new", "new", "spam"]
    deadline = time.monotonic() + 30
    while not _mails_naming(stack, blocked_word) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(_mails_naming(stack, blocked_word)) == 1  # the held-back owner mail, sent once
