"""The browser-test world: the real local stack (`python -m devstack`, what
`make dev` runs) on free ports, Debian's Chromium driven by Playwright, and a
fresh browser context per test.

Run by `make e2e`, never by `make test` (pytest.ini ignores this folder unless
it is named on the command line).
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from tests.e2e.support import Api, demo_accounts, sign_in_page, signed_in_admin
from tests.support import local_stack

PROJECT_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_DIR / "artifacts" / "e2e"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Playwright's own browser download does not work here; Debian's Chromium does,
# with these flags. The background-networking ones stop it calling out.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# Every stack here: the whole session posts from one address, and the contact
# form's rate limit is not what these tests check (tests/contact does).
COMMON_ENV = {"CONTACT_RATE_LIMIT": "1000"}


def stack_fixture(env: dict[str, str] | None = None, *, name: str = "stack",
                  scope: Literal["session", "module", "function"] = "module") -> Any:
    """A fixture `name`: `python -m devstack` on free ports with COMMON_ENV and
    `env` (e.g. CAPTCHA_PROVIDER). The session shares one (`stack`, below); a
    module that needs other settings, or state no other module touches, says
    `stack = stack_fixture(...)`, and `demo` and `admin_api` follow it."""
    def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
        with local_stack.running_stack(tmp_path_factory.mktemp(name),
                                       **{**COMMON_ENV, **(env or {})}) as stack:
            assert "webUrl" in stack.info, "the stack serves web/ only when the folder exists"
            yield stack.info

    return pytest.fixture(scope=scope, name=name)(running)


stack = stack_fixture(scope="session")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make e2e does, as root)")
    with sync_playwright() as playwright:
        # launch() gives every run a fresh, temporary user-data-dir of its own.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A page in a fresh browser context, with what it said and did."""
    page: Page
    console: list[ConsoleMessage] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    # Only a test that provokes the site's CSP on purpose sets this.
    expects_csp_violations: bool = False

    def console_text(self) -> list[str]:
        return [f"{m.type}: {m.text}" for m in self.console]

    def csp_violations(self) -> list[str]:
        return [text for text in self.console_text() if "Content Security Policy" in text]

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = Tab(page)
    page.on("console", lambda message: tab.console.append(message))
    page.on("pageerror", lambda error: tab.errors.append(str(error)))

    def on_dialog(dialog: Dialog) -> None:
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield tab
    context.close()
    # An uncaught exception in the page is a bug even when the test's own checks passed.
    assert not tab.errors, f"uncaught errors in the page: {tab.errors}"
    # The pages work under the served CSP: nothing they do is blocked by it.
    assert tab.expects_csp_violations or not tab.csp_violations(), tab.csp_violations()


@pytest.fixture(scope="module")
def demo(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The stack's demo accounts: 'admin', 'user' and 'mfa' (an admin with TOTP on)."""
    return demo_accounts(stack)


@pytest.fixture(scope="module")
def admin_api(stack: dict[str, Any]) -> Api:
    return signed_in_admin(stack)


def sign_in(tab: Tab, stack: dict[str, Any], account: dict[str, Any]) -> None:
    sign_in_page(tab.page, stack, account)


@contextmanager
def phone_tab(browser: Browser, stack: dict[str, Any], account: dict[str, Any]) -> Iterator[Tab]:
    """A phone-sized page signed in as `account`, on the dashboard."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  device_scale_factor=2)
    try:
        tab = Tab(context.new_page())
        sign_in(tab, stack, account)
        tab.page.locator("#view-dashboard").wait_for()
        yield tab
    finally:
        context.close()


@pytest.fixture
def blocked_word(admin_api: Api) -> Iterator[str]:
    """A word of its own in the stage's spam rules: only this test's posts are spam."""
    before = admin_api.ok("GET", "/dashboard/spam-rules").body
    word = f"spamword{uuid.uuid4().hex[:8]}"
    admin_api.ok("PUT", "/dashboard/spam-rules", {**before, "blockedWords": [word]})
    yield word
    admin_api.ok("PUT", "/dashboard/spam-rules", before)


@pytest.fixture
def admin_tab(tab: Tab, stack: dict[str, Any], demo: dict[str, dict[str, Any]]) -> Tab:
    """A tab signed in as the demo admin, on the dashboard."""
    sign_in(tab, stack, demo["admin"])
    tab.page.locator("#view-dashboard").wait_for()
    return tab
