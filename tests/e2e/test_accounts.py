"""An admin's account from invitation to MFA, in the browser: `make admin`, the
first password, a forgotten password, the authenticator app, and sign-out
revoking the refresh token."""
from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PROJECT_DIR, Tab, sign_in
from tests.e2e.support import http
from tests.support.totp import fresh_totp, totp

PASSWORD = "Chosen-Passw0rd!"


def _email(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:10]}@example.com"


def _cognito(stack: dict[str, Any]) -> Any:
    return boto3.client("cognito-idp", endpoint_url=stack["cognitoEndpoint"],
                        region_name=stack["region"], aws_access_key_id="local",
                        aws_secret_access_key="local")


def make_admin(stack: dict[str, Any], email: str, tmp_path: Path) -> str:
    """`make admin EMAIL=…` against this test's stack; returns the printed password."""
    stack_file = tmp_path / "stack.json"
    stack_file.write_text(json.dumps(stack))
    env = {k: v for k, v in os.environ.items() if k not in ("STAGE", "AWS_ENDPOINT_URL")}
    result = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "admin", f"EMAIL={email}",
         f"STACK_FILE={stack_file}"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    (password,) = [line.removeprefix("Temporary password: ")
                   for line in result.stdout.splitlines() if line.startswith("Temporary password: ")]
    return password


def admin_with_password(stack: dict[str, Any], email: str) -> dict[str, Any]:
    cognito = _cognito(stack)
    cognito.admin_create_user(UserPoolId=stack["userPoolId"], Username=email,
                              MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email},
                                              {"Name": "email_verified", "Value": "true"}])
    cognito.admin_set_user_password(UserPoolId=stack["userPoolId"], Username=email,
                                    Password=PASSWORD, Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=stack["userPoolId"], Username=email,
                                    GroupName="admin")
    return {"username": email, "password": PASSWORD}


def _session(page: Page) -> dict[str, Any]:
    return dict(json.loads(page.evaluate("sessionStorage.getItem('frontdesk.session')")))


