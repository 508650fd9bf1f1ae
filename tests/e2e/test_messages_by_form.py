"""Messages of many forms in the dashboard: filtered by form, each shown with
every field under its label and its extras, exported per form, and counted per
form; and the dashboard's snippet, pasted into a page, posted with JavaScript
off. On a phone too."""
from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Tab, phone_tab
from tests.e2e.support import Api, choose_form, open_forms, open_message, post_message

QUOTE = {"name": "Quote request", "extraFields": "keep", "replyTo": "email", "fields": [
    {"name": "email", "label": "Your email", "type": "email", "required": True},
    {"name": "qty", "label": "How many", "type": "number"},
    {"name": "rush", "label": "Rush order", "type": "checkbox"},
    {"name": "details", "label": "Details", "type": "textarea"}]}


def test_messages_are_filtered_by_form_and_show_every_field(admin_tab: Tab, stack: dict[str, Any],
                                                            admin_api: Api) -> None:
    page = admin_tab.page
    form_id = admin_api.new_form(QUOTE)
    other = admin_api.new_form({**QUOTE, "name": "Other form"})
    sent = post_message(stack, {"email": "ada@example.com", "qty": 3, "rush": True,
                                "details": "Two lines\nof <b>detail</b>", "colour": "blue"},
                        form=form_id)
    elsewhere = post_message(stack, {"email": "bob@example.com"}, form=other)
    post_message(stack, {"name": "Grace", "email": "grace@example.com", "message": "Hi"},
                 form="contact")
    page.reload()
    page.locator("#view-dashboard").wait_for()
    # The filter lists every form by name.
    expect(page.locator(f'#message-form option[value="{form_id}"]')).to_have_text("Quote request")

    choose_form(page, form_id)
    rows = page.locator("#messages-rows tr")
    expect(rows).to_have_count(1)
    expect(page.locator(f'#messages-rows tr[data-id="{sent}"] .message-form')).to_have_text("Quote request")
    expect(page.locator(f'#messages-rows tr[data-id="{elsewhere}"]')).to_have_count(0)

    detail = open_message(page, sent)
    expect(detail.locator("dd.message-form")).to_contain_text(f"Quote request {form_id}")
    labels = detail.locator(".message-fields:not(.message-extra) dt").all_inner_texts()
    values = detail.locator(".message-fields:not(.message-extra) dd").all_inner_texts()
    assert list(zip(labels, values, strict=True)) == [
        ("Your email", "ada@example.com"), ("How many", "3"), ("Rush order", "Yes"),
        ("Details", "Two lines\nof <b>detail</b>")]
    expect(detail.locator(".message-extra dd[data-name=colour]")).to_have_text("blue")
    expect(detail.locator(".autoresponse-delivery")).to_have_count(0)  # the form has none
    expect(detail.locator("b")).to_have_count(0)  # a visitor's markup stays text
    admin_tab.screenshot("message-of-a-form")

    # The export asks for this form's messages (one column per field).
    with page.expect_request(lambda r: "/dashboard/messages/export" in r.url) as export, \
            page.expect_download() as download:
        page.click("#messages-export")
    assert f"form={form_id}" in export.value.url
    assert download.value.suggested_filename == f"{form_id}-messages-new.csv"

    # All forms again.
    with page.expect_request(lambda r: "/dashboard/messages?" in r.url) as listed:
        page.select_option("#message-form", "")
    assert "form=" not in listed.value.url


def test_the_forms_list_counts_each_forms_messages(admin_tab: Tab, stack: dict[str, Any],
                                                   admin_api: Api) -> None:
    page = admin_tab.page
    form_id = admin_api.new_form(QUOTE)
    for n in range(2):
        post_message(stack, {"email": f"count{n}@example.com"}, form=form_id)
    counts = admin_api.ok("GET", "/dashboard/stats").body["forms"]
    assert counts[form_id] == 2
    open_forms(page)
    expect(page.locator(f'#forms-rows tr[data-id="{form_id}"] .form-messages')).to_have_text("2")
    expect(page.locator('#forms-rows tr[data-id="contact"] .form-messages')).to_have_text(
        str(admin_api.ok("GET", "/dashboard/stats").body["forms"]["contact"]))


def test_the_snippet_works_as_a_plain_form_with_javascript_off(
        admin_tab: Tab, browser: Browser, stack: dict[str, Any], admin_api: Api) -> None:
    page = admin_tab.page
    form_id = admin_api.new_form(QUOTE)
    open_forms(page)
    page.locator(f'#forms-rows tr[data-id="{form_id}"]').get_by_role(
        "button", name=f"HTML snippet {form_id}").click()
    snippet = page.locator("#form-snippet-code").input_value()

    # The snippet pasted into a page of the site (an allowed origin, as _next must be).
    address = f"{stack['webUrl']}/our-quote-page.html"
    context = browser.new_context(java_script_enabled=False)
    try:
        context.route(address, lambda route: route.fulfill(
            status=200, content_type="text/html",
            body=f"<!doctype html><title>Quote</title><h1>Ask us</h1>{snippet}"))
        plain = context.new_page()
        plain.goto(address)
        plain.get_by_label("Your email").fill("plain@example.com")
        plain.get_by_label("How many").fill("7")
        plain.get_by_label("Rush order").check()
        plain.get_by_label("Details").fill("Sent without JavaScript")
        with plain.expect_navigation():
            plain.get_by_role("button", name="Send").click()
        assert plain.url == f"{stack['webUrl']}/thanks.html"
        expect(plain.locator("h1")).to_have_text("Thank you!")
    finally:
        context.close()
    [message] = admin_api.ok("GET", f"/dashboard/messages?status=new&form={form_id}").body["items"]
    assert {f["name"]: f["value"] for f in message["fields"]} == {
        "email": "plain@example.com", "qty": "7", "rush": True, "details": "Sent without JavaScript"}


def test_messages_by_form_on_a_phone(browser: Browser, stack: dict[str, Any],
                                     demo: dict[str, Any], admin_api: Api) -> None:
    form_id = admin_api.new_form(QUOTE)
    sent = post_message(stack, {"email": "phone@example.com", "details": "x" * 300}, form=form_id)
    with phone_tab(browser, stack, demo["admin"]) as tab:
        page = tab.page
        choose_form(page, form_id)
        detail = open_message(page, sent)
        expect(detail.locator(".message-fields")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        tab.screenshot("messages-by-form-phone")


def test_an_opened_message_shows_its_autoresponse_or_why_it_was_skipped(
        admin_tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    page = admin_tab.page
    form_id = admin_api.new_form({**QUOTE, "autoresponse": {
        "subject": "We got your {{form}}", "body": "Reference {{reference}}."}})
    address = f"auto-{uuid.uuid4().hex[:8]}@example.com"
    first = post_message(stack, {"email": address}, form=form_id)
    second = post_message(stack, {"email": address}, form=form_id)
    page.reload()
    page.locator("#view-dashboard").wait_for()
    choose_form(page, form_id)

    detail = open_message(page, first)
    expect(detail.locator(".autoresponse-delivery")).to_have_text(
        re.compile(r"^(pending|sent) \(\d+ attempts?\)$"))
    open_message(page, second)
    expect(detail.locator(".autoresponse-delivery")).to_have_text(
        "skipped (this address had one from this form in the last 24 hours)")
