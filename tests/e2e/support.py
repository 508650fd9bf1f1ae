"""What the browser tests use besides the browser fixtures: the API and Cognito
over plain HTTP (to set up and to check what the pages did), a throwaway web
server for a page on an origin the API does not allow, and the steps many
tests take in the dashboard (signing in, opening the Forms tab)."""
from __future__ import annotations

import functools
import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `make fuzz` imports this module without Playwright installed
    from playwright.sync_api import Page


@dataclass
class HttpAnswer:
    status: int
    headers: Any
    body: Any


def http(method: str, url: str, body: Any = None,
         headers: dict[str, str] | None = None) -> HttpAnswer:
    data = None if body is None else json.dumps(body).encode()
    all_headers = dict(headers or {})
    if data is not None:
        all_headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw, status, response_headers = response.read(), response.status, response.headers
    except urllib.error.HTTPError as error:
        raw, status, response_headers = error.read(), error.code, error.headers
    text = raw.decode() if raw else ""
    try:
        parsed = json.loads(text) if text else None
    except ValueError:
        parsed = text
    return HttpAnswer(status, response_headers, parsed)


def cognito_sign_in(stack: dict[str, Any], username: str, password: str) -> dict[str, str]:
    """USER_PASSWORD_AUTH against the stack's Cognito, as the web page does it."""
    request = urllib.request.Request(
        stack["cognitoEndpoint"], method="POST",
        data=json.dumps({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": stack["userPoolClientId"],
                         "AuthParameters": {"USERNAME": username, "PASSWORD": password}}).encode(),
        headers={"Content-Type": "application/x-amz-json-1.1",
                 "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read())["AuthenticationResult"])


class Api:
    """The Frontdesk API as an admin script would call it."""

    def __init__(self, api_url: str, id_token: str | None = None) -> None:
        self.api_url = api_url
        self.id_token = id_token

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> HttpAnswer:
        all_headers = dict(headers or {})
        if self.id_token:
            all_headers["Authorization"] = f"Bearer {self.id_token}"
        return http(method, self.api_url + path, body, all_headers)

    def ok(self, method: str, path: str, body: Any = None,
           headers: dict[str, str] | None = None) -> HttpAnswer:
        answer = self.call(method, path, body, headers)
        assert 200 <= answer.status < 300, (method, path, answer.status, answer.body)
        return answer

    def all_messages(self, status: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            query = f"?status={status}&limit=100" + (f"&cursor={cursor}" if cursor else "")
            page = self.ok("GET", "/dashboard/messages" + query).body
            items += page["items"]
            cursor = page["nextCursor"]
            if not cursor:
                return items

    def messages_containing(self, text: str) -> list[dict[str, Any]]:
        """Every stored message, in any status, whose body contains `text`."""
        found = []
        for status in ("new", "read", "archived"):
            found += [m for m in self.all_messages(status) if text in (m.get("message") or "")]
        return found


def sign_in_page(page: Page, stack: dict[str, Any], account: dict[str, Any]) -> None:
    """admin.html's sign-in form, filled in and sent (not waiting for what follows)."""
    page.goto(stack["webUrl"] + "/admin.html")
    page.locator("#view-signin").wait_for()
    page.fill("#signin-email", account["username"])
    page.fill("#signin-password", account["password"])
    page.click("#signin-submit")


def open_forms(page: Page, *, stack: dict[str, Any] | None = None,
               account: dict[str, Any] | None = None) -> None:
    """The dashboard's Forms tab with its list loaded; signed in as `account`
    first when one is given (else the page is on the dashboard already)."""
    from playwright.sync_api import expect
    if account is not None:
        assert stack is not None, "signing in needs the stack's addresses"
        sign_in_page(page, stack, account)
        page.locator("#view-dashboard").wait_for()
    with page.expect_response(lambda r: r.url.endswith("/dashboard/forms")
                              and r.request.method == "GET"):
        page.click("#tab-forms")
    expect(page.locator("#panel-forms")).to_be_visible()


class StaticSite:
    """A web server for one folder on its own free port: its own origin."""

    def __init__(self, folder: Path, port: int, host: str = "127.0.0.1") -> None:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self._server = ThreadingHTTPServer((host, port), handler)
        self.origin = f"http://{host}:{port}"

    def __enter__(self) -> StaticSite:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


# Every visible element matching the selector that reaches past the viewport's
# left or right edge (its text, cut short): on a phone, what the person cannot
# see without scrolling the whole page sideways.
PAST_THE_EDGE = """(selector) => {
  const width = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll(selector))
    .filter((e) => e.getClientRects().length > 0)
    .filter((e) => { const r = e.getBoundingClientRect();
                     return r.width > 0 && (r.left < -0.5 || r.right > width + 0.5); })
    .map((e) => (e.id || e.className || e.tagName) + ': ' + e.textContent.trim().slice(0, 40));
}"""
