"""A message whose fields hold HTML and script is shown as text on the
dashboard, and nothing in it runs."""
from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Tab, sign_in

NAME = """<img src=x onerror="window.__xss='name';console.log('xss-ran');alert('name')">"""
SUBJECT = """<script>window.__xss='subject';alert('subject')</script><b>bold</b>"""
BODY = ("</div><script>window.__xss='body';console.log('xss-ran');alert('body')</script>\n"
        """<svg onload="alert('svg')"></svg><iframe src="javascript:alert('iframe')"></iframe>\n""")


def test_html_and_script_in_a_message_are_shown_as_text(tab: Tab, stack: dict[str, Any],
                                                         demo: dict[str, Any]) -> None:
    page = tab.page
    marker = uuid.uuid4().hex
    body = BODY + marker

    # The hostile message goes in through the contact page, as an attacker would send it.
    page.goto(stack["webUrl"] + "/")
    page.fill("#name", NAME)
    page.fill("#email", "mallory@example.com")
    page.fill("#subject", SUBJECT)
    page.fill("#message", body)
    with page.expect_response(lambda r: r.url.endswith("/contact")) as answer:
        page.click("#send")
    assert answer.value.status == 202, answer.value.text()
    message_id = answer.value.json()["id"]

    sign_in(tab, stack, demo["admin"])
    row = page.locator(f'#messages-rows tr[data-id="{message_id}"]')
    expect(row.locator(".from-name")).to_have_text(NAME)
    expect(row.locator(".subject")).to_have_text(SUBJECT)
    row.get_by_role("button").click()
    detail = page.locator("#message-detail")
    expect(detail.locator(".message-body")).to_have_text(body)
    expect(detail.locator("h2.subject")).to_have_text(SUBJECT)
    expect(detail.locator(".from-name")).to_have_text(NAME)
    tab.screenshot("xss-as-text")

    # Nothing from the data became an element...
    for where in ("#messages-rows", "#message-detail"):
        assert page.locator(f"{where} :is(img, script, svg, iframe, b)").count() == 0
    # ...and nothing ran: no dialog, no console line, no global set.
    page.wait_for_timeout(300)  # time for an onerror or onload that was going to fire
    assert tab.dialogs == []
    assert not [text for text in tab.console_text() if "xss-ran" in text]
    assert page.evaluate("window.__xss") is None
