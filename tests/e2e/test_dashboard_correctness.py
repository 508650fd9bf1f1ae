"""The dashboard tried as a new user would (issue 24, part 4): every action
updates the row, the counters and the offered buttons at once, and `replied`
is never lost by a click; a long address fits a phone; an "All" view, an
export of the view or of everything, and a note that goes away; the Users tab
and the authenticator app say what they are."""
from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Tab, sign_in, stack_fixture
from tests.e2e.support import Api, post_contact, reload_messages, show_messages
from tests.e2e.test_accounts import admin_with_password
from tests.support.totp import fresh_totp

# A stack of its own: its tests read the header's counters and export every message.
stack = stack_fixture()


def _row(page: Page, message_id: str) -> Any:
    return page.locator(f'#messages-rows tr[data-id="{message_id}"]')


def _buttons(page: Page) -> list[str]:
    return page.locator("#message-detail > .actions button").all_inner_texts()


def test_a_reply_updates_the_row_the_counters_and_the_buttons_at_once(
        admin_tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    page = admin_tab.page
    message_id = post_contact(stack, "Hello", subject=f"Stale {uuid.uuid4().hex[:6]}")
    show_messages(page, "all")
    _row(page, message_id).get_by_role("button").click()
    detail = page.locator("#message-detail")
    expect(detail.locator(".message-status")).to_have_text("New")
    assert "Mark as read" in _buttons(page)
    before = admin_api.ok("GET", "/dashboard/stats").body["messages"]

    page.fill("#reply-body", "Thanks, we will call you.")
    page.click("#reply-send")
    expect(detail.locator(".message-status")).to_have_text("Replied")
    expect(_row(page, message_id).locator(".badge")).to_have_text("Replied")
    expect(page.locator("#stat-replied")).to_have_text(str(before["replied"] + 1))
    expect(page.locator("#stat-new")).to_have_text(str(before["new"] - 1))
    expect(detail.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(detail.get_by_role("button", name="Mark as new")).to_have_count(0)
    assert _buttons(page) == ["Archive", "Mark as spam", "Delete", "Close"]

    # Archived, then back: still replied, in the list and in the counters.
    detail.get_by_role("button", name="Archive").click()
    expect(detail.locator(".message-status")).to_have_text("Archived")
    expect(_row(page, message_id).locator(".badge")).to_have_text("Archived")
    expect(page.locator("#stat-archived")).to_have_text(str(before["archived"] + 1))
    detail.get_by_role("button", name="Move back to the inbox").click()
    expect(detail.locator(".message-status")).to_have_text("Replied")
    expect(_row(page, message_id).locator(".badge")).to_have_text("Replied")
    expect(page.locator("#stat-replied")).to_have_text(str(before["replied"] + 1))
    assert admin_api.ok("GET", f"/dashboard/messages/{message_id}").body["status"] == "replied"


def test_in_a_status_s_list_a_changed_message_leaves_it_and_the_detail_follows(
        admin_tab: Tab, stack: dict[str, Any]) -> None:
    page = admin_tab.page
    message_id = post_contact(stack, "Hello")
    reload_messages(page)
    _row(page, message_id).get_by_role("button").click()
    detail = page.locator("#message-detail")
    page.fill("#reply-body", "Answered.")
    page.click("#reply-send")
    expect(_row(page, message_id)).to_have_count(0)  # no longer new
    expect(detail.locator(".message-status")).to_have_text("Replied")
    assert _buttons(page) == ["Archive", "Mark as spam", "Delete", "Close"]
    show_messages(page, "replied")
    expect(_row(page, message_id).locator(".badge")).to_have_text("Replied")


# The box of the last character of an element's text: where a long address ends.
END_OF_TEXT = """(node) => {
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  let last = null;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.data.trim()) last = n;
  const range = document.createRange();
  range.setStart(last, last.data.trimEnd().length - 1);
  range.setEnd(last, last.data.trimEnd().length);
  const box = range.getBoundingClientRect();
  return {left: box.left, right: box.right};
}"""


def test_a_long_address_keeps_the_detail_on_a_phone_screen(
        browser: Browser, stack: dict[str, Any], demo: dict[str, Any]) -> None:
    address = f"grace.brewster.murray.hopper.{uuid.uuid4().hex[:10]}@navy-research-lab.example"
    assert len(address) > 60
    message_id = post_contact(stack, "Hello", email=address, subject="From far away")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  device_scale_factor=2)
    try:
        page = context.new_page()
        tab = Tab(page)
        sign_in(tab, stack, demo["admin"])
        _row(page, message_id).get_by_role("button").click()
        detail = page.locator("#message-detail")
        label = detail.locator(".reply-form label")
        expect(label).to_have_text(f"Reply to {address}")
        tab.screenshot("message-long-address-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for part in (detail.get_by_role("button", name="Close"), page.locator("#reply-body"),
                     detail.locator(".from-email")):
            part.scroll_into_view_if_needed()
            box = part.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        for part in (label, detail.locator(".from-email")):
            end = part.evaluate(END_OF_TEXT)
            assert 0 <= end["left"] and end["right"] <= 390, end
    finally:
        context.close()


def test_the_all_view_and_an_export_of_the_view_or_of_everything(
        admin_tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    page = admin_tab.page
    marker = uuid.uuid4().hex[:8]
    kept = post_contact(stack, f"kept {marker}")
    archived = post_contact(stack, f"archived {marker}")
    admin_api.ok("PATCH", f"/dashboard/messages/{archived}", {"status": "archived"})
    show_messages(page, "all")
    expect(_row(page, kept).locator(".badge")).to_have_text("New")
    expect(_row(page, archived).locator(".badge")).to_have_text("Archived")

    def export() -> list[list[str]]:
        with page.expect_download() as download:
            page.click("#messages-export")
        content = Path(download.value.path()).read_text("utf-8-sig")
        return [row for row in csv.reader(io.StringIO(content, newline="")) if marker in row[6]]

    with page.expect_request(lambda r: "/export" in r.url) as asked:
        rows = export()
    assert "status=all" in asked.value.url
    assert sorted(row[2] for row in rows) == ["archived", "new"]
    status = page.locator("#messages-export-status")
    expect(status).to_have_text("Export downloaded.")
    expect(status).to_be_hidden(timeout=8_000)  # it goes away by itself

    show_messages(page, "archived")
    assert [row[2] for row in export()] == ["archived"]  # this view
    page.select_option("#messages-export-scope", "everything")
    with page.expect_request(lambda r: "/export" in r.url) as asked:
        rows = export()
    assert "status=" not in asked.value.url and "form=" not in asked.value.url
    assert sorted(row[2] for row in rows) == ["archived", "new"]
    # The next action takes the note away at once.
    expect(status).to_be_visible()
    show_messages(page, "new")
    expect(status).to_be_hidden()


def test_the_users_tab_says_what_users_are(admin_tab: Tab) -> None:
    page = admin_tab.page
    page.click("#tab-users")
    about = page.locator("#users-about")
    expect(about).to_be_visible()
    expect(about).to_contain_text("not dashboard logins")
    expect(about).to_contain_text("make admin")
    expect(about).to_contain_text("/users")


def test_the_authenticator_app_says_whether_it_is_on_and_what_a_new_one_replaces(
        tab: Tab, stack: dict[str, Any]) -> None:
    account = admin_with_password(stack, f"mfa-state-{uuid.uuid4().hex[:8]}@example.com")
    page = tab.page
    sign_in(tab, stack, account)
    expect(page.locator("#view-dashboard")).to_be_visible()
    expect(page.locator("#mfa-state")).to_have_text("Authenticator app: off")
    page.click("#mfa-open")
    expect(page.locator("#view-mfasetup")).to_be_visible()
    expect(page.locator("#mfasetup-replaces")).to_be_hidden()
    secret = page.locator("#mfasetup-secret").inner_text().strip()
    page.fill("#mfasetup-code", fresh_totp(secret))
    page.click("#mfasetup-submit")
    expect(page.locator("#view-dashboard")).to_be_visible()
    expect(page.locator("#mfa-state")).to_have_text("Authenticator app: on")

    page.click("#mfa-open")
    replaces = page.locator("#mfasetup-replaces")
    expect(replaces).to_be_visible()
    expect(replaces).to_contain_text("already on")
    expect(replaces).to_contain_text("codes stop working")
    tab.screenshot("mfa-re-enrol")
    page.click("#mfasetup-cancel")
    expect(page.locator("#view-dashboard")).to_be_visible()
