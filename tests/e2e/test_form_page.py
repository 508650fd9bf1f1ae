"""form.html?form=<id>: any form drawn from its public schema, sent as JSON
with the API's field errors shown beside their fields; with JavaScript off,
the same address is the form drawn by the API, sent as a plain form; an
unknown form or a missing id is the site's 404 page. And the API's own page of
each form (GET /forms/{id}): the same fields, sent with JavaScript off. On a
phone too."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Tab
from tests.e2e.support import Api

BOOKING = {"name": "Table booking", "fields": [
    {"name": "guest", "label": "Your name", "type": "text", "required": True, "maxLength": 60},
    {"name": "email", "label": "Email", "type": "email", "required": True},
    {"name": "phone", "label": "Phone", "type": "tel"},
    {"name": "people", "label": "How many people", "type": "number", "min": 1, "max": 12,
     "required": True},
    {"name": "day", "label": "Day", "type": "date", "required": True},
    {"name": "room", "label": "Room", "type": "select", "options": ["Garden", "Hall"]},
    {"name": "notes", "label": "Anything else", "type": "textarea", "maxLength": 500},
    {"name": "terms", "label": "I accept the house rules", "type": "checkbox", "required": True}],
    "replyTo": "email"}


def _form(admin_api: Api, definition: dict[str, Any] = BOOKING) -> str:
    form_id = f"e2e-{uuid.uuid4().hex[:10]}"
    admin_api.ok("PUT", f"/dashboard/forms/{form_id}", definition)
    return form_id


def _open(page: Page, stack: dict[str, Any], form_id: str) -> None:
    page.goto(f"{stack['webUrl']}/form.html?form={form_id}")
    expect(page.locator("form#form")).to_be_visible()


def _fill_booking(page: Page, form_id: str, marker: str) -> None:
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("How many people").fill("4")
    page.get_by_label("Day").fill("2027-01-15")
    page.get_by_label("Room").select_option("Hall")
    page.get_by_label("Anything else").fill(f"A quiet table, please.\n{marker}")
    page.get_by_label("I accept the house rules").check()


def _stored(admin_api: Api, form_id: str) -> list[dict[str, Any]]:
    return list(admin_api.ok("GET", f"/dashboard/messages?status=new&form={form_id}").body["items"])


def test_the_form_page_draws_any_form_and_sends_it(tab: Tab, stack: dict[str, Any],
                                                   admin_api: Api) -> None:
    page = tab.page
    form_id = _form(admin_api)
    _open(page, stack, form_id)
    expect(page).to_have_title("Table booking · Frontdesk")
    expect(page.locator("#form-title")).to_have_text("Table booking")
    # Each field as its type asks, in the form's order, with its limits.
    types = page.eval_on_selector_all(
        "form#form [name]:not([type=hidden])", "els => els.map(e => [e.name, e.type, e.required])")
    assert types == [["guest", "text", True], ["email", "email", True], ["phone", "tel", False],
                     ["people", "number", True], ["day", "date", True],
                     ["room", "select-one", False], ["notes", "textarea", False],
                     ["terms", "checkbox", True], ["_gotcha", "text", False]]
    assert page.get_attribute("form#form", "action") == f"{stack['apiUrl']}/forms/{form_id}"
    assert page.get_attribute(f"#{form_id}-guest", "maxlength") == "60"
    assert (page.get_attribute(f"#{form_id}-people", "min"),
            page.get_attribute(f"#{form_id}-people", "max")) == ("1", "12")
    expect(page.locator(f"#{form_id}-gotcha")).not_to_be_in_viewport()

    marker = uuid.uuid4().hex
    _fill_booking(page, form_id, marker)
    with page.expect_request(lambda r: r.method == "POST" and f"/forms/{form_id}" in r.url) as post:
        page.get_by_role("button", name="Send").click()
    assert post.value.post_data_json == {
        "guest": "Ada Lovelace", "email": "ada@example.com", "people": "4", "day": "2027-01-15",
        "room": "Hall", "notes": f"A quiet table, please.\n{marker}", "terms": True}
    assert post.value.headers["idempotency-key"]
    expect(page.locator("#form-success")).to_be_visible()
    reference = page.locator("#form-success-id").inner_text()
    tab.screenshot("form-page-sent")

    [message] = _stored(admin_api, form_id)
    assert message["id"] == reference and message["formId"] == form_id
    assert {f["name"]: f["value"] for f in message["fields"]} == {
        "guest": "Ada Lovelace", "email": "ada@example.com", "people": "4", "day": "2027-01-15",
        "room": "Hall", "notes": f"A quiet table, please.\n{marker}", "terms": True}


def test_the_apis_field_errors_show_beside_their_fields(tab: Tab, stack: dict[str, Any],
                                                        admin_api: Api) -> None:
    page = tab.page
    form_id = _form(admin_api)
    _open(page, stack, form_id)
    page.get_by_label("Your name").fill("Ada")
    page.get_by_label("Email").fill("not an address")
    page.get_by_label("How many people").fill("40")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Send").click()
    assert answer.value.status == 400

    for name in ("email", "people", "day", "terms"):
        expect(page.locator(f"#{form_id}-{name}-error")).to_be_visible()
        expect(page.locator(f"#{form_id}-{name}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{form_id}-email-error")).to_contain_text("Email ")
    expect(page.locator(f"#{form_id}-guest-error")).to_be_hidden()
    expect(page.locator("form#form .form-error")).to_have_text("Please correct the fields marked above.")
    expect(page.locator(f"#{form_id}-email")).to_be_focused()
    assert _stored(admin_api, form_id) == []

    # Corrected, the same page sends it.
    _fill_booking(page, form_id, uuid.uuid4().hex)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#form-success")).to_be_visible()
    expect(page.locator(f"#{form_id}-email-error")).to_be_hidden()


def test_an_unknown_form_or_none_at_all_is_the_site_s_404_page(tab: Tab,
                                                               stack: dict[str, Any]) -> None:
    page = tab.page
    for query in (f"?form=no-such-form-{uuid.uuid4().hex[:6]}", "", "?form=<script>"):
        answer = page.goto(f"{stack['webUrl']}/form.html{query}")
        assert answer is not None and answer.status == 404, query
        expect(page.locator("h1")).to_have_text("Page not found")
        expect(page.locator("form")).to_have_count(0)


# Each control of a form as a browser reads it: what it sends, and its limits.
CONTROLS = """(form) => ({action: form.action, method: form.method,
  controls: Array.from(form.elements).filter((c) => c.name).map((c) => ({
    name: c.name, type: c.type, required: c.required, maxlength: c.getAttribute('maxlength'),
    min: c.getAttribute('min'), max: c.getAttribute('max'), step: c.getAttribute('step'),
    value: ['hidden', 'checkbox'].includes(c.type) ? c.value : null,
    options: c.tagName === 'SELECT' ? Array.from(c.options, (o) => [o.value, o.text]) : null,
    label: c.labels && c.labels[0] ? c.labels[0].textContent : null,
    hidden: Boolean(c.closest('[hidden], .hp')),
    tabindex: c.getAttribute('tabindex')}))})"""
RICH = {**BOOKING, "name": 'Rich <form> & "all" types', "fields": [
    *BOOKING["fields"],
    {"name": "site", "label": "Your <site>", "type": "url", "maxLength": 300},
    {"name": "budget", "label": "Budget", "type": "number", "min": -2.5, "max": 1e6},
    {"name": "size", "label": "Size & fit", "type": "select",
     "options": ["S</option><script>x</script>", 'M "medium"']}]}


@contextmanager
def _without_javascript(browser: Browser, **options: Any) -> Iterator[Tab]:
    context = browser.new_context(java_script_enabled=False, **options)
    try:
        tab = Tab(context.new_page())
        tab.page.on("console", lambda message: tab.console.append(message))
        yield tab
        assert not tab.csp_violations(), tab.csp_violations()
    finally:
        context.close()


def test_the_api_s_page_draws_the_same_form_as_form_html(tab: Tab, browser: Browser,
                                                         stack: dict[str, Any],
                                                         admin_api: Api) -> None:
    form_id = _form(admin_api, RICH)
    _open(tab.page, stack, form_id)
    drawn = tab.page.eval_on_selector("form#form", CONTROLS)
    with _without_javascript(browser) as plain:
        plain.page.goto(f"{stack['apiUrl']}/forms/{form_id}")
        served = plain.page.eval_on_selector("form", CONTROLS)
        assert plain.page.locator("script").count() == 0
    assert served == drawn
    assert served["action"] == f"{stack['apiUrl']}/forms/{form_id}"
    assert [c["name"] for c in served["controls"]] == [
        "_next", *(f["name"] for f in RICH["fields"]), "_gotcha"]


def test_without_javascript_form_html_is_the_form_and_sends_it(
        browser: Browser, stack: dict[str, Any], admin_api: Api) -> None:
    """The address a site owner links to works with scripts off: the site
    serves the form drawn by the API (GET /forms/{id}/site-page), which posts
    to the API and comes back to the site's thank-you page."""
    form_id = _form(admin_api)
    marker = uuid.uuid4().hex
    with _without_javascript(browser) as plain:
        page = plain.page
        answer = page.goto(f"{stack['webUrl']}/form.html?form={form_id}")
        assert answer is not None and answer.status == 200
        expect(page).to_have_title("Table booking · Frontdesk")
        expect(page.locator("#form-title")).to_have_text("Table booking")
        expect(page.locator("a.brand")).to_have_attribute("href", "./")
        assert page.eval_on_selector("form", "f => f.action") == \
            f"{stack['apiUrl']}/forms/{form_id}"
        # The site's stylesheet, from the site: the page is styled as its others.
        assert page.eval_on_selector("main", "m => getComputedStyle(m).maxWidth") != "none"
        _fill_booking(page, form_id, marker)
        plain.screenshot("form-html-without-javascript")
        with page.expect_navigation():
            page.get_by_role("button", name="Send").click()
        assert page.url == f"{stack['webUrl']}/thanks.html"
        expect(page.locator("h1")).to_have_text("Thank you!")
    [message] = _stored(admin_api, form_id)
    assert message["formId"] == form_id
    assert {f["name"]: f["value"] for f in message["fields"]} == {
        "guest": "Ada Lovelace", "email": "ada@example.com", "people": "4", "day": "2027-01-15",
        "room": "Hall", "notes": f"A quiet table, please.\n{marker}", "terms": True}


