"""The site's security headers as a browser enforces them: the pages are served
with the one definition (infra/web_headers.py), an inline script does not run,
and the admin page cannot be framed. That the pages still work under this
policy is what every other e2e test shows: the tab fixture fails any test
during which the page hit the CSP."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.web_headers import security_headers
from tests.e2e.conftest import Tab
from tests.e2e.support import StaticSite
from tests.support.ports import free_port

INJECT = """() => new Promise((resolve) => {
    const seen = [];
    document.addEventListener('securitypolicyviolation',
                              (event) => seen.push(event.effectiveDirective));
    const script = document.createElement('script');
    script.textContent = 'window.__inline = "script ran"';
    document.head.append(script);
    const button = document.createElement('button');
    button.setAttribute('onclick', 'window.__inline = "handler ran"');
    document.body.append(button);
    button.click();
    // Violation events are queued as tasks: let them arrive.
    setTimeout(() => resolve({ran: window.__inline ?? null, violations: seen}), 200);
})"""


@pytest.mark.parametrize("path", ["/", "/admin.html", "/form.html?form=contact"])
def test_each_page_is_served_with_the_defined_headers(tab: Tab, stack: dict[str, Any],
                                                      path: str) -> None:
    response = tab.page.goto(stack["webUrl"] + path)
    assert response is not None and response.ok
    expected = security_headers(stack["apiUrl"], stack["cognitoEndpoint"])
    served = response.headers  # lower-cased names
    assert {name: served.get(name.lower()) for name in expected} == expected


def test_an_inline_script_and_an_inline_handler_are_blocked(tab: Tab,
                                                            stack: dict[str, Any]) -> None:
    tab.expects_csp_violations = True
    page = tab.page
    page.goto(stack["webUrl"] + "/")
    page.locator("#contact-form").wait_for()

    result = page.evaluate(INJECT)

    assert result["ran"] is None
    assert set(result["violations"]) == {"script-src-elem", "script-src-attr"}
    assert any("inline script" in text for text in tab.csp_violations()), tab.console_text()


@pytest.fixture
def framing_site(tmp_path: Path, stack: dict[str, Any]) -> Iterator[StaticSite]:
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>Clickjacker</title>"
        f'<iframe id="victim" src="{stack["webUrl"]}/admin.html" width="800" height="600"></iframe>')
    with StaticSite(tmp_path, free_port()) as site:
        yield site


def test_the_admin_page_refuses_to_be_framed(tab: Tab, stack: dict[str, Any],
                                             framing_site: StaticSite) -> None:
    tab.expects_csp_violations = True
    page = tab.page
    with page.expect_event("console", lambda m: "frame-ancestors" in m.text):
        page.goto(framing_site.origin + "/")
    (frame,) = [f for f in page.frames if f is not page.main_frame]
    assert frame.url != stack["webUrl"] + "/admin.html"  # Chromium shows its error page instead
    assert frame.locator("#view-signin, #view-loading").count() == 0
    tab.screenshot("admin-framed")

    # The same page opened directly works: only framing is refused.
    page.goto(stack["webUrl"] + "/admin.html")
    page.locator("#view-signin").wait_for()
