"""Triage in the dashboard (issue 24, parts 2 and 3): a checkbox per row,
"select all on this page", every matching message acted on in batches of at
most 100 with a progress bar, and a search box (debounced, with a clear
button, and "no results" explained), on a desktop and on a phone."""
from __future__ import annotations

import json
import uuid
from typing import Any

from playwright.sync_api import Browser, Page, Request, expect

from tests.e2e.conftest import Tab, sign_in, stack_fixture
from tests.e2e.support import Api, http

# A stack of its own: it posts over a hundred messages, and "select all" counts
# every message of a view.
stack = stack_fixture()


def _send(stack: dict[str, Any], text: str, **fields: str) -> str:
    answer = http("POST", stack["apiUrl"] + "/contact", {
        "name": "Ada Visitor", "email": "ada@example.com", "message": text, **fields})
    assert answer.status == 202, answer.body
    return str(answer.body["id"])


def _rows(page: Page) -> Any:
    return page.locator("#messages-rows tr")


def _search(page: Page, words: str) -> None:
    with page.expect_response(lambda r: "/dashboard/messages?" in r.url and "q=" in r.url):
        page.fill("#message-search", words)


def _bulk_bodies(requests: list[Request]) -> list[dict[str, Any]]:
    return [json.loads(r.post_data or "{}") for r in requests
            if r.method == "POST" and r.url.endswith("/dashboard/messages/bulk")]


def test_bulk_archive_of_the_rows_chosen(admin_tab: Tab, stack: dict[str, Any],
                                         admin_api: Api) -> None:
    page = admin_tab.page
    marker = f"pick{uuid.uuid4().hex[:8]}"
    ids = [_send(stack, f"Choose me {marker} {n}") for n in range(3)]
    _search(page, marker)
    expect(_rows(page)).to_have_count(3)
    expect(page.locator("#messages-bulk")).to_be_hidden()
    before = admin_api.ok("GET", "/dashboard/stats").body["messages"]

    for message_id in ids[:2]:
        page.locator(f'#messages-rows tr[data-id="{message_id}"] input[type="checkbox"]').check()
    expect(page.locator("#bulk-count")).to_have_text("2 messages selected on this page.")
    expect(page.locator("#messages-select-page")).to_have_js_property("indeterminate", True)
    admin_tab.screenshot("bulk-selected")
    with page.expect_request(lambda r: r.url.endswith("/dashboard/messages/bulk")) as sent:
        page.locator("#bulk-actions").get_by_role("button", name="Archive").click()
    assert json.loads(sent.value.post_data or "{}") == {"ids": ids[:2], "action": "archive"}
    expect(page.locator("#bulk-result")).to_have_text("Archived: 2 messages.")
    expect(_rows(page)).to_have_count(1)
    expect(page.locator(f'#messages-rows tr[data-id="{ids[2]}"]')).to_have_count(1)
    expect(page.locator("#stat-archived")).to_have_text(str(before["archived"] + 2))
    expect(page.locator("#messages-bulk")).to_be_hidden()
    assert {admin_api.ok("GET", f"/dashboard/messages/{i}").body["status"] for i in ids[:2]} == {
        "archived"}


