"""The admin's messages: see a new message, open it, mark it read, archive and
delete it; the header's stats follow."""
from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Tab
from tests.e2e.support import Api, http


def _send_contact(stack: dict[str, Any], **fields: str) -> dict[str, Any]:
    answer = http("POST", stack["apiUrl"] + "/contact", {
        "name": "Grace Hopper", "email": "grace@example.com", **fields},
        headers={"Idempotency-Key": uuid.uuid4().hex})
    assert answer.status == 202, answer.body
    return answer.body


def _row(page: Page, message_id: str) -> Any:
    return page.locator(f'#messages-rows tr[data-id="{message_id}"]')


def _reload_messages(page: Page) -> None:
    with page.expect_response(lambda r: "/dashboard/messages?" in r.url):
        page.click("#messages-reload")


def _stat(page: Page, name: str) -> int:
    return int(page.locator(f"#stat-{name}").inner_text())


def test_admin_sees_a_new_message_and_marks_it_read(admin_tab: Tab, stack: dict[str, Any],
                                                    admin_api: Api) -> None:
    page = admin_tab.page
    text = f"Please call me back.\n{uuid.uuid4().hex}"
    sent = _send_contact(stack, subject="Call back", message=text)
    _reload_messages(page)
    stats_before = admin_api.ok("GET", "/dashboard/stats").body["messages"]

    row = _row(page, sent["id"])
    expect(row.locator(".from-name")).to_have_text("Grace Hopper")
    expect(row.locator(".subject")).to_have_text("Call back")
    row.get_by_role("button", name="Open message from Grace Hopper").click()
    detail = page.locator("#message-detail")
    expect(detail.locator(".message-body")).to_have_text(text)
    expect(detail.locator(".message-status")).to_have_text("New")
    # The stage's retention (365 days locally): when this one goes, and the header's setting.
    expires = admin_api.ok("GET", f"/dashboard/messages/{sent['id']}").body["expiresAt"]
    expect(detail.locator(".message-expires")).to_have_attribute("title", expires)
    expect(detail.locator(".message-expires")).not_to_have_text("Never (kept forever)")
    expect(page.locator("#stat-retention")).to_have_text("365 days")
    admin_tab.screenshot("message-detail")

    with page.expect_response(lambda r: r.request.method == "PATCH") as answer:
        detail.get_by_role("button", name="Mark as read").click()
    assert answer.value.status == 200
    assert answer.value.request.post_data_json == {"status": "read"}
    expect(detail.locator(".message-status")).to_have_text("Read")
    expect(row).to_have_count(0)  # gone from the "new" list
    assert admin_api.ok("GET", f"/dashboard/messages/{sent['id']}").body["status"] == "read"
    expect(page.locator("#stat-read")).to_have_text(str(stats_before["read"] + 1))
    expect(page.locator("#stat-new")).to_have_text(str(stats_before["new"] - 1))

    with page.expect_response(lambda r: "status=read" in r.url):
        page.select_option("#message-status", "read")
    expect(_row(page, sent["id"])).to_have_count(1)
    admin_tab.screenshot("messages-read")


def test_admin_archives_then_deletes_a_message(admin_tab: Tab, stack: dict[str, Any],
                                               admin_api: Api) -> None:
    page = admin_tab.page
    sent = _send_contact(stack, message=f"Archive me {uuid.uuid4().hex}")
    _reload_messages(page)
    _row(page, sent["id"]).get_by_role("button").click()
    detail = page.locator("#message-detail")
    detail.get_by_role("button", name="Archive").click()
    expect(detail.locator(".message-status")).to_have_text("Archived")
    assert admin_api.ok("GET", f"/dashboard/messages/{sent['id']}").body["status"] == "archived"

    with page.expect_response(lambda r: "status=archived" in r.url):
        page.select_option("#message-status", "archived")
    _row(page, sent["id"]).get_by_role("button").click()
    expect(detail.locator(".message-status")).to_have_text("Archived")
    # The header's stats are refreshed after the archive, on their own: wait for them.
    archived_before = admin_api.ok("GET", "/dashboard/stats").body["messages"]["archived"]
    expect(page.locator("#stat-archived")).to_have_text(str(archived_before))

    detail.get_by_role("button", name="Delete").click()
    with page.expect_response(lambda r: r.request.method == "DELETE") as answer:
        detail.get_by_role("button", name="Yes, delete").click()
    assert answer.value.status == 204
    expect(detail).to_be_hidden()
    expect(_row(page, sent["id"])).to_have_count(0)
    assert admin_api.call("GET", f"/dashboard/messages/{sent['id']}").status == 404
    expect(page.locator("#stat-archived")).to_have_text(str(archived_before - 1))
