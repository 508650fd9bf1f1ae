"""The site's own name in the browser: the default stage is Frontdesk with its
dashboard link, as before; a branded stage shows its name (as text, whatever
it holds) on every page and the dashboard, no dashboard link on the public
pages, and the dashboard's dates in its time zone."""
from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Tab, sign_in, stack_fixture
from tests.e2e.support import demo_accounts, http

NAME = "Acme <script>alert('name')</script> & Co"
BRANDING = {"SITE_NAME": NAME, "DASHBOARD_LINK": "false", "TIME_ZONE": "Asia/Kolkata"}
PUBLIC_PAGES = [("/", "Contact us"), ("/thanks.html", "Thank you"),
                ("/no/such/page", "Page not found")]


branded_stack = stack_fixture(BRANDING, name="branded_stack")


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_the_default_stage_is_frontdesk_with_its_dashboard_link(
        tab: Tab, stack: dict[str, Any], path: str, heading: str) -> None:
    page = tab.page
    page.goto(stack["webUrl"] + path)
    expect(page).to_have_title(f"{heading} · Frontdesk")
    expect(page.locator(".site-header .brand")).to_have_text("Frontdesk")
    expect(page.get_by_role("link", name="Admin")).to_have_attribute("href", re.compile(
        r"^/?admin\.html$"))


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_a_branded_stage_names_itself_as_text_and_hides_the_dashboard_link(
        tab: Tab, branded_stack: dict[str, Any], path: str, heading: str) -> None:
    page = tab.page
    page.goto(branded_stack["webUrl"] + path)
    expect(page).to_have_title(f"{heading} · {NAME}")
    expect(page.locator(".site-header .brand")).to_have_text(NAME)
    expect(page.locator('a[href$="admin.html"]')).to_have_count(0)
    assert page.locator(".site-header script").count() == 0  # the name stayed text
    assert tab.dialogs == []  # and nothing in it ran
    tab.screenshot(f"branded-{heading.lower().replace(' ', '-')}")


def test_a_branded_dashboard_names_the_site_and_shows_dates_in_its_time_zone(
        tab: Tab, branded_stack: dict[str, Any]) -> None:
    sent = http("POST", branded_stack["apiUrl"] + "/contact", {
        "name": "Grace Hopper", "email": "grace@example.com", "message": "Hello"},
        headers={"Idempotency-Key": uuid.uuid4().hex})
    assert sent.status == 202, sent.body
    admin = demo_accounts(branded_stack)["admin"]
    sign_in(tab, branded_stack, admin)
    page = tab.page
    page.locator("#view-dashboard").wait_for()
    expect(page).to_have_title(f"Dashboard · {NAME}")
    expect(page.locator(".site-header .brand")).to_have_text(f"{NAME} admin")
    row = page.locator(f'#messages-rows tr[data-id="{sent.body["id"]}"]')
    # India is UTC+5:30 all year: Chromium names it so in the short form.
    expect(row.locator("td.received")).to_have_text(re.compile(r"GMT\+5:30$"))
    assert tab.dialogs == []
    tab.screenshot("branded-dashboard")