def test_a_new_admin_from_make_admin_chooses_a_password_and_reaches_the_dashboard(
        tab: Tab, stack: dict[str, Any], tmp_path: Path) -> None:
    email = _email("invited")
    temporary = make_admin(stack, email, tmp_path)
    page = tab.page
    sign_in(tab, stack, {"username": email, "password": temporary})

    expect(page.locator("#view-newpassword")).to_be_visible()
    expect(page.locator("#view-newpassword h1")).to_have_text("Choose your password")
    rules = page.locator("#newpassword-rules li")
    expect(rules.first).to_have_text("at least 12 characters")
    expect(rules).to_contain_text(["an uppercase letter", "a number", "a symbol"])
    expect(page.locator("#whoami")).to_be_hidden()

    page.fill("#newpassword-password", "too-short")
    page.click("#newpassword-submit")
    error = page.locator("#newpassword-error")
    expect(error).to_contain_text("password policy")  # Cognito's own reason
    expect(page.locator("#newpassword-password")).to_have_attribute("aria-invalid", "true")
    tab.screenshot("choose-password-refused")

    page.fill("#newpassword-password", PASSWORD)
    page.click("#newpassword-submit")
    expect(page.locator("#view-dashboard")).to_be_visible()
    expect(page.locator("#whoami-email")).to_have_text(email)
    # The chosen password is the account's from now on.
    assert _cognito(stack).initiate_auth(
        ClientId=stack["userPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})["AuthenticationResult"]


def _request_code(page: Page, email: str) -> Any:
    page.click("#forgot-open")
    expect(page.locator("#view-forgot")).to_be_visible()
    page.fill("#forgot-email", email)
    with page.expect_response(lambda r: "ForgotPassword" in (
            r.request.headers.get("x-amz-target") or "")) as answer:
        page.click("#forgot-request-submit")
    expect(page.locator("#forgot-confirm-form")).to_be_visible()
    return answer.value


def test_forgot_password_from_request_to_signing_in_with_the_new_one(
        tab: Tab, stack: dict[str, Any]) -> None:
    account = admin_with_password(stack, _email("forgetful"))
    page = tab.page
    page.goto(stack["webUrl"] + "/admin.html")
    response = _request_code(page, account["username"])
    # moto returns the code in a header instead of emailing it (docs/deploy.md says how to read it).
    code = response.all_headers()["x-moto-forgot-password-confirmation-code"]
    expect(page.locator("#forgot-sent")).to_have_text(
        "If an account exists for that address, we have sent a code to it.")

    wrong_code = code[:-1] + ("1" if code[-1] == "0" else "0")
    page.fill("#forgot-code", wrong_code)
    page.fill("#forgot-password", "Forgotten-Passw0rd!")
    page.click("#forgot-confirm-submit")
    expect(page.locator("#forgot-code-error")).to_have_text(
        "That code is wrong or has expired. Check it, or ask for a new one.")

    page.fill("#forgot-code", code)
    page.click("#forgot-confirm-submit")
    expect(page.locator("#view-signin")).to_be_visible()
    expect(page.locator("#signin-notice")).to_have_text(
        "Your password has been changed. Sign in with the new one.")
    page.fill("#signin-email", account["username"])
    page.fill("#signin-password", "Forgotten-Passw0rd!")
    page.click("#signin-submit")
    expect(page.locator("#view-dashboard")).to_be_visible()


def test_forgot_password_looks_the_same_for_an_address_with_no_account(
        tab: Tab, stack: dict[str, Any]) -> None:
    page = tab.page
    page.goto(stack["webUrl"] + "/admin.html")
    response = _request_code(page, _email("nobody"))
    assert response.status == 200
    expect(page.locator("#forgot-sent")).to_have_text(
        "If an account exists for that address, we have sent a code to it.")
    page.fill("#forgot-code", "123456")
    page.fill("#forgot-password", "Forgotten-Passw0rd!")
    page.click("#forgot-confirm-submit")
    expect(page.locator("#forgot-code-error")).to_have_text(
        "That code is wrong or has expired. Check it, or ask for a new one.")
    expect(page.locator("#forgot-password-error")).to_be_hidden()


def test_mfa_set_up_then_sign_in_with_a_code_from_the_app(tab: Tab,
                                                          stack: dict[str, Any]) -> None:
    account = admin_with_password(stack, _email("careful"))
    page = tab.page
    sign_in(tab, stack, account)
    expect(page.locator("#view-dashboard")).to_be_visible()

    page.click("#mfa-open")
    expect(page.locator("#view-mfasetup")).to_be_visible()
    qr = page.locator("#mfasetup-qr")
    expect(qr).to_be_visible()
    assert (qr.get_attribute("src") or "").startswith("data:image/gif;base64,")
    assert page.evaluate("document.getElementById('mfasetup-qr').naturalWidth") > 100
    secret = page.locator("#mfasetup-secret").inner_text().strip()
    assert secret
    tab.screenshot("mfa-set-up")

    wrong = f"{(int(totp(secret, time.time())) + 1) % 1_000_000:06d}"
    page.fill("#mfasetup-code", wrong)
    page.click("#mfasetup-submit")
    expect(page.locator("#mfasetup-error")).to_have_text(
        "That code is not right. Check the app and try again.")
    page.fill("#mfasetup-code", fresh_totp(secret))
    page.click("#mfasetup-submit")
    expect(page.locator("#view-dashboard")).to_be_visible()

    page.click("#sign-out")
    expect(page.locator("#view-signin")).to_be_visible()
    sign_in(tab, stack, account)
    expect(page.locator("#view-totp")).to_be_visible()
    page.fill("#totp-code", fresh_totp(secret))
    page.click("#totp-submit")
    expect(page.locator("#view-dashboard")).to_be_visible()
    expect(page.locator("#whoami-email")).to_have_text(account["username"])


def test_the_mfa_demo_account_signs_in_with_its_code(tab: Tab, stack: dict[str, Any],
                                                     demo: dict[str, Any]) -> None:
    page = tab.page
    sign_in(tab, stack, demo["mfa"])
    expect(page.locator("#view-totp")).to_be_visible()
    page.fill("#totp-code", "12345")
    page.click("#totp-submit")
    expect(page.locator("#totp-error")).to_have_text("Enter the 6 digits the app shows.")
    page.fill("#totp-code", fresh_totp(demo["mfa"]["totpSecret"]))
    page.click("#totp-submit")
    expect(page.locator("#view-dashboard")).to_be_visible()


def _refresh(stack: dict[str, Any], refresh_token: str) -> Any:
    return http("POST", stack["cognitoEndpoint"], {
        "AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": stack["userPoolClientId"],
        "AuthParameters": {"REFRESH_TOKEN": refresh_token}},
        {"Content-Type": "application/x-amz-json-1.1",
         "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"})


def test_sign_out_revokes_the_refresh_token(tab: Tab, stack: dict[str, Any]) -> None:
    account = admin_with_password(stack, _email("leaving"))
    page = tab.page
    sign_in(tab, stack, account)
    expect(page.locator("#view-dashboard")).to_be_visible()
    refresh_token = _session(page)["refreshToken"]
    assert _refresh(stack, refresh_token).status == 200  # a copy works while signed in

    with page.expect_response(lambda r: "GlobalSignOut" in (
            r.request.headers.get("x-amz-target") or "")) as answer:
        page.click("#sign-out")
    assert answer.value.status == 200
    expect(page.locator("#view-signin")).to_be_visible()
    expect(page.locator("#whoami")).to_be_hidden()
    refused = _refresh(stack, refresh_token)
    assert refused.status == 400
    assert "NotAuthorizedException" in refused.body["__type"]


def test_a_pool_that_requires_mfa_leads_a_new_admin_into_the_set_up(
        tab: Tab, stack: dict[str, Any], tmp_path: Path) -> None:
    """MFA_SETUP: prod's setting, tried on this stack's pool for the length of the test."""
    cognito = _cognito(stack)
    email = _email("prod-like")
    temporary = make_admin(stack, email, tmp_path)
    cognito.set_user_pool_mfa_config(UserPoolId=stack["userPoolId"], MfaConfiguration="ON",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    try:
        page = tab.page
        sign_in(tab, stack, {"username": email, "password": temporary})
        expect(page.locator("#view-newpassword")).to_be_visible()
        page.fill("#newpassword-password", PASSWORD)
        page.click("#newpassword-submit")

        expect(page.locator("#view-mfasetup")).to_be_visible()
        expect(page.locator("#mfasetup-required")).to_be_visible()
        expect(page.locator("#mfasetup-cancel")).to_be_hidden()
        expect(page.locator("#whoami")).to_be_hidden()
        secret = page.locator("#mfasetup-secret").inner_text().strip()
        page.fill("#mfasetup-code", fresh_totp(secret))
        page.click("#mfasetup-submit")
        expect(page.locator("#view-dashboard")).to_be_visible()
        expect(page.locator("#whoami-email")).to_have_text(email)
    finally:
        cognito.set_user_pool_mfa_config(UserPoolId=stack["userPoolId"], MfaConfiguration="OFF",
                                         SoftwareTokenMfaConfiguration={"Enabled": False})
    # TOTP is on for the account: the next sign-in asks for a code.
    answer = cognito.initiate_auth(ClientId=stack["userPoolClientId"],
                                   AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})
    assert answer["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_a_code_step_whose_cognito_session_expired_starts_sign_in_again(
        tab: Tab, stack: dict[str, Any], demo: dict[str, Any]) -> None:
    page = tab.page
    sign_in(tab, stack, demo["mfa"])
    expect(page.locator("#view-totp")).to_be_visible()

    def expired(route: Any) -> None:
        if route.request.headers.get("x-amz-target", "").endswith("RespondToAuthChallenge"):
            route.fulfill(status=400, content_type="application/x-amz-json-1.1",
                          headers={"Access-Control-Allow-Origin": "*"},
                          body=json.dumps({"__type": "NotAuthorizedException",
                                           "message": "Invalid session for the user, session is expired."}))
        else:
            route.continue_()

    page.route(stack["cognitoEndpoint"].rstrip("/") + "/**", expired)
    page.fill("#totp-code", fresh_totp(demo["mfa"]["totpSecret"]))
    page.click("#totp-submit")
    expect(page.locator("#view-signin")).to_be_visible()
    expect(page.locator("#signin-notice")).to_have_text(
        "That sign-in step took too long. Please sign in again.")
