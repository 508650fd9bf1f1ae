"""The dashboard as a person sees it: hidden means hidden, a phone shows rows as
cards without breaking words, the list fills the width when nothing is open,
ARIA states read as true, and no page logs a missing favicon."""
from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Tab, sign_in
from tests.e2e.support import Api

# For every table cell: each word that fits on one line of its cell is on one
# line. A word broken letter by letter spans several line boxes.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const cell of document.querySelectorAll(selector)) {
    const width = cell.getBoundingClientRect().width;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const pattern = /\\S+/g;
      for (let m = pattern.exec(node.data); m; m = pattern.exec(node.data)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
        const wordWidth = rects.reduce((sum, r) => sum + r.width, 0);
        if (rects.length > 1 && wordWidth < width) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


def test_signed_out_page_hides_the_sign_out_link_and_logs_no_404(tab: Tab,
                                                                stack: dict[str, Any]) -> None:
    page = tab.page
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    for path in ("/", "/admin.html"):
        page.goto(stack["webUrl"] + path)
        page.wait_for_load_state("networkidle")
    expect(page.locator("#view-signin")).to_be_visible()
    expect(page.locator("#whoami")).to_be_hidden()
    expect(page.locator("#sign-out")).to_be_hidden()
    assert failed == []
    assert not [m for m in tab.console_text() if "404" in m or "Failed to load" in m]
    icon = page.evaluate("fetch('favicon.svg').then(r => [r.status, r.headers.get('content-type')])")
    assert icon[0] == 200 and "svg" in icon[1]


def test_tabs_mark_the_current_one_true_and_the_list_fills_the_width(admin_tab: Tab) -> None:
    page = admin_tab.page
    expect(page.locator("#tab-messages")).to_have_attribute("aria-current", "true")
    assert page.get_attribute("#tab-users", "aria-current") is None
    expect(page.locator("#message-detail")).to_be_hidden()
    split = page.locator("#panel-messages .split").bounding_box()
    listing = page.locator("#panel-messages .list").bounding_box()
    assert split and listing and listing["width"] >= split["width"] - 1
    page.click("#tab-users")
    expect(page.locator("#tab-users")).to_have_attribute("aria-current", "true")
    assert page.get_attribute("#tab-messages", "aria-current") is None


def test_the_dashboard_on_a_phone_shows_cards_with_whole_words(
        browser: Browser, stack: dict[str, Any], demo: dict[str, Any], admin_api: Api) -> None:
    marker = uuid.uuid4().hex[:8]
    admin_api.ok("POST", "/users", {"name": "Margaret Hamilton-Smythe",
                                    "email": f"margaret.hamilton.{marker}@example.com"})
    api = Api(stack["apiUrl"])
    api.ok("POST", "/contact", {"name": "Grace Brewster Murray Hopper",
                                "email": f"grace.hopper.{marker}@example.com",
                                "subject": "Compilers for everyone", "message": "Hello there."},
           headers={"Idempotency-Key": str(uuid.uuid4())})
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  device_scale_factor=2)
    try:
        page = context.new_page()
        tab = Tab(page)
        sign_in(tab, stack, demo["admin"])
        expect(page.locator("#messages-rows tr").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.evaluate(BROKEN_WORDS, "#messages-rows td") == []
        assert page.evaluate(
            "getComputedStyle(document.querySelector('#messages-rows tr')).display") == "block"
        tab.screenshot("dashboard-phone-messages")

        page.click("#tab-users")
        expect(page.locator("#users-rows tr").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.evaluate(BROKEN_WORDS, "#users-rows td") == []
        tab.screenshot("dashboard-phone-users")
    finally:
        context.close()


def test_every_tab_fits_a_small_phone_without_sideways_scrolling(
        browser: Browser, stack: dict[str, Any], demo: dict[str, Any]) -> None:
    # 360 px is the narrowest common phone: four tabs at their desktop padding
    # spilled 5 px past it and the whole page scrolled sideways.
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        sign_in(Tab(page), stack, demo["admin"])
        expect(page.locator("#messages-rows tr").first).to_be_visible()
        for tab in ("messages", "forms", "users", "audit"):
            page.click(f"#tab-{tab}")
            expect(page.locator(f"#tab-{tab}")).to_have_attribute("aria-current", "true")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, tab
            box = page.locator(f"#tab-{tab}").bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, (tab, box)
    finally:
        context.close()
