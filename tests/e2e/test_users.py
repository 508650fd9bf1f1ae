"""The users panel: create, edit (with If-Match, and a stale edit's 412), delete."""
from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Tab
from tests.e2e.support import Api


def _open_users(page: Page) -> None:
    with page.expect_response(lambda r: "/users?" in r.url and r.request.method == "GET"):
        page.click("#tab-users")
    expect(page.locator("#panel-users")).to_be_visible()


def _row(page: Page, email: str) -> Any:
    return page.locator(f'#users-rows tr[data-email="{email}"]')


def _create(page: Page, name: str, email: str, age: str = "") -> None:
    page.click("#user-new")
    page.fill("#user-name", name)
    page.fill("#user-email", email)
    page.fill("#user-age", age)
    page.click("#user-save")


def _unique_email() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}@example.com"


def test_admin_creates_edits_and_deletes_a_user(admin_tab: Tab, admin_api: Api) -> None:
    page = admin_tab.page
    _open_users(page)
    email = _unique_email()

    _create(page, "Ada Lovelace", email, "36")
    row = _row(page, email)
    expect(row.locator(".user-name")).to_have_text("Ada Lovelace")
    expect(row.locator(".user-age")).to_have_text("36")
    expect(page.locator("#user-form")).to_be_hidden()
    stored = admin_api.ok("GET", f"/users?email={email}").body["items"]
    assert [(u["name"], u["age"]) for u in stored] == [("Ada Lovelace", 36)]
    admin_tab.screenshot("users")

    row.get_by_role("button", name=f"Edit {email}").click()
    expect(page.locator("#user-name")).to_have_value("Ada Lovelace")
    page.fill("#user-name", "Ada King")
    page.fill("#user-age", "")
    with page.expect_request(lambda r: r.method == "PATCH") as patch:
        page.click("#user-save")
    assert patch.value.headers["if-match"] == '"1"'
    assert patch.value.post_data_json == {"name": "Ada King", "age": None}
    expect(row.locator(".user-name")).to_have_text("Ada King")
    expect(row.locator(".user-age")).to_have_text("")
    user = admin_api.ok("GET", f"/users?email={email}").body["items"][0]
    assert user["name"] == "Ada King" and "age" not in user

    row.get_by_role("button", name=f"Delete {email}").click()
    row.get_by_role("button", name=f"Yes, delete {email}").click()
    expect(row).to_have_count(0)
    assert admin_api.ok("GET", f"/users?email={email}").body["items"] == []


def test_stale_edit_shows_the_conflict_and_can_be_redone(admin_tab: Tab, admin_api: Api) -> None:
    page = admin_tab.page
    email = _unique_email()
    created = admin_api.ok("POST", "/users", {"name": "Grace Hopper", "email": email})
    _open_users(page)
    row = _row(page, email)
    row.get_by_role("button", name=f"Edit {email}").click()
    expect(page.locator("#user-name")).to_have_value("Grace Hopper")

    # Someone else saves a change after this form was filled.
    admin_api.ok("PATCH", f"/users/{created.body['id']}", {"name": "Grace B. Hopper"},
                 headers={"If-Match": created.headers["ETag"]})

    page.fill("#user-name", "Rear Admiral Hopper")
    with page.expect_response(lambda r: r.request.method == "PATCH") as answer:
        page.click("#user-save")
    assert answer.value.status == 412
    notice = page.locator("#user-form-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Someone else changed this user after you opened it")
    expect(notice).to_contain_text("your changes were not saved")
    admin_tab.screenshot("users-stale-edit")
    # Nothing was overwritten.
    assert admin_api.ok("GET", f"/users/{created.body['id']}").body["name"] == "Grace B. Hopper"

    page.click("#user-reload-latest")
    expect(page.locator("#user-name")).to_have_value("Grace B. Hopper")
    expect(notice).to_be_hidden()
    page.fill("#user-name", "Rear Admiral Hopper")
    page.click("#user-save")
    expect(row.locator(".user-name")).to_have_text("Rear Admiral Hopper")
    assert admin_api.ok("GET", f"/users/{created.body['id']}").body["name"] == "Rear Admiral Hopper"


def test_create_shows_each_fields_error_and_a_taken_email(admin_tab: Tab, admin_api: Api) -> None:
    page = admin_tab.page
    _open_users(page)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        _create(page, "A", "not-an-email", "12")
    response = answer.value
    assert response.status == 400
    details = {d["field"]: d["message"] for d in response.json()["error"]["details"]}
    assert set(details) == {"name", "email", "age"}
    for field, message in details.items():
        expect(page.locator(f"#user-{field}-error")).to_have_text(message)
        expect(page.locator(f"#user-{field}")).to_have_attribute("aria-invalid", "true")
        described_by = page.locator(f"#user-{field}").get_attribute("aria-describedby") or ""
        assert f"user-{field}-error" in described_by.split()

    taken = _unique_email()
    admin_api.ok("POST", "/users", {"name": "First Owner", "email": taken})
    page.fill("#user-name", "Second Owner")
    page.fill("#user-email", taken)
    page.fill("#user-age", "")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#user-save")
    assert answer.value.status == 409
    expect(page.locator("#user-email-error")).to_have_text(answer.value.json()["error"]["message"])
    expect(page.locator("#user-name-error")).to_be_hidden()


def test_users_list_pages_forward_and_back(admin_tab: Tab, admin_api: Api) -> None:
    for n in range(11):  # one more than the panel's page size
        admin_api.ok("POST", "/users", {"name": f"Pager {n:02d}", "email": _unique_email()})
    page = admin_tab.page
    _open_users(page)
    rows = page.locator("#users-rows tr")
    expect(rows).to_have_count(10)
    first_page = rows.locator(".user-email").all_inner_texts()
    expect(page.locator('#users-pager [data-page="next"]')).to_be_enabled()
    page.click('#users-pager [data-page="next"]')
    expect(page.locator('#users-pager [data-page="label"]')).to_have_text("Page 2")
    expect(rows.first).to_be_visible()
    second_page = rows.locator(".user-email").all_inner_texts()
    assert second_page and not set(first_page) & set(second_page)
    page.click('#users-pager [data-page="prev"]')
    expect(page.locator('#users-pager [data-page="label"]')).to_have_text("Page 1")
    expect(rows.locator(".user-email")).to_have_text(first_page)


def test_a_save_retried_after_a_lost_answer_creates_one_user(admin_tab: Tab,
                                                             admin_api: Api) -> None:
    page = admin_tab.page
    _open_users(page)
    email = _unique_email()
    keys: list[str] = []

    def lose_the_first_answer(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fetch()  # the API creates the user; the browser never hears back
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/users", lose_the_first_answer)
    _create(page, "Grace Hopper", email, "85")
    expect(page.locator("#user-form-error")).to_be_visible()
    page.click("#user-save")
    expect(_row(page, email)).to_have_count(1)
    expect(page.locator("#user-form")).to_be_hidden()
    assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) >= 8
    assert len(admin_api.ok("GET", f"/users?email={email}").body["items"]) == 1

    _create(page, "Someone Else", _unique_email())
    expect(page.locator("#user-form")).to_be_hidden()
    assert len(keys) == 3 and keys[2] != keys[0]  # a new creation, a new key
