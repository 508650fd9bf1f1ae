"""CORS as a browser enforces it: a page from an origin the API does not allow
cannot read its answers; the web frontend's own origin can."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Tab
from tests.e2e.support import StaticSite, http
from tests.support.ports import free_port

FETCH = """async ({url, init}) => {
    try {
        const response = await fetch(url, init);
        return {ok: true, status: response.status, body: await response.text()};
    } catch (error) {
        return {ok: false, error: `${error.name}: ${error.message}`};
    }
}"""


@pytest.fixture
def other_site(tmp_path: Path, stack: dict[str, Any]) -> Iterator[StaticSite]:
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>Some other site</title><h1>Some other site</h1>")
    with StaticSite(tmp_path, free_port()) as site:
        assert site.origin not in stack["allowedOrigins"]
        yield site


def _cors_errors(tab: Tab) -> list[str]:
    return [text for text in tab.console_text() if "blocked by CORS policy" in text]


def test_page_on_a_disallowed_origin_cannot_read_the_api(tab: Tab, stack: dict[str, Any],
                                                          other_site: StaticSite) -> None:
    page = tab.page
    page.goto(other_site.origin + "/")
    url = stack["apiUrl"] + "/health"

    result = page.evaluate(FETCH, {"url": url, "init": {}})

    assert result == {"ok": False, "error": "TypeError: Failed to fetch"}
    assert any(other_site.origin in text and "Access-Control-Allow-Origin" in text
               for text in _cors_errors(tab)), tab.console_text()
    # The API did answer; it just gave that origin no Access-Control-Allow-Origin.
    answer = http("GET", url, headers={"Origin": other_site.origin})
    assert answer.status == 200
    assert answer.headers.get("Access-Control-Allow-Origin") is None
    tab.screenshot("disallowed-origin")


def test_disallowed_origin_fails_the_preflight_of_a_signed_in_call(
        tab: Tab, stack: dict[str, Any], other_site: StaticSite) -> None:
    page = tab.page
    page.goto(other_site.origin + "/")
    result = page.evaluate(FETCH, {"url": stack["apiUrl"] + "/me", "init": {
        "headers": {"Authorization": "Bearer whatever"}}})
    assert result == {"ok": False, "error": "TypeError: Failed to fetch"}
    assert any("preflight" in text for text in _cors_errors(tab)), tab.console_text()


def test_the_web_frontends_own_origin_can_read_the_api(tab: Tab, stack: dict[str, Any]) -> None:
    page = tab.page
    page.goto(stack["webUrl"] + "/")
    assert stack["webUrl"] != stack["apiUrl"]  # two origins: this is a cross-origin call
    result = page.evaluate(FETCH, {"url": stack["apiUrl"] + "/health", "init": {}})
    assert result["ok"] and result["status"] == 200, result
    assert json.loads(result["body"]) == {"ok": True}
    assert not _cors_errors(tab)
