"""The forms panel: create a form in the editor (fields added, reordered and
typed), see it listed, its 400s beside the inputs, a stale edit's 412, deleting
(never the contact form), and the copy-paste snippet: copied whole, every value
escaped, and the right inputs for every field. On a phone too."""
from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import Tab, stack_fixture
from tests.e2e.support import Api, demo_accounts, open_forms, signed_in_admin

# The snippet parsed as a browser parses it: what each control is.
PARSE_SNIPPET = """(html) => {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const form = doc.querySelector('form');
  const controls = Array.from(form.elements).filter((c) => c.name).map((c) => ({
    tag: c.tagName.toLowerCase(), name: c.name, type: c.type, required: c.required,
    maxlength: c.getAttribute('maxlength'), min: c.getAttribute('min'), max: c.getAttribute('max'),
    value: c.type === 'hidden' ? c.value : null,
    options: c.tagName === 'SELECT' ? Array.from(c.options, (o) => o.value) : null,
    label: c.labels && c.labels[0] ? c.labels[0].textContent : null,
    hidden: Boolean(c.closest('[hidden]')), ariaHidden: Boolean(c.closest('[aria-hidden="true"]')),
    tabindex: c.getAttribute('tabindex')}));
  return {method: form.getAttribute('method'), action: form.getAttribute('action'), controls,
          scripts: doc.querySelectorAll('script').length, forms: doc.querySelectorAll('form').length,
          submit: form.querySelector('button[type=submit]') !== null};
}"""


def _row(page: Page, form_id: str) -> Locator:
    return page.locator(f'#forms-rows tr[data-id="{form_id}"]')


def _field_row(page: Page, index: int) -> Locator:
    return page.locator("#form-fields > li").nth(index)


def _set_field(page: Page, index: int, name: str, label: str, type_: str, **props: Any) -> None:
    row = _field_row(page, index)
    row.locator('[data-prop="name"]').fill(name)
    row.locator('[data-prop="label"]').fill(label)
    row.locator('[data-prop="type"]').select_option(type_)
    for prop, value in props.items():
        control = row.locator(f'[data-prop="{prop}"]')
        if prop == "required":
            control.set_checked(bool(value))
        else:
            control.fill(value)


def _form_id() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def _create_quote(page: Page, form_id: str) -> None:
    page.click("#form-new")
    expect(page.locator("#form-editor")).to_be_visible()
    page.fill("#form-id", form_id)
    page.fill("#form-name", "Quote request")
    # A new form starts with one required email field.
    expect(_field_row(page, 0).locator('[data-prop="name"]')).to_have_value("email")
    for _ in range(4):
        page.click("#form-field-add")
    _set_field(page, 1, "plan", "Plan", "select", options="Basic\nPro\n")
    _set_field(page, 2, "qty", "How many", "number", min="1", max="500")
    _set_field(page, 3, "terms", "I agree", "checkbox", required=True)
    _set_field(page, 4, "name", "Your name", "text", required=True, maxLength="80")
    # The name field first: moved up four places.
    for index in (4, 3, 2, 1):
        _field_row(page, index).get_by_role("button", name="Move up").click()
    page.fill("#form-recipients", "sales@example.com\nboss@example.com")
    page.select_option("#form-replyto", "email")
    page.check("#form-auto-on")
    page.fill("#form-auto-subject", "We got your {{form}}")
    page.fill("#form-auto-body", "Reference {{reference}}.")
    with page.expect_request(lambda r: r.method == "PUT") as put:
        page.click("#form-save")
    assert put.value.headers["if-none-match"] == "*"