def test_without_javascript_form_html_works_on_a_phone(browser: Browser, stack: dict[str, Any],
                                                       admin_api: Api) -> None:
    form_id = _form(admin_api)
    with _without_javascript(browser, viewport={"width": 390, "height": 844}, is_mobile=True,
                             device_scale_factor=2) as plain:
        page = plain.page
        page.goto(f"{stack['webUrl']}/form.html?form={form_id}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        plain.screenshot("form-html-without-javascript-phone")
        _fill_booking(page, form_id, uuid.uuid4().hex)
        with page.expect_navigation():
            page.get_by_role("button", name="Send").click()
        expect(page.locator("h1")).to_have_text("Thank you!")
    assert len(_stored(admin_api, form_id)) == 1


def test_without_javascript_the_form_s_own_page_sends_it(browser: Browser, stack: dict[str, Any],
                                                        admin_api: Api) -> None:
    form_id = _form(admin_api)
    marker = uuid.uuid4().hex
    with _without_javascript(browser) as plain:
        page = plain.page
        page.goto(f"{stack['apiUrl']}/forms/{form_id}")
        expect(page).to_have_title("Table booking · Frontdesk")
        expect(page.locator("h1")).to_have_text("Table booking")
        _fill_booking(page, form_id, marker)
        plain.screenshot("form-own-page")
        with page.expect_navigation():
            page.get_by_role("button", name="Send").click()
        assert page.url == f"{stack['webUrl']}/thanks.html"
        expect(page.locator("h1")).to_have_text("Thank you!")
    [message] = _stored(admin_api, form_id)
    assert {f["name"]: f["value"] for f in message["fields"]} == {
        "guest": "Ada Lovelace", "email": "ada@example.com", "people": "4", "day": "2027-01-15",
        "room": "Hall", "notes": f"A quiet table, please.\n{marker}", "terms": True}


def test_an_unknown_form_s_own_page_says_so(browser: Browser, stack: dict[str, Any]) -> None:
    with _without_javascript(browser) as plain:
        answer = plain.page.goto(f"{stack['apiUrl']}/forms/no-such-form-{uuid.uuid4().hex[:6]}")
        assert answer is not None and answer.status == 404
        expect(plain.page.locator("h1")).to_have_text("No such form")
        expect(plain.page.locator("form")).to_have_count(0)


def test_the_form_s_own_page_on_a_phone(browser: Browser, stack: dict[str, Any],
                                        admin_api: Api) -> None:
    form_id = _form(admin_api)
    with _without_javascript(browser, viewport={"width": 390, "height": 844}, is_mobile=True,
                             device_scale_factor=2) as plain:
        page = plain.page
        page.goto(f"{stack['apiUrl']}/forms/{form_id}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        plain.screenshot("form-own-page-phone")
        _fill_booking(page, form_id, uuid.uuid4().hex)
        with page.expect_navigation():
            page.get_by_role("button", name="Send").click()
        expect(page.locator("h1")).to_have_text("Thank you!")
    assert len(_stored(admin_api, form_id)) == 1


def test_the_form_page_on_a_phone(browser: Browser, stack: dict[str, Any], admin_api: Api) -> None:
    form_id = _form(admin_api)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  device_scale_factor=2)
    try:
        tab = Tab(context.new_page())
        page = tab.page
        page.on("pageerror", lambda error: tab.errors.append(str(error)))
        page.on("console", lambda message: tab.console.append(message))
        _open(page, stack, form_id)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        tab.screenshot("form-page-phone")
        _fill_booking(page, form_id, uuid.uuid4().hex)
        page.get_by_role("button", name="Send").click()
        expect(page.locator("#form-success")).to_be_visible()
        assert len(_stored(admin_api, form_id)) == 1
        assert not tab.errors and not tab.csp_violations()
    finally:
        context.close()
