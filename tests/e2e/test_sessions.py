"""Signing in and out of the dashboard, and what each kind of session sees."""
from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Tab, sign_in


def test_wrong_password_stays_on_sign_in_with_a_message(tab: Tab, stack: dict[str, Any],
                                                        demo: dict[str, Any]) -> None:
    sign_in(tab, stack, {**demo["admin"], "password": "not-the-password"})
    expect(tab.page.locator("#signin-error")).to_have_text("Incorrect email or password.")
    expect(tab.page.locator("#view-signin")).to_be_visible()
    tab.screenshot("sign-in-error")


def test_admin_signs_in_to_the_dashboard_with_stats(admin_tab: Tab, demo: dict[str, Any]) -> None:
    page = admin_tab.page
    expect(page.locator("#whoami-email")).to_have_text(demo["admin"]["username"])
    expect(page.locator("#panel-messages")).to_be_visible()
    # The header shows the API's counters, whatever they are right now.
    expect(page.locator("#stat-users")).to_have_text(re.compile(r"^\d+$"))
    admin_tab.screenshot("dashboard")


def test_plain_user_sees_the_not_allowed_page(tab: Tab, stack: dict[str, Any],
                                              demo: dict[str, Any]) -> None:
    sign_in(tab, stack, demo["user"])
    page = tab.page
    expect(page.locator("#view-forbidden")).to_be_visible()
    expect(page.locator("#view-forbidden h1")).to_have_text("Not allowed")
    expect(page.locator("#forbidden-email")).to_have_text(demo["user"]["username"])
    expect(page.locator("#view-dashboard")).to_be_hidden()
    tab.screenshot("forbidden")


def test_plain_user_reaching_the_dashboard_anyway_gets_not_allowed(
        tab: Tab, stack: dict[str, Any], demo: dict[str, Any]) -> None:
    """The page is not the guard: the API's 403 on an admin route shows the same page."""
    sign_in(tab, stack, demo["user"])
    page = tab.page
    expect(page.locator("#view-forbidden")).to_be_visible()
    with page.expect_response(lambda r: "/users" in r.url and r.request.method == "GET") as answer:
        page.evaluate("""() => {
            for (const id of ['view-forbidden']) document.getElementById(id).hidden = true;
            document.getElementById('view-dashboard').hidden = false;
            location.hash = '#users';
            document.getElementById('panel-users').hidden = false;
            document.getElementById('users-reload').click();
        }""")
    assert answer.value.status == 403
    expect(page.locator("#view-forbidden")).to_be_visible()
    expect(page.locator("#view-dashboard")).to_be_hidden()


def _tampered(token: str) -> str:
    """The same claims with a signature that no longer matches."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["cognito:groups"] = ["admin", "root"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _on_users_tab(tab: Tab) -> None:
    with tab.page.expect_response(lambda r: "/users?" in r.url and r.status == 200):
        tab.page.click("#tab-users")


def _session(tab: Tab) -> dict[str, Any]:
    return json.loads(tab.page.evaluate("sessionStorage.getItem('frontdesk.session')"))


def _set_session(tab: Tab, session: dict[str, Any]) -> None:
    tab.page.evaluate("s => sessionStorage.setItem('frontdesk.session', s)", json.dumps(session))


def test_invalid_token_without_a_usable_refresh_goes_back_to_sign_in(admin_tab: Tab) -> None:
    page = admin_tab.page
    _on_users_tab(admin_tab)
    session = _session(admin_tab)
    _set_session(admin_tab, {**session, "idToken": _tampered(session["idToken"]),
                             "refreshToken": "no-such-refresh-token"})
    with page.expect_response(lambda r: "/users?" in r.url
                              and r.request.method == "GET") as answer:
        page.click("#users-reload")
    assert answer.value.status == 401
    expect(page.locator("#view-signin")).to_be_visible()
    expect(page.locator("#signin-notice")).to_have_text(
        "Your session has ended. Please sign in again.")
    assert page.evaluate("sessionStorage.getItem('frontdesk.session')") is None
    admin_tab.screenshot("session-ended")


def test_rejected_token_is_refreshed_once_and_the_call_retried(admin_tab: Tab) -> None:
    page = admin_tab.page
    _on_users_tab(admin_tab)
    session = _session(admin_tab)
    _set_session(admin_tab, {**session, "idToken": _tampered(session["idToken"])})
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status)
            if "/users?" in r.url and r.request.method == "GET" else None)
    with page.expect_response(lambda r: "/users?" in r.url
                              and r.request.method == "GET" and r.status == 200):
        page.click("#users-reload")
    assert statuses[:2] == [401, 200]
    expect(page.locator("#view-dashboard")).to_be_visible()
    assert _session(admin_tab)["idToken"] != _tampered(session["idToken"])


def test_expired_token_is_refreshed_before_the_call(admin_tab: Tab) -> None:
    page = admin_tab.page
    _on_users_tab(admin_tab)
    session = _session(admin_tab)
    _set_session(admin_tab, {**session, "expiresAt": 1})  # long past
    with page.expect_request(lambda r: r.method == "POST"
                             and r.headers.get("x-amz-target", "").endswith("InitiateAuth")
                             and "REFRESH_TOKEN_AUTH" in (r.post_data or "")), \
            page.expect_response(lambda r: "/users?" in r.url) as answer:
        page.click("#users-reload")
    assert answer.value.status == 200
    expect(page.locator("#view-dashboard")).to_be_visible()
    assert _session(admin_tab)["expiresAt"] > time.time() * 1000


def test_expired_token_with_a_revoked_refresh_goes_back_to_sign_in(admin_tab: Tab) -> None:
    page = admin_tab.page
    _on_users_tab(admin_tab)
    session = _session(admin_tab)
    _set_session(admin_tab, {**session, "expiresAt": 1, "refreshToken": "revoked"})
    page.click("#users-reload")
    expect(page.locator("#view-signin")).to_be_visible()
    expect(page.locator("#signin-notice")).to_have_text(
        "Your session has ended. Please sign in again.")


def test_sign_out_ends_the_session(admin_tab: Tab) -> None:
    page = admin_tab.page
    page.click("#sign-out")
    expect(page.locator("#view-signin")).to_be_visible()
    page.reload()
    expect(page.locator("#view-signin")).to_be_visible()
