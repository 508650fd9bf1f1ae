"""The contact page on a stage with a CAPTCHA (Turnstile, `make dev`'s local
verifier) and chat notifications (Slack format, `make dev`'s local webhook
receiver): the widget is shown, its token is verified, a refused one is said;
a stored message is posted to the webhook and the dashboard shows that delivery.

The provider's script cannot be fetched here (no network), so the browser gets
a stand-in at the provider's own address: it renders what Turnstile's test
site key renders, a hidden `cf-turnstile-response` field holding a token.
"""
from __future__ import annotations

import time
import uuid
from typing import Any

from playwright.sync_api import Route, expect

from devstack.fakes import LOCAL_CAPTCHA_TOKEN
from tests.e2e.conftest import Tab, sign_in, stack_fixture
from tests.e2e.support import Api, demo_accounts, http

TURNSTILE_SCRIPT = "https://challenges.cloudflare.com/turnstile/v0/api.js"


def stand_in_widget(token: str) -> str:
    return f"""
for (const box of document.querySelectorAll('.cf-turnstile')) {{
  const input = document.createElement('input');
  input.type = 'hidden'; input.name = 'cf-turnstile-response'; input.value = {token!r};
  box.append(input);
  box.dataset.rendered = box.dataset.sitekey;
}}
window.turnstile = {{reset() {{}}}};
"""


stack = stack_fixture({"CAPTCHA_PROVIDER": "turnstile", "CHAT_FORMAT": "slack"})


def open_contact_page(tab: Tab, stack: dict[str, Any], token: str) -> None:
    def serve(route: Route) -> None:
        route.fulfill(status=200, content_type="text/javascript", body=stand_in_widget(token))

    tab.page.route(TURNSTILE_SCRIPT, serve)
    tab.page.goto(stack["webUrl"] + "/")
    expect(tab.page.locator(".cf-turnstile")).to_have_attribute(
        "data-rendered", stack["captcha"]["siteKey"])


def send(tab: Tab, marker: str) -> None:
    page = tab.page
    page.fill("#name", "Ada Lovelace")
    page.fill("#email", "ada@example.com")
    page.fill("#message", f"Hello with a CAPTCHA.\n{marker}")
    page.click("#send")


def test_a_solved_captcha_is_verified_and_the_message_stored(
        tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    open_contact_page(tab, stack, LOCAL_CAPTCHA_TOKEN)
    marker = f"e2e-{uuid.uuid4().hex}"
    send(tab, marker)
    expect(tab.page.locator("#contact-success")).to_be_visible()
    assert len(admin_api.messages_containing(marker)) == 1


def test_a_stored_message_is_posted_to_the_chat_and_the_dashboard_says_so(
        tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    open_contact_page(tab, stack, LOCAL_CAPTCHA_TOKEN)
    marker = f"e2e-{uuid.uuid4().hex}"
    send(tab, marker)
    expect(tab.page.locator("#contact-success")).to_be_visible()
    [stored] = admin_api.messages_containing(marker)

    def posted() -> list[dict[str, Any]]:
        answer = http("GET", stack["fakesUrl"] + "/webhooks")
        return [p for p in answer.body if marker in p["body"]["text"]]

    deadline = time.monotonic() + 20  # the stream trigger delivers within a second or two
    while not posted() and time.monotonic() < deadline:
        time.sleep(0.2)
    [post] = posted()
    assert "New contact message from Ada Lovelace" in post["body"]["text"]

    admin = demo_accounts(stack)["admin"]
    sign_in(tab, stack, admin)
    page = tab.page
    page.locator(f'#messages-rows tr[data-id="{stored["id"]}"]').get_by_role("button").click()
    detail = page.locator("#message-detail")
    expect(detail.locator(".chat-delivery")).to_have_text("sent (1 attempt)")


def test_a_refused_captcha_is_said_and_nothing_stored(
        tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    open_contact_page(tab, stack, "not-the-test-token")
    marker = f"e2e-{uuid.uuid4().hex}"
    send(tab, marker)
    expect(tab.page.locator("#form-error")).to_contain_text("not a robot")
    assert admin_api.messages_containing(marker) == []


def test_a_form_that_asks_for_a_captcha_shows_the_widget_on_its_page_and_in_its_snippet(
        tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    form_id = f"e2e-{uuid.uuid4().hex[:10]}"
    fields = [{"name": "email", "label": "Email", "type": "email", "required": True}]
    admin_api.ok("PUT", f"/dashboard/forms/{form_id}",
                     {"name": "Guarded", "captcha": True, "fields": fields})
    admin_api.ok("PUT", f"/dashboard/forms/{form_id}-open",
                     {"name": "Open", "captcha": False, "fields": fields})
    page = tab.page
    page.route(TURNSTILE_SCRIPT, lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=stand_in_widget(LOCAL_CAPTCHA_TOKEN)))

    page.goto(f"{stack['webUrl']}/form.html?form={form_id}-open")
    expect(page.locator("form#form")).to_be_visible()
    expect(page.locator(".cf-turnstile")).to_have_count(0)

    page.goto(f"{stack['webUrl']}/form.html?form={form_id}")
    expect(page.locator("form#form .cf-turnstile")).to_have_attribute(
        "data-rendered", stack["captcha"]["siteKey"])
    page.get_by_label("Email").fill("guarded@example.com")
    with page.expect_request(lambda r: r.method == "POST" and f"/forms/{form_id}" in r.url) as post:
        page.get_by_role("button", name="Send").click()
    assert post.value.post_data_json["captchaToken"] == LOCAL_CAPTCHA_TOKEN
    expect(page.locator("#form-success")).to_be_visible()
    stored = admin_api.ok("GET", f"/dashboard/messages?status=new&form={form_id}").body
    assert len(stored["items"]) == 1

    # The snippet carries the provider's widget and script for this form only.
    admin = demo_accounts(stack)["admin"]
    sign_in(tab, stack, admin)
    page.locator("#view-dashboard").wait_for()
    page.click("#tab-forms")
    page.locator(f'#forms-rows tr[data-id="{form_id}"]').get_by_role(
        "button", name=f"HTML snippet {form_id}").click()
    snippet = page.locator("#form-snippet-code").input_value()
    site_key = stack["captcha"]["siteKey"]
    assert f'<div class="cf-turnstile" data-sitekey="{site_key}"></div>' in snippet
    assert f'<script src="{TURNSTILE_SCRIPT}" async defer></script>' in snippet
    page.click("#form-snippet-close")
    page.locator(f'#forms-rows tr[data-id="{form_id}-open"]').get_by_role(
        "button", name=f"HTML snippet {form_id}-open").click()
    assert "turnstile" not in page.locator("#form-snippet-code").input_value()
