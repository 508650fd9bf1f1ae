"""The one definition of the site's security headers (infra/web_headers.py),
the pages' compliance with it, and `make dev`'s web server sending it."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from devstack.stack import PROJECT_DIR, web_handler
from infra.web_headers import content_security_policy, origin_of, security_headers
from infra.web_pages import served_page

API = "https://abc123.execute-api.eu-west-1.amazonaws.com/api"
COGNITO = "https://cognito-idp.eu-west-1.amazonaws.com/"
WEB_DIR = PROJECT_DIR / "web"


def directives(policy: str) -> dict[str, list[str]]:
    parsed = [part.split() for part in policy.split(";")]
    return {name: sources for name, *sources in parsed}


def test_the_csp_allows_only_this_origin_the_api_and_cognito() -> None:
    csp = directives(security_headers(API, COGNITO)["Content-Security-Policy"])
    assert csp["default-src"] == csp["script-src"] == csp["style-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'", "https://abc123.execute-api.eu-west-1.amazonaws.com",
                                  "https://cognito-idp.eu-west-1.amazonaws.com"]
    assert csp["form-action"] == ["'self'", "https://abc123.execute-api.eu-west-1.amazonaws.com"]
    assert csp["frame-ancestors"] == csp["object-src"] == csp["base-uri"] == ["'none'"]
    assert not [s for sources in csp.values() for s in sources
                if s in ("*", "'unsafe-inline'", "'unsafe-eval'") or s.startswith("http:")]


def test_before_the_api_exists_the_csp_names_no_api() -> None:
    csp = directives(content_security_policy(None, "https://cognito-idp.eu-west-1.amazonaws.com"))
    assert csp["connect-src"] == ["'self'", "https://cognito-idp.eu-west-1.amazonaws.com"]
    assert csp["form-action"] == ["'self'"]


def test_the_other_headers_forbid_framing_sniffing_and_powerful_features() -> None:
    headers = security_headers(API, COGNITO)
    assert headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    features = dict(item.split("=") for item in headers["Permissions-Policy"].split(", "))
    assert {"camera", "microphone", "geolocation", "payment"} <= set(features)
    assert set(features.values()) == {"()"}


@pytest.mark.parametrize("url,origin", [
    ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
    ("https://cognito-idp.eu-west-1.amazonaws.com/", "https://cognito-idp.eu-west-1.amazonaws.com"),
    ("https://x.example.test:8443/api/v1?q=1", "https://x.example.test:8443"),
])
def test_origin_of_keeps_scheme_host_and_port(url: str, origin: str) -> None:
    assert origin_of(url) == origin


def test_origin_of_refuses_a_relative_address() -> None:
    with pytest.raises(ValueError):
        origin_of("/api")


class InlineCode(HTMLParser):
    """What a CSP without 'unsafe-inline' would block in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{name}= on <{tag}>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: URL in {name}")


@pytest.mark.parametrize("page", sorted(p.name for p in WEB_DIR.glob("*.html")))
def test_no_page_has_inline_code_or_a_meta_csp(page: str) -> None:
    text = (WEB_DIR / page).read_text()
    parser = InlineCode()
    parser.feed(text)
    assert parser.found == []
    assert "http-equiv=\"Content-Security-Policy\"" not in text  # the headers carry it


@pytest.fixture
def local_web() -> Iterator[tuple[str, dict[str, Any]]]:
    config = {"apiUrl": "http://127.0.0.1:18000", "region": "us-east-1",
              "userPoolClientId": "client", "cognitoEndpoint": "http://127.0.0.1:18001",
              "branding": {"siteName": "Acme <Support>", "timeZone": "UTC", "dashboardLink": False}}
    server = ThreadingHTTPServer(("127.0.0.1", 0), web_handler(WEB_DIR, config))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", config
    server.shutdown()
    server.server_close()


def fetch(url: str) -> Any:
    try:
        return urllib.request.urlopen(url, timeout=5)
    except urllib.error.HTTPError as error:
        return error


@pytest.mark.parametrize("path", ["/", "/admin.html", "/thanks.html", "/js/api.js", "/config.json",
                                  "/missing"])
def test_the_local_web_server_sends_the_definition_naming_the_local_stack(
        local_web: tuple[str, dict[str, Any]], path: str) -> None:
    base, config = local_web
    response = fetch(base + path)
    expected = security_headers(config["apiUrl"], config["cognitoEndpoint"])
    assert {name: response.headers.get(name) for name in expected} == expected
    assert "http://127.0.0.1:18000" in response.headers["Content-Security-Policy"]
    if path == "/config.json":
        assert json.loads(response.read()) == config



@pytest.mark.parametrize("provider", ["turnstile", "hcaptcha", "recaptcha"])
def test_a_captcha_adds_exactly_its_provider_s_script_and_frame_origins(provider: str) -> None:
    from chalicelib.contact.captcha import PROVIDERS

    plain = directives(security_headers(API, COGNITO)["Content-Security-Policy"])
    csp = directives(security_headers(API, COGNITO, provider)["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'", *PROVIDERS[provider].script_origins]
    assert csp["frame-src"] == list(PROVIDERS[provider].frame_origins)
    assert "frame-src" not in plain
    others = {o for name, p in PROVIDERS.items() if name != provider
              for o in (*p.script_origins, *p.frame_origins)}
    assert not others & {s for sources in csp.values() for s in sources}
    assert {k: v for k, v in csp.items() if k not in ("script-src", "frame-src")} == \
        {k: v for k, v in plain.items() if k != "script-src"}


@pytest.mark.parametrize("path", ["/missing", "/js/nothing.js", "/a/b/c.html"])
def test_the_local_web_server_answers_a_missing_file_with_the_site_s_404_page(
        local_web: tuple[str, dict[str, Any]], path: str) -> None:
    base, config = local_web
    response = fetch(base + path)
    assert response.status == 404
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = response.read()
    assert page == served_page((WEB_DIR / "404.html").read_bytes(), config)
    # As any page: the stage's name, escaped, and its choice of a dashboard link.
    assert b"<title>Page not found \xc2\xb7 Acme &lt;Support&gt;</title>" in page
    assert b"admin.html" not in page and b"__SITE_NAME__" not in page


def test_the_local_web_server_writes_the_api_into_the_contact_form(
        local_web: tuple[str, dict[str, Any]]) -> None:
    base, config = local_web
    page = fetch(base + "/").read().decode()
    assert f'action="{config["apiUrl"]}/contact"' in page and "__API_URL__" not in page