def test_an_admin_creates_a_form_in_the_editor_and_sees_it_listed(admin_tab: Tab,
                                                                  admin_api: Api) -> None:
    page = admin_tab.page
    open_forms(page)
    expect(_row(page, "contact")).to_be_visible()
    form_id = _form_id()

    _create_quote(page, form_id)

    expect(page.locator("#form-editor")).to_be_hidden()
    row = _row(page, form_id)
    expect(row.locator(".form-name")).to_have_text("Quote request")
    expect(row.locator(".form-fields")).to_have_text("Your name, Email, Plan, How many, I agree")
    stored = admin_api.ok("GET", f"/dashboard/forms/{form_id}").body
    assert [(f["name"], f["type"], f["required"]) for f in stored["fields"]] == [
        ("name", "text", True), ("email", "email", True), ("plan", "select", False),
        ("qty", "number", False), ("terms", "checkbox", True)]
    assert stored["fields"][0]["maxLength"] == 80
    assert stored["fields"][2]["options"] == ["Basic", "Pro"]
    assert (stored["fields"][3]["min"], stored["fields"][3]["max"]) == (1, 500)
    assert stored["recipients"] == ["sales@example.com", "boss@example.com"]
    assert stored["replyTo"] == "email" and stored["extraFields"] == "reject"
    assert stored["autoresponse"] == {"subject": "We got your {{form}}",
                                      "body": "Reference {{reference}}."}
    assert stored["retentionDays"] is None  # left empty: the stage's
    # Saving shows the new form's snippet.
    expect(page.locator("#form-snippet")).to_be_visible()
    expect(page.locator("#form-snippet-title")).to_have_text("HTML snippet: Quote request")
    admin_tab.screenshot("forms")

    # Editing sends the version it read; the list shows the change.
    row.get_by_role("button", name=f"Edit {form_id}").click()
    expect(page.locator("#form-name")).to_have_value("Quote request")
    expect(page.locator("#form-id")).to_be_disabled()
    expect(_field_row(page, 2).locator('[data-prop="options"]')).to_have_value("Basic\nPro")
    _field_row(page, 3).get_by_role("button", name="Remove").click()
    page.fill("#form-name", "Quote")
    expect(page.locator("#form-retention")).to_have_value("")
    page.fill("#form-retention", "30")  # its messages kept 30 days
    with page.expect_request(lambda r: r.method == "PUT") as put:
        page.click("#form-save")
    assert put.value.headers["if-match"] == '"1"'
    expect(row.locator(".form-name")).to_have_text("Quote")
    stored = admin_api.ok("GET", f"/dashboard/forms/{form_id}").body
    assert [f["name"] for f in stored["fields"]] == ["name", "email", "plan", "terms"]
    assert stored["version"] == 2 and stored["retentionDays"] == 30


