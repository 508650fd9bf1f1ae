"""Spam in the dashboard: the Spam list with its purge note, why a message is
spam, "Mark as spam" and "Not spam", on a desktop and on a phone."""
from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Tab, phone_tab
from tests.e2e.support import Api, open_message, post_contact, reload_messages, show_messages


def test_spam_is_listed_with_its_reason_and_not_spam_sends_it_on(
        admin_tab: Tab, stack: dict[str, Any], admin_api: Api, blocked_word: str) -> None:
    page = admin_tab.page
    spam_id = post_contact(stack, f"Cheap {blocked_word.upper()} here")
    show_messages(page, "spam")
    note = page.locator("#messages-spam-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("deleted automatically 30 days after")
    detail = open_message(page, spam_id)
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
    show_messages(page, "new")
    expect(page.locator("#messages-spam-note")).to_be_hidden()


def test_mark_as_spam_then_undo(admin_tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    page = admin_tab.page
    message_id = post_contact(stack, f"A real question {uuid.uuid4().hex}")
    reload_messages(page)
    spam_before = int(page.locator("#stat-spam").inner_text())
    detail = open_message(page, message_id)
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
    spam_id = post_contact(stack, f"{blocked_word} " + "x" * 300)
    with phone_tab(browser, stack, demo["admin"]) as tab:
        page = tab.page
        show_messages(page, "spam")
        expect(page.locator("#messages-spam-note")).to_be_visible()
        detail = open_message(page, spam_id)
        expect(detail.locator(".spam-reason")).to_be_visible()
        not_spam = detail.get_by_role("button", name="Not spam")
        not_spam.scroll_into_view_if_needed()
        expect(not_spam).to_be_in_viewport()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        tab.screenshot("spam-phone")
        not_spam.click()
        expect(detail.locator(".message-status")).to_have_text("New")
