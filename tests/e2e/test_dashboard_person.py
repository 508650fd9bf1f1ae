"""The Person view (issue 25, section 2): reached from a message's sender, it
lists everything stored about the address, downloads it as one JSON file, and
erases it only once the address is typed again."""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Tab, sign_in, stack_fixture
from tests.e2e.support import PAST_THE_EDGE, Api, http, open_message, post_contact, reload_messages

# A stack of its own: its long addresses would be in other modules' inbox, which
# test_dashboard_ux.py holds to whole words on a phone.
stack = stack_fixture()


def test_person_view_downloads_then_erases_after_the_address_is_typed(
        admin_tab: Tab, stack: dict[str, Any], admin_api: Api, tmp_path: Path) -> None:
    page = admin_tab.page
    local = f"grace-{uuid.uuid4().hex[:8]}"
    address = f"{local}@example.com"
    first = post_contact(stack, "First question", name="Grace", email=f"{local}+news@example.com")
    second = post_contact(stack, "Second question", name="Grace", email=address)
    reload_messages(page)
    open_message(page, second).locator(".person-link").click()
    expect(page.locator("#panel-person")).to_be_visible()
    expect(page.locator("#panel-messages")).to_be_hidden()
    expect(page.locator("#person-address")).to_have_text(address)
    expect(page.locator('#person-summary dd[data-kind="messages"]')).to_have_text("2")
    expect(page.locator(".person-messages tbody tr")).to_have_count(2)
    admin_tab.screenshot("person-view")

    with page.expect_download() as download:
        page.click("#person-download")
    saved = tmp_path / "person.json"
    download.value.save_as(saved)
    data = json.loads(saved.read_text())
    assert {m["id"] for m in data["messages"]} == {first, second}
    assert len(data["idempotencyRecords"]) == 2  # both posts were keyed
    expect(page.locator("#person-status")).to_have_text("Their data was downloaded.")

    page.click("#person-erase")
    go = page.locator("#person-erase-go")
    expect(go).to_be_disabled()
    page.fill("#person-erase-typed", "someone-else@example.com")
    expect(go).to_be_disabled()
    page.locator("#person-erase-cancel").click()
    expect(page.locator("#person-erase-confirm")).to_be_hidden()
    assert admin_api.call("GET", f"/dashboard/messages/{first}").status == 200  # kept

    page.click("#person-erase")
    page.fill("#person-erase-typed", address.upper())
    expect(go).to_be_enabled()
    with page.expect_response(lambda r: r.request.method == "DELETE"
                              and "/dashboard/people/" in r.url):
        go.click()
    expect(page.locator("#person-status")).to_contain_text("Erased 2 messages")
    expect(page.locator(".person-nothing")).to_be_visible()
    for message_id in (first, second):
        assert admin_api.call("GET", f"/dashboard/messages/{message_id}").status == 404
    left = admin_api.ok("GET", f"/dashboard/people/{quote(address, safe='')}").body
    assert left["messages"] == [] and left["idempotencyRecords"] == []
    assert admin_tab.errors == []


def test_the_person_view_is_usable_on_a_375_px_phone(
        browser: Browser, stack: dict[str, Any], demo: dict[str, Any], admin_api: Api) -> None:
    # A long address: the widest thing the view shows.
    address = f"margaret.hamilton.{uuid.uuid4().hex[:8]}@apollo-guidance.example.com"
    post_contact(stack, "A first question from a phone", name="Grace", email=address)
    message_id = post_contact(stack, "A second question from a phone", name="Grace",
                              email=address)
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                                  device_scale_factor=2)
    try:
        context.set_default_timeout(10_000)
        page = context.new_page()
        tab = Tab(page)
        page.on("pageerror", lambda error: tab.errors.append(str(error)))
        sign_in(tab, stack, demo["admin"])
        reload_messages(page)
        open_message(page, message_id).locator(".person-link").click()
        expect(page.locator("#panel-person")).to_be_visible()
        expect(page.locator("#person-address")).to_have_text(address)
        expect(page.locator(".person-messages tbody tr")).to_have_count(2)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.evaluate(PAST_THE_EDGE, "#panel-person td, #panel-person th, "
                                            "#panel-person button, #person-address") == []
        tab.screenshot("person-phone")
        # Usable: the erase confirmation fits too, and takes the typed address.
        page.click("#person-erase")
        page.fill("#person-erase-typed", address)
        expect(page.locator("#person-erase-go")).to_be_enabled()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.evaluate(PAST_THE_EDGE, "#person-erase-confirm input, "
                                            "#person-erase-confirm button") == []
        page.locator("#person-erase-cancel").click()
        assert tab.errors == []
    finally:
        context.close()


def test_a_partner_field_opens_the_partners_data_which_holds_the_message(
        admin_tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    page = admin_tab.page
    form_id = f"pair{uuid.uuid4().hex[:6]}"
    admin_api.ok("PUT", f"/dashboard/forms/{form_id}", {
        "name": "Couples", "replyTo": "email", "fields": [
            {"name": "email", "label": "Your email", "type": "email", "required": True},
            {"name": "partner_email", "label": "Your partner's email", "type": "email"}]})
    sender = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    partner = f"bea-{uuid.uuid4().hex[:8]}@example.com"
    posted = http("POST", f"{stack['apiUrl']}/forms/{form_id}",
                  {"email": sender, "partner_email": partner})
    assert posted.status == 202, posted.body
    message_id = posted.body["id"]
    with page.expect_response(lambda r: "/dashboard/messages?" in r.url):
        page.click("#messages-reload")
    page.locator(f'#messages-rows tr[data-id="{message_id}"]').get_by_role("button").first.click()

    page.locator('#message-detail dd[data-name="partner_email"] .person-link').click()
    expect(page.locator("#panel-person")).to_be_visible()
    expect(page.locator("#person-address")).to_have_text(partner)
    expect(page.locator('#person-summary dd[data-kind="messages"]')).to_have_text("1")
    expect(page.locator(".person-messages tbody tr")).to_have_count(1)
    # Erasing the partner erases the message that names them, whole.
    page.click("#person-erase")
    page.fill("#person-erase-typed", partner)
    with page.expect_response(lambda r: r.request.method == "DELETE"
                              and "/dashboard/people/" in r.url):
        page.click("#person-erase-go")
    expect(page.locator("#person-status")).to_contain_text("Erased 1 message,")
    assert admin_api.call("GET", f"/dashboard/messages/{message_id}").status == 404
    left = admin_api.ok("GET", f"/dashboard/people/{quote(sender, safe='')}").body
    assert left["messages"] == []
    assert admin_tab.errors == []