def test_each_problem_of_a_definition_shows_beside_its_input(admin_tab: Tab) -> None:
    page = admin_tab.page
    open_forms(page)
    page.click("#form-new")
    page.fill("#form-id", "Not An Id")
    page.fill("#form-name", "Broken")
    page.click("#form-field-add")
    page.click("#form-field-add")
    _set_field(page, 1, "email", "Again", "text")
    _set_field(page, 2, "website", "Site", "select")
    page.fill("#form-recipients", "sales@example.com\nnot-an-address")
    page.select_option("#form-replyto", "")
    page.check("#form-auto-on")
    page.fill("#form-auto-subject", "Hello {{name}}")
    page.fill("#form-auto-body", "Thanks.")
    with page.expect_response(lambda r: r.request.method == "PUT") as answer:
        page.click("#form-save")
    assert answer.value.status == 400

    expect(page.locator("#form-id-error")).to_contain_text("Id must be a lower-case letter")
    expect(page.locator("#form-id")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-field-1-name-error")).to_have_text("Name repeats the name of fields[0]")
    expect(page.locator("#form-field-2-name-error")).to_contain_text("Name is reserved")
    expect(page.locator("#form-field-2-options-error")).to_contain_text("are required for a select field")
    expect(page.locator("#form-recipients-error")).to_have_text("Line 2 must be a valid email address")
    expect(page.locator("#form-auto-subject-error")).to_contain_text("may use only the merge tags")
    expect(page.locator("#form-auto-error")).to_contain_text("needs replyTo")
    expect(page.locator("#form-editor-error")).to_have_text("Please correct the fields marked above.")
    expect(page.locator("#form-editor")).to_be_visible()


def test_a_form_changed_since_it_was_opened_is_not_overwritten(admin_tab: Tab,
                                                               admin_api: Api) -> None:
    page = admin_tab.page
    form_id = _form_id()
    definition = {"name": "Booking", "fields": [{"name": "email", "label": "Email", "type": "email"}]}
    admin_api.ok("PUT", f"/dashboard/forms/{form_id}", definition)
    open_forms(page)
    _row(page, form_id).get_by_role("button", name=f"Edit {form_id}").click()
    expect(page.locator("#form-name")).to_have_value("Booking")
    admin_api.ok("PUT", f"/dashboard/forms/{form_id}", {**definition, "name": "Booking (theirs)"})

    page.fill("#form-name", "Booking (mine)")
    with page.expect_response(lambda r: r.request.method == "PUT") as answer:
        page.click("#form-save")
    assert answer.value.status == 412
    expect(page.locator("#form-editor-notice")).to_have_text(
        "This form was changed since you opened it, so your changes were not saved. "
        "Load the latest version, then make your changes again.")
    assert admin_api.ok("GET", f"/dashboard/forms/{form_id}").body["name"] == "Booking (theirs)"

    page.click("#form-reload-latest")
    expect(page.locator("#form-name")).to_have_value("Booking (theirs)")
    expect(page.locator("#form-editor-notice")).to_be_hidden()
    page.fill("#form-name", "Booking (mine)")
    page.click("#form-save")
    expect(_row(page, form_id).locator(".form-name")).to_have_text("Booking (mine)")


def test_an_id_already_taken_is_not_replaced(admin_tab: Tab, admin_api: Api) -> None:
    page = admin_tab.page
    form_id = _form_id()
    admin_api.ok("PUT", f"/dashboard/forms/{form_id}",
                 {"name": "First", "fields": [{"name": "email", "label": "Email", "type": "email"}]})
    open_forms(page)
    page.click("#form-new")
    page.fill("#form-id", form_id)
    page.fill("#form-name", "Second")
    page.click("#form-save")
    expect(page.locator("#form-id-error")).to_have_text(
        "A form with this id already exists: choose another id, or edit that form.")
    assert admin_api.ok("GET", f"/dashboard/forms/{form_id}").body["name"] == "First"


def test_a_form_is_deleted_after_confirming_and_the_contact_form_cannot_be(
        admin_tab: Tab, admin_api: Api) -> None:
    page = admin_tab.page
    form_id = _form_id()
    admin_api.ok("PUT", f"/dashboard/forms/{form_id}",
                 {"name": "Old", "fields": [{"name": "email", "label": "Email", "type": "email"}]})
    open_forms(page)
    expect(_row(page, "contact").get_by_role("button", name="Delete contact")).to_have_count(0)

    row = _row(page, form_id)
    row.get_by_role("button", name=f"Delete {form_id}").click()
    row.get_by_role("button", name=f"Keep {form_id}").click()
    row.get_by_role("button", name=f"Delete {form_id}").click()
    row.get_by_role("button", name=f"Yes, delete {form_id}").click()
    expect(row).to_have_count(0)
    assert admin_api.call("GET", f"/dashboard/forms/{form_id}").status == 404


def test_the_contact_form_can_be_relabelled_but_its_fields_stay_fixed(admin_tab: Tab,
                                                                      admin_api: Api) -> None:
    page = admin_tab.page
    open_forms(page)
    _row(page, "contact").get_by_role("button", name="Edit contact").click()
    first = _field_row(page, 0)
    expect(first.locator('[data-prop="name"]')).to_be_disabled()
    expect(first.locator('[data-prop="type"]')).to_be_disabled()
    expect(first.locator('[data-prop="label"]')).to_be_enabled()
    expect(first.get_by_role("button", name="Remove")).to_have_count(0)
    expect(page.locator("#form-field-add")).to_be_disabled()
    page.click("#form-cancel")
    expect(page.locator("#form-editor")).to_be_hidden()


def test_the_snippet_is_a_plain_form_with_every_field_and_is_copied_whole(
        browser: Browser, stack: dict[str, Any], demo: dict[str, Any], admin_api: Api) -> None:
    form_id = _form_id()
    hostile = 'Size <script>alert(1)</script> & "quotes"'
    admin_api.ok("PUT", f"/dashboard/forms/{form_id}", {"name": "Order", "fields": [
        {"name": "email", "label": "Email", "type": "email", "required": True},
        {"name": "size", "label": hostile, "type": "select",
         "options": ["S</option><script>x</script>", 'M "medium"', "L & XL"]},
        {"name": "qty", "label": "How many", "type": "number", "min": 1, "max": 9.5},
        {"name": "when", "label": "When", "type": "date"},
        {"name": "phone", "label": "Phone", "type": "tel"},
        {"name": "site", "label": "Site", "type": "url", "maxLength": 300},
        {"name": "notes", "label": "Notes", "type": "textarea", "maxLength": 900},
        {"name": "ok", "label": "OK?", "type": "checkbox", "required": True}]})
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack["webUrl"])
    try:
        tab = Tab(context.new_page())
        page = tab.page
        open_forms(page, stack=stack, account=demo["admin"])
        _row(page, form_id).get_by_role("button", name=f"HTML snippet {form_id}").click()
        snippet = page.locator("#form-snippet-code").input_value()
        page.click("#form-snippet-copy")
        expect(page.locator("#form-snippet-status")).to_have_text("Copied to the clipboard.")
        assert page.evaluate("navigator.clipboard.readText()") == snippet
        expect(page.locator("#form-snippet-page")).to_have_attribute(
            "href", f"{stack['webUrl']}/form.html?form={form_id}")
        # Beside it, the API's own page of the form, which works without JavaScript.
        plain = page.locator("#form-snippet-plain")
        expect(plain).to_have_attribute("href", f"{stack['apiUrl']}/forms/{form_id}")
        expect(plain).to_have_text(f"{stack['apiUrl']}/forms/{form_id}")
    finally:
        context.close()

    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    parsed = page_parse(browser, snippet)
    assert parsed["forms"] == 1 and parsed["scripts"] == 0 and parsed["submit"]
    assert parsed["method"] == "post" and parsed["action"] == f"{stack['apiUrl']}/forms/{form_id}"
    controls = {c["name"]: c for c in parsed["controls"]}
    assert list(controls) == ["_next", "email", "size", "qty", "when", "phone", "site", "notes",
                              "ok", "_gotcha"]
    assert controls["_next"]["value"] == f"{stack['webUrl']}/thanks.html"
    assert (controls["email"]["type"], controls["email"]["required"],
            controls["email"]["maxlength"]) == ("email", True, "254")
    assert controls["size"]["label"] == hostile and controls["size"]["tag"] == "select"
    assert controls["size"]["options"] == ["", "S</option><script>x</script>", 'M "medium"', "L & XL"]
    assert (controls["qty"]["type"], controls["qty"]["min"], controls["qty"]["max"]) == (
        "number", "1", "9.5")
    assert [controls[n]["type"] for n in ("when", "phone", "site", "notes", "ok")] == [
        "date", "tel", "url", "textarea", "checkbox"]
    assert (controls["site"]["maxlength"], controls["notes"]["maxlength"]) == ("300", "900")
    assert controls["ok"]["required"] and not controls["site"]["required"]
    honeypot = controls["_gotcha"]
    assert honeypot["hidden"] and honeypot["ariaHidden"] and honeypot["tabindex"] == "-1"


