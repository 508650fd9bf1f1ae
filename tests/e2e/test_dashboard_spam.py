"""Spam in the dashboard: the Spam list with its purge note, why a message is
spam, "Mark as spam" and "Not spam", on a desktop and on a phone."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Tab, sign_in
from tests.e2e.support import Api, http


@pytest.fixture
def blocked_word(admin_api: Api) -> Iterator[str]:
    """A word of its own in the stage's spam rules (only this test's posts hold it)."""
    before = admin_api.ok("GET", "/dashboard/spam-rules").body
    word = f"spamword{uuid.uuid4().hex[:8]}"
    admin_api.ok("PUT", "/dashboard/spam-rules", {**before, "blockedWords": [word]})
    yield word
    admin_api.ok("PUT", "/dashboard/spam-rules", before)


def _send(stack: dict[str, Any], text: str) -> str:
    answer = http("POST", stack["apiUrl"] + "/contact", {
        "name": "Spam Sender", "email": "sender@example.com", "message": text},
        headers={"Idempotency-Key": uuid.uuid4().hex})
    assert answer.status == 202, answer.body
    return str(answer.body["id"])


def _show(page: Page, status: str) -> None:
    with page.expect_response(lambda r: f"status={status}" in r.url):
        page.select_option("#message-status", status)


def _open(page: Page, message_id: str) -> Any:
    page.locator(f'#messages-rows tr[data-id="{message_id}"]').get_by_role("button").click()
    detail = page.locator("#message-detail")
    expect(detail).to_be_visible()
    return detail


def test_spam_is_listed_with_its_reason_and_not_spam_sends_it_on(
        admin_tab: Tab, stack: dict[str, Any], admin_api: Api, blocked_word: str) -> None:
    page = admin_tab.page
    spam_id = _send(stack, f"Cheap {blocked_word.upper()} here")
    _show(page, "spam")
    note = page.locator("#messages-spam-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("deleted automatically 30 days after")
    detail = _open(page, spam_id)
    expect(detail.locator(".message-status")).to_have_text("Spam")
    expect(detail.locator(".spam-reason")).to_have_text(f"blocked word: {blocked_word}")
    expect(detail.locator(".notification")).to_contain_text("held back")
    expect(detail.locator(".spam-no-reply")).to_be_visible()
    admin_tab.screenshot("spam-detail")

    with page.expect_response(lambda r: r.request.method == "PATCH") as answer:
        detail.get_by_role("button", name="Not spam").click()
    assert answer.value.status == 200 and answer.value.request.post_data_json == {"status": "new"}
    expect(detail.locator(".message-status")).to_have_text("New")
    expect(detail.locator(".spam-reason")).to_have_count(0)
    expect(page.locator(f'#messages-rows tr[data-id="{spam_id}"]')).to_have_count(0)
    message = admin_api.ok("GET", f"/dashboard/messages/{spam_id}").body
    assert message["status"] == "new" and message["notification"]["status"] in ("pending", "sent")
    _show(page, "new")
    expect(page.locator("#messages-spam-note")).to_be_hidden()


def test_mark_as_spam_then_undo(admin_tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    page = admin_tab.page
    message_id = _send(stack, f"A real question {uuid.uuid4().hex}")
    with page.expect_response(lambda r: "/dashboard/messages?" in r.url):
        page.click("#messages-reload")
    spam_before = int(page.locator("#stat-spam").inner_text())
    detail = _open(page, message_id)
    detail.get_by_role("button", name="Mark as spam").click()
    expect(detail.locator(".message-status")).to_have_text("Spam")
    expect(detail.locator(".spam-reason")).to_have_text("marked by hand")
    expect(page.locator("#stat-spam")).to_have_text(str(spam_before + 1))
    assert admin_api.ok("GET", f"/dashboard/messages/{message_id}").body["spamReason"] == [
        "manual"]
    detail.get_by_role("button", name="Not spam").click()
    expect(detail.locator(".message-status")).to_have_text("New")
    expect(page.locator("#stat-spam")).to_have_text(str(spam_before))
    expect(detail.get_by_role("button", name="Mark as spam")).to_be_visible()


def test_spam_on_a_phone(browser: Browser, stack: dict[str, Any], demo: dict[str, Any],
                         blocked_word: str) -> None:
    spam_id = _send(stack, f"{blocked_word} " + "x" * 300)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  device_scale_factor=2)
    try:
        tab = Tab(context.new_page())
        page = tab.page
        sign_in(tab, stack, demo["admin"])
        page.locator("#view-dashboard").wait_for()
        _show(page, "spam")
        expect(page.locator("#messages-spam-note")).to_be_visible()
        detail = _open(page, spam_id)
        expect(detail.locator(".spam-reason")).to_be_visible()
        not_spam = detail.get_by_role("button", name="Not spam")
        not_spam.scroll_into_view_if_needed()
        expect(not_spam).to_be_in_viewport()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        tab.screenshot("spam-phone")
        not_spam.click()
        expect(detail.locator(".message-status")).to_have_text("New")
    finally:
        context.close()
