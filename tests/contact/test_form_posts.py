"""POST /contact from a plain HTML form: the same pipeline, answered with pages."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest

from chalicelib.api.contact_form import ContactFormApi, FormTargets
from chalicelib.http.form import FormPost
from tests.conftest import CONTACT_RATE_LIMIT, DISALLOWED_ORIGIN, JSON, TEST_ORIGIN
from tests.contact.conftest import VALID
from tests.support.metrics import RecordingMetrics

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
THANKS = f"{TEST_ORIGIN}/thanks.html"
OOPS = f"{TEST_ORIGIN}/oops.html?lang=en"


@pytest.fixture
def post_form(client: Any) -> Callable[..., Any]:
    def post(fields: dict[str, str] | list[tuple[str, str]] | bytes, **headers: str) -> Any:
        body = fields if isinstance(fields, bytes) else urlencode(fields).encode()
        return client.post("/contact", headers={**FORM, "Origin": TEST_ORIGIN, **headers},
                           body=body)
    return post


def stored(client: Any, as_admin: dict[str, str]) -> list[dict[str, Any]]:
    return client.get("/dashboard/messages?status=new", headers=as_admin).json_body["items"]


def error_of(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


def test_a_form_post_is_stored_and_redirected_to_the_thank_you_page(
        post_form: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    response = post_form({**VALID, "subject": "Hi", "message": "Line one\r\nLine two",
                          "website": "", "_next": THANKS, "_error": OOPS})
    assert response.status_code == 303
    assert response.headers["Location"] == THANKS
    (message,) = stored(client, as_admin)
    assert message["message"] == "Line one\nLine two" and message["subject"] == "Hi"
    assert "_next" not in message and "website" not in message


def test_without_a_thank_you_page_the_answer_is_our_own_page_with_a_link_back(
        post_form: Callable[..., Any]) -> None:
    response = post_form(VALID, Referer=f"{TEST_ORIGIN}/contact.html")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.body.decode()
    assert "Thank you" in page and f'href="{TEST_ORIGIN}/contact.html"' in page
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_a_referer_outside_the_allowed_origins_gets_no_link(post_form: Callable[..., Any]) -> None:
    page = post_form(VALID, Referer=f"{DISALLOWED_ORIGIN}/x").body.decode()
    assert DISALLOWED_ORIGIN not in page and "href" not in page


def test_invalid_fields_redirect_to_the_error_page_with_code_and_names(
        post_form: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    response = post_form({"name": "", "email": "nope", "message": "Hi", "_error": OOPS})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith(f"{TEST_ORIGIN}/oops.html?lang=en&")
    assert error_of(location)["error"] == ["validation_failed"]
    assert sorted(error_of(location)["fields"][0].split(",")) == ["email", "name"]
    assert stored(client, as_admin) == []


def test_invalid_fields_without_an_error_page_get_an_escaped_html_page(
        post_form: Callable[..., Any]) -> None:
    response = post_form({"name": "<script>alert(1)</script>", "email": "x", "message": "Hi",
                          "<b>odd</b>": "1"})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.body.decode()
    assert "<b>odd</b>" not in page and "&lt;b&gt;odd&lt;/b&gt;" in page
    assert "<script>" not in page
    assert "email:" in page


def test_the_honeypot_is_redirected_like_a_success_and_stores_nothing(
        post_form: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    response = post_form({**VALID, "website": "http://spam.example", "_next": THANKS})
    assert response.status_code == 303 and response.headers["Location"] == THANKS
    assert stored(client, as_admin) == []


TRICKS = [
    "//evil.example/thanks",
    "https://evil.example/thanks",
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    "https:\\\\evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    f"{TEST_ORIGIN}@evil.example/",
    "http://localhost:8080@evil.example/",
    "http://localhost:8080.evil.example/",
    "http://localhost:8080\\@evil.example/",
    "http://local\thost:8080/",
    " http://localhost:8080/",
    "/thanks.html",
    "data:text/html,<script>alert(1)</script>",
    "http://localhost:8080:8081/",
]


@pytest.mark.parametrize("target", TRICKS)
@pytest.mark.parametrize("field", ["_next", "_error"])
def test_no_open_redirect(post_form: Callable[..., Any], client: Any, as_admin: dict[str, str],
                          field: str, target: str) -> None:
    response = post_form({**VALID, field: target})
    assert response.status_code == 400, response.headers.get("Location")
    assert "Location" not in response.headers
    assert field in response.body.decode()
    assert stored(client, as_admin) == []


def test_a_refused_next_is_reported_on_an_allowed_error_page(
        post_form: Callable[..., Any]) -> None:
    response = post_form({**VALID, "_next": "https://evil.example/", "_error": OOPS})
    assert response.status_code == 303
    assert error_of(response.headers["Location"]) == {
        "lang": ["en"], "error": ["validation_failed"], "fields": ["_next"]}


@pytest.mark.parametrize("body,code", [
    (b"name=Ada&name=Eve&email=ada%40example.com&message=Hi", "validation_failed"),
    (b"name=%FF%FE&email=ada%40example.com&message=Hi", "bad_request"),
    (b"name=Ada&email=ada%40example.com&message=\xff", "bad_request"),
    (b"name=Ada&email&message=Hi", "bad_request"),
    (b"&".join(b"f%d=1" % i for i in range(60)), "bad_request"),
    (b"message=" + b"x" * (16 * 1024), "payload_too_large"),
])
def test_malformed_forms_are_refused_with_their_code(post_form: Callable[..., Any], body: bytes,
                                                     code: str) -> None:
    response = post_form(body + b"&_error=" + quote(OOPS, safe="").encode()
                         if code == "validation_failed" else body)
    if code == "validation_failed":
        assert response.status_code == 303
        assert error_of(response.headers["Location"])["error"] == [code]
        assert error_of(response.headers["Location"])["fields"] == ["name"]
    else:
        assert 400 <= response.status_code < 500
        assert response.headers["Content-Type"].startswith("text/html")


def test_a_charset_other_than_utf8_is_415(client: Any) -> None:
    response = client.post("/contact", body=urlencode(VALID).encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=iso-8859-1"})
    assert response.status_code == 415


def test_multipart_forms_are_415_in_the_json_error_shape(client: Any) -> None:
    response = client.post("/contact", body=b"--x--", headers={
        "Content-Type": "multipart/form-data; boundary=x", "Origin": TEST_ORIGIN})
    assert response.status_code == 415
    assert response.json_body["error"]["code"] == "unsupported_media_type"
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN


def test_an_idempotency_key_stores_a_form_post_once(post_form: Callable[..., Any], client: Any,
                                                    as_admin: dict[str, str]) -> None:
    for _ in range(2):
        assert post_form({**VALID, "_next": THANKS},
                         **{"Idempotency-Key": "form-key-0001"}).status_code == 303
    assert len(stored(client, as_admin)) == 1


def test_form_and_json_share_the_rate_limit(post_form: Callable[..., Any], client: Any) -> None:
    for _ in range(CONTACT_RATE_LIMIT):
        assert client.post("/contact", headers=JSON, body=b'{"name": "A", "email": '
                           b'"a@example.com", "message": "m"}').status_code == 202
    limited = post_form({**VALID, "_error": OOPS})
    assert limited.status_code == 303
    assert error_of(limited.headers["Location"])["error"] == ["rate_limited"]
    page = post_form(VALID)
    assert page.status_code == 429 and page.headers["Retry-After"]
    assert "text/html" in page.headers["Content-Type"]


def test_json_clients_are_unchanged(client: Any) -> None:
    response = client.post("/contact", headers={**JSON, "Origin": TEST_ORIGIN},
                           body=b'{"name": "A", "email": "a@example.com", "message": "m"}')
    assert response.status_code == 202 and response.json_body["status"] == "received"


def test_stage_pages_are_used_when_the_form_names_none(frontdesk_app: Any, client: Any) -> None:
    import app as app_module

    metrics = RecordingMetrics()
    form = ContactFormApi(app_module.services.contact_api, allowed_origins=(TEST_ORIGIN,),
                          stage_targets=FormTargets(THANKS, OOPS), max_body_bytes=16 * 1024,
                          metrics=metrics)

    def post(body: dict[str, str]) -> Any:
        return form.submit(FormPost(urlencode(body).encode(), None, None, "203.0.113.9"))

    assert post(VALID).headers["Location"] == THANKS
    assert error_of(post({"name": "Ada"}).headers["Location"])["fields"] == ["email,message"]
    # A form's own allowed page wins over the stage's.
    other = f"{TEST_ORIGIN}/merci.html"
    assert post({**VALID, "_next": other}).headers["Location"] == other
    # Over the limit: redirected with the code, and still counted as rate limited.
    for _ in range(CONTACT_RATE_LIMIT):
        post(VALID)
    assert error_of(post(VALID).headers["Location"])["error"] == ["rate_limited"]
    assert ("RateLimited", 1) in metrics.counts


def test_the_openapi_document_describes_form_posts(client: Any) -> None:
    operation = client.get("/openapi.json").json_body["paths"]["/contact"]["post"]
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert {"name", "email", "message", "_next", "_error"} <= set(form["properties"])
    assert "Location" in operation["responses"]["303"]["headers"]
    errors = {status: r for status, r in operation["responses"].items() if status[0] in "45"}
    assert {"400", "413", "415", "429", "503"} <= set(errors)
    assert all("text/html" in response["content"] for response in errors.values())


def test_the_documented_page_fields_admit_only_what_the_api_accepts(client: Any) -> None:
    """A generator (make fuzz) sends what the schema allows: every address the
    pattern admits must be accepted, and no trick may match it."""
    operation = client.get("/openapi.json").json_body["paths"]["/contact"]["post"]
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    for field in ("_next", "_error"):
        pattern = re.compile(form["properties"][field]["pattern"])
        assert pattern.match(THANKS) and pattern.match(OOPS) and pattern.match(TEST_ORIGIN)
        assert not [trick for trick in TRICKS if pattern.match(trick)]
        assert not pattern.match(f"{DISALLOWED_ORIGIN}/thanks.html")


def test_a_parameter_on_the_action_url_is_reported_like_a_field(
        client: Any, as_admin: dict[str, str]) -> None:
    # `<form action=".../contact?_next=...">`: the site's own mistake, shown on
    # the form's error page (or the site's), never as JSON to a visitor.
    def post(fields: dict[str, str], query: str) -> Any:
        return client.post(f"/contact?{query}", body=urlencode(fields).encode(),
                           headers={**FORM, "Origin": TEST_ORIGIN})

    page = post(VALID, "_next=x&utm_source=y")
    assert page.status_code == 400
    assert page.headers["Content-Type"].startswith("text/html")
    text = page.body.decode()
    assert "_next: is not a parameter of this route" in text
    assert "utm_source: is not a parameter of this route" in text
    redirected = post({**VALID, "_error": OOPS}, "a=1&a=2")
    assert redirected.status_code == 303
    assert error_of(redirected.headers["Location"])["fields"] == ["a"]
    assert stored(client, as_admin) == []
    as_json = client.post("/contact?utm_source=y", body=json.dumps(VALID),
                          headers={**JSON, "Origin": TEST_ORIGIN})
    assert as_json.status_code == 400 and as_json.json_body["error"]["code"] == "validation_failed"
