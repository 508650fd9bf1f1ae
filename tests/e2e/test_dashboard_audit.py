"""The Audit tab: an admin's changes, newest first, filtered by action and by
actor, never showing a message's text or the visitor's address. On a stack of its
own (tests/e2e/own_stack.py): the newest entry must be this test's."""
from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Tab, sign_in
from tests.e2e.own_stack import admin_api, demo, stack
from tests.e2e.support import PAST_THE_EDGE, Api, http

__all__ = ["admin_api", "demo", "stack"]


def _open_audit(page: Page) -> None:
    with page.expect_response(lambda r: "/dashboard/audit" in r.url and r.request.method == "GET"):
        page.click("#tab-audit")
    expect(page.locator("#panel-audit")).to_be_visible()


def test_the_audit_tab_shows_an_admins_changes_and_filters_them(
        admin_tab: Tab, admin_api: Api, stack: dict[str, Any]) -> None:
    page = admin_tab.page
    visitor = f"audit-{uuid.uuid4().hex[:8]}@example.com"
    text = f"Private words {uuid.uuid4().hex[:8]}"
    posted = http("POST", stack["apiUrl"] + "/contact",
                  {"name": "Ada", "email": visitor, "message": text})
    assert posted.status == 202, posted.body
    message_id = posted.body["id"]
    admin_api.ok("PATCH", f"/dashboard/messages/{message_id}", {"status": "archived"})
    user = admin_api.ok("POST", "/users", {"name": "Grace",
                                           "email": f"g-{uuid.uuid4().hex[:8]}@example.com"})

    _open_audit(page)
    rows = page.locator("#audit-rows tr")
    expect(rows.first).to_have_attribute("data-action", "user.create")
    expect(rows.first.locator(".audit-target")).to_contain_text(user.body["id"])
    archived = page.locator("#audit-rows tr", has_text="status new → archived")
    expect(archived.locator(".audit-action")).to_have_text("message.update")
    expect(archived.locator(".audit-target")).to_contain_text(message_id)
    expect(page.locator("#panel-audit")).not_to_contain_text(visitor)
    expect(page.locator("#panel-audit")).not_to_contain_text(text)
    admin_tab.screenshot("audit")

    # By action: the select, or a click on an entry's action.
    with page.expect_response(lambda r: "action=message.update" in r.url):
        page.select_option("#audit-action", "message.update")
    expect(page.locator("#audit-rows tr[data-action='user.create']")).to_have_count(0)
    expect(archived).to_have_count(1)

    # By actor: a click on who made it; "Every actor" lifts it.
    with page.expect_response(lambda r: "actor=" in r.url):
        archived.locator(".audit-actor button").click()
    expect(page.locator("#audit-actor")).to_be_visible()
    expect(page.locator("#audit-actor-name")).not_to_have_text("")
    expect(archived).to_have_count(1)
    with page.expect_response(lambda r: "/dashboard/audit" in r.url and "actor=" not in r.url):
        page.click("#audit-actor-clear")
    expect(page.locator("#audit-actor")).to_be_hidden()
    assert admin_tab.errors == []


def test_the_audit_tab_is_usable_on_a_375_px_phone(
        browser: Browser, admin_api: Api, stack: dict[str, Any], demo: dict[str, Any]) -> None:
    posted = http("POST", stack["apiUrl"] + "/contact",
                  {"name": "Ada", "email": f"phone-{uuid.uuid4().hex[:8]}@example.com",
                   "message": "On a phone"})
    assert posted.status == 202, posted.body
    message_id = posted.body["id"]
    admin_api.ok("PATCH", f"/dashboard/messages/{message_id}", {"status": "archived"})
    admin_api.ok("POST", f"/dashboard/messages/{message_id}/replies",
                 {"body": "A reply long enough to wrap across a narrow phone's width."})
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                                  device_scale_factor=2)
    try:
        context.set_default_timeout(10_000)
        page = context.new_page()
        tab = Tab(page)
        page.on("pageerror", lambda error: tab.errors.append(str(error)))
        sign_in(tab, stack, demo["admin"])
        page.locator("#view-dashboard").wait_for()
        _open_audit(page)
        replied = page.locator("#audit-rows tr[data-action='reply.create']").first
        expect(replied.locator(".audit-target")).to_contain_text(message_id)
        # No sideways scrolling of the page, and every row's cells and controls in view.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.evaluate(PAST_THE_EDGE, "#panel-audit td, #panel-audit button, "
                                            "#panel-audit select") == []
        tab.screenshot("audit-phone")
        # Usable: an entry's actor filters the log, a tap as on a desktop.
        with page.expect_response(lambda r: "actor=" in r.url):
            replied.locator(".audit-actor button").click()
        expect(page.locator("#audit-actor")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert tab.errors == []
    finally:
        context.close()
