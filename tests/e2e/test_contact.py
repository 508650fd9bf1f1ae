"""The contact page: success, per-field errors from the API, the honeypot, and
one stored message per submission however often it is sent."""
from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import Tab
from tests.e2e.support import Api


def _marker() -> str:
    return f"e2e-{uuid.uuid4().hex}"


def _fill(page: Page, *, name: str = "Ada Lovelace", email: str = "ada@example.com",
          subject: str = "", message: str) -> None:
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#subject", subject)
    page.fill("#message", message)


def _is_contact_post(request: Any) -> bool:
    return request.method == "POST" and request.url.endswith("/contact")


def test_contact_success(tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    page = tab.page
    page.goto(stack["webUrl"] + "/")
    tab.screenshot("contact")
    marker = _marker()
    _fill(page, subject="Hello there", message=f"I would like to know more.\n{marker}")
    with page.expect_response(lambda r: _is_contact_post(r.request)) as answer:
        page.click("#send")
    response = answer.value
    assert response.status == 202
    body = response.json()
    assert body["status"] == "received"
    key = response.request.headers["idempotency-key"]
    assert 8 <= len(key) <= 128

    expect(page.locator("#contact-success")).to_be_visible()
    expect(page.locator("#contact-form")).to_be_hidden()
    expect(page.locator("#success-email")).to_have_text("ada@example.com")
    expect(page.locator("#success-id")).to_have_text(body["id"])
    tab.screenshot("contact-success")

    [stored] = admin_api.messages_containing(marker)
    assert stored["id"] == body["id"]
    assert (stored["name"], stored["email"], stored["subject"]) == (
        "Ada Lovelace", "ada@example.com", "Hello there")
    assert stored["message"] == f"I would like to know more.\n{marker}"

    # "Send another" starts a new submission: a fresh form and, later, a new key.
    page.click("#send-another")
    expect(page.locator("#contact-form")).to_be_visible()
    expect(page.locator("#name")).to_have_value("")


def test_contact_shows_each_fields_error_from_the_api(tab: Tab, stack: dict[str, Any],
                                                      admin_api: Api) -> None:
    page = tab.page
    page.goto(stack["webUrl"] + "/")
    _fill(page, name="", email="not-an-email", message="")
    with page.expect_response(lambda r: _is_contact_post(r.request)) as answer:
        page.click("#send")
    response = answer.value
    assert response.status == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    details = {d["field"]: d["message"] for d in error["details"]}
    assert {"name", "email", "message"} <= set(details)
    # The API's wording is for developers; the page says each field's need plainly.
    plain = {"name": "Please enter your name, up to 100 characters.",
             "email": "Please enter your email address, like name@example.com.",
             "message": "Please write your message, up to 5000 characters."}
    for field, message in details.items():
        expect(page.locator(f"#{field}-error")).to_have_text(plain[field])
        assert plain[field] != message
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
        described_by = page.locator(f"#{field}").get_attribute("aria-describedby") or ""
        assert f"{field}-error" in described_by.split()
    expect(page.locator("#subject-error")).to_be_hidden()
    expect(page.locator("#contact-success")).to_be_hidden()
    tab.screenshot("contact-errors")

    # Fixed, it goes through as a new submission (a new Idempotency-Key).
    marker = _marker()
    _fill(page, message=marker)
    with page.expect_response(lambda r: _is_contact_post(r.request)) as second:
        page.click("#send")
    assert second.value.status == 202
    assert (second.value.request.headers["idempotency-key"]
            != response.request.headers["idempotency-key"])
    expect(page.locator("#contact-success")).to_be_visible()
    assert len(admin_api.messages_containing(marker)) == 1


def test_double_click_stores_one_message(tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    page = tab.page
    page.goto(stack["webUrl"] + "/")
    marker = _marker()
    _fill(page, message=marker)
    posts: list[Any] = []
    page.on("request", lambda r: posts.append(r) if _is_contact_post(r) else None)
    page.dblclick("#send")
    expect(page.locator("#contact-success")).to_be_visible()
    assert {r.headers["idempotency-key"] for r in posts} == {posts[0].headers["idempotency-key"]}
    assert len(admin_api.messages_containing(marker)) == 1


def test_retry_after_a_lost_answer_stores_one_message(tab: Tab, stack: dict[str, Any],
                                                      admin_api: Api) -> None:
    """The first answer never reaches the page (the connection drops after the API
    stored the message); the person clicks Send again; the same key means the API
    answers as before and stores nothing new."""
    page = tab.page
    page.goto(stack["webUrl"] + "/")
    marker = _marker()
    _fill(page, message=marker)
    lost: dict[str, Any] = {}

    def drop_first_answer(route: Route) -> None:
        if route.request.method != "POST" or lost:
            route.continue_()
            return
        answer = route.fetch()  # the API receives and handles it...
        lost.update(status=answer.status, body=answer.json(),
                    key=route.request.headers["idempotency-key"])
        route.abort("connectionreset")  # ...but the page never hears back

    page.route("**/contact", drop_first_answer)
    page.click("#send")
    expect(page.locator("#form-error")).to_contain_text("Could not reach the server")
    assert lost["status"] == 202
    assert len(admin_api.messages_containing(marker)) == 1

    with page.expect_response(lambda r: _is_contact_post(r.request)) as retry:
        page.click("#send")
    assert retry.value.request.headers["idempotency-key"] == lost["key"]
    assert retry.value.status == 202
    assert retry.value.json() == lost["body"]
    expect(page.locator("#contact-success")).to_be_visible()
    assert [m["id"] for m in admin_api.messages_containing(marker)] == [lost["body"]["id"]]


def test_honeypot_is_hidden_from_people_and_a_filled_one_stores_nothing(
        tab: Tab, stack: dict[str, Any], admin_api: Api) -> None:
    page = tab.page
    page.goto(stack["webUrl"] + "/")
    honeypot = page.locator("#website")
    box = honeypot.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0  # drawn off-screen
    assert honeypot.get_attribute("tabindex") == "-1"
    assert page.locator(".hp").get_attribute("aria-hidden") == "true"
    assert page.get_by_role("textbox", name="Leave this field empty").count() == 0

    marker = _marker()
    _fill(page, message=marker)
    honeypot.evaluate("input => { input.value = 'http://spam.example'; }")  # as a bot would
    with page.expect_response(lambda r: _is_contact_post(r.request)) as answer:
        page.click("#send")
    assert answer.value.request.post_data_json["website"] == "http://spam.example"
    assert answer.value.status == 202
    expect(page.locator("#contact-success")).to_be_visible()
    assert admin_api.messages_containing(marker) == []