def page_parse(browser: Browser, html: str) -> dict[str, Any]:
    context = browser.new_context()
    try:
        return dict(context.new_page().evaluate(PARSE_SNIPPET, html))
    finally:
        context.close()


def test_the_forms_panel_on_a_phone(browser: Browser, stack: dict[str, Any],
                                    demo: dict[str, Any], admin_api: Api) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  device_scale_factor=2)
    try:
        tab = Tab(context.new_page())
        page = tab.page
        open_forms(page, stack=stack, account=demo["admin"])
        form_id = _form_id()
        _create_quote(page, form_id)
        expect(_row(page, form_id)).to_be_visible()
        expect(page.locator("#form-snippet")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        tab.screenshot("forms-phone")
        _row(page, form_id).get_by_role("button", name=f"Edit {form_id}").click()
        expect(page.locator("#form-editor")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        tab.screenshot("forms-phone-editor")
        assert admin_api.ok("GET", f"/dashboard/forms/{form_id}").body["name"] == "Quote request"
        assert not tab.errors and not tab.csp_violations()
    finally:
        context.close()


# A stack of its own for the 51st form: filling the cap would leave the shared one
# without room.
stack_to_fill = stack_fixture(name="stack_to_fill")


def test_the_51st_form_is_refused_and_the_editor_says_why(browser: Browser,
                                                          stack_to_fill: dict[str, Any]) -> None:
    stack = stack_to_fill
    admin = demo_accounts(stack)["admin"]
    api = signed_in_admin(stack)
    one = {"name": "Filler", "fields": [{"name": "email", "label": "Email", "type": "email"}]}
    for n in range(49):  # the contact form is the 50th
        api.ok("PUT", f"/dashboard/forms/filler-{n}", one)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab = Tab(context.new_page())
        page = tab.page
        open_forms(page, stack=stack, account=admin)
        page.click("#form-new")
        page.fill("#form-id", "one-too-many")
        page.fill("#form-name", "One too many")
        with page.expect_response(lambda r: r.request.method == "PUT") as answer:
            page.click("#form-save")
        assert answer.value.status == 409
        expect(page.locator("#form-editor-error")).to_contain_text(
            "A site has at most 50 forms, the contact form included: delete one you no "
            "longer use first.")
        expect(page.locator("#form-editor")).to_be_visible()
        assert api.call("GET", "/dashboard/forms/one-too-many").status == 404
    finally:
        context.close()