def test_every_matching_message_is_archived_in_batches_of_at_most_100(
        admin_tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    page = admin_tab.page
    marker = f"many{uuid.uuid4().hex[:8]}"
    ids = {_send(stack, f"One of many {marker} {n}") for n in range(105)}
    requests: list[Request] = []
    page.on("request", lambda r: requests.append(r))
    _search(page, marker)
    expect(_rows(page)).to_have_count(10)

    page.check("#messages-select-page")
    expect(page.locator("#bulk-count")).to_have_text("10 messages selected on this page.")
    page.click("#bulk-select-matching")
    expect(page.locator("#bulk-count")).to_have_text("Every matching message is selected.")
    expect(page.locator("#bulk-select-matching")).to_have_text("Select only this page")
    page.locator("#bulk-actions").get_by_role("button", name="Archive").click()
    expect(page.locator("#bulk-result")).to_have_text("Archived: 105 messages.", timeout=60_000)
    admin_tab.screenshot("bulk-every-matching")

    bodies = _bulk_bodies(requests)
    assert [len(body["ids"]) for body in bodies] == [100, 5]
    assert {i for body in bodies for i in body["ids"]} == ids
    assert all(body["action"] == "archive" for body in bodies)
    pages = [r.url for r in requests if "/dashboard/messages?" in r.url and "limit=100" in r.url]
    assert pages and all(f"q={marker}" in url for url in pages)
    expect(page.locator("#bulk-progress")).to_be_hidden()
    # Nothing of this search is new any more; the list says how far it looked.
    expect(_rows(page)).to_have_count(0)
    expect(page.locator("#messages-empty-text")).to_contain_text(f"No message matches “{marker}”")
    expect(page.locator("#messages-empty-text")).to_contain_text("searched")
    assert {m["id"] for m in admin_api.all_messages("archived")} >= ids

    # A view the header's counters count says how many "every message" is.
    page.click("#message-search-clear")
    with page.expect_response(lambda r: "status=archived" in r.url):
        page.select_option("#message-status", "archived")
    archived = admin_api.ok("GET", "/dashboard/stats").body["messages"]["archived"]
    page.check("#messages-select-page")
    expect(page.locator("#bulk-select-matching")).to_have_text(
        f"Select all {archived} messages of this view")
    page.click("#bulk-select-matching")
    expect(page.locator("#bulk-count")).to_have_text(
        f"All {archived} matching messages are selected.")
    expect(page.locator("#bulk-actions").get_by_role("button")).to_have_text(["Mark as spam", "Delete"])


def test_the_search_box_waits_for_typing_to_pause_and_clears(
        admin_tab: Tab, stack: dict[str, Any]) -> None:
    page = admin_tab.page
    marker = f"zoe{uuid.uuid4().hex[:8]}"
    found = _send(stack, f"Bonjour de Zoë {marker}", name="Zoë Café")
    lists: list[str] = []
    page.on("request", lambda r: lists.append(r.url) if "/dashboard/messages?" in r.url else None)
    phrase = f"café {marker}"
    with page.expect_response(lambda r: "q=" in r.url and marker in r.url):
        page.locator("#message-search").press_sequentially(phrase, delay=40)
    page.wait_for_timeout(500)
    searches = [url for url in lists if "q=" in url]
    # Not one request per key: only where typing paused (a loaded machine may pause once).
    assert len(searches) <= 2 < len(phrase), searches
    assert marker in searches[-1]
    expect(_rows(page)).to_have_count(1)
    expect(page.locator(f'#messages-rows tr[data-id="{found}"]')).to_have_count(1)
    expect(page.locator("#messages-searched")).to_contain_text(f"1 found for “café {marker}”")

    _search(page, f"nothing-like-{marker}")
    expect(_rows(page)).to_have_count(0)
    expect(page.locator("#messages-empty-text")).to_contain_text(
        f"No message matches “nothing-like-{marker}”")
    expect(page.locator("#messages-empty-text")).to_contain_text("messages of this view were searched")
    expect(page.locator("#messages-search-further")).to_be_hidden()
    admin_tab.screenshot("search-no-results")

    with page.expect_response(lambda r: "/dashboard/messages?" in r.url and "q=" not in r.url):
        page.click("#message-search-clear")
    expect(page.locator("#message-search")).to_have_value("")
    expect(page.locator("#message-search-clear")).to_be_hidden()
    expect(page.locator("#messages-searched")).to_be_hidden()
    expect(_rows(page).first).to_be_visible()


def test_a_whole_address_finds_the_sender_s_messages_in_every_view(
        admin_tab: Tab, stack: dict[str, Any]) -> None:
    page = admin_tab.page
    sender = f"grace.{uuid.uuid4().hex[:8]}@example.com"
    first = _send(stack, "First", email=sender)
    second = _send(stack, "Second", email=sender)
    with page.expect_response(lambda r: "status=all" in r.url):
        page.select_option("#message-status", "all")
    with page.expect_request(lambda r: "email=" in r.url) as asked:
        page.fill("#message-search", sender.upper())
    assert "q=" not in asked.value.url
    expect(_rows(page)).to_have_count(2)
    assert _rows(page).evaluate_all("rows => rows.map(r => r.dataset.id)") == [second, first]


def test_search_and_bulk_archive_on_a_phone(browser: Browser, stack: dict[str, Any],
                                            demo: dict[str, Any], admin_api: Api) -> None:
    marker = f"phone{uuid.uuid4().hex[:8]}"
    ids = [_send(stack, f"From my phone {marker} {n}") for n in range(2)]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  device_scale_factor=2)
    try:
        page = context.new_page()
        tab = Tab(page)
        sign_in(tab, stack, demo["admin"])
        page.locator("#view-dashboard").wait_for()
        _search(page, marker)
        expect(_rows(page)).to_have_count(2)
        page.check("#messages-select-page")
        bar = page.locator("#messages-bulk")
        expect(bar).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for part in (page.locator("#message-search"), page.locator("#message-search-clear"), bar,
                     page.locator("#messages-rows tr input[type=checkbox]").first):
            box = part.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        tab.screenshot("bulk-phone")
        page.locator("#bulk-actions").get_by_role("button", name="Archive").click()
        expect(page.locator("#bulk-result")).to_have_text("Archived: 2 messages.")
        expect(_rows(page)).to_have_count(0)
        assert {admin_api.ok("GET", f"/dashboard/messages/{i}").body["status"] for i in ids} == {
            "archived"}
    finally:
        context.close()
