"""GET /forms/{form_id}: a form as a page of its own, drawn on the server, that
posts as a plain HTML form: every field type with its limits, every value
escaped, a page for an unknown form, the CAPTCHA case said plainly, and a
post from the page's own fields stored."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.api.form_page import FormPageApi, is_form_page, thanks_address
from chalicelib.forms.model import NUMBER_LIMIT
from chalicelib.http.context import api_address
from tests.conftest import TEST_ORIGIN
from tests.forms.conftest import QUOTE

PLAIN = {**QUOTE, "captcha": False, "autoresponse": None}
THANKS = f"{TEST_ORIGIN}/thanks.html"
API_HOST = "api.frontdesk.test"
PAGE = f"https://{API_HOST}/api/forms/quote"  # where a browser would have the page


class Controls(HTMLParser):
    """The page as a browser reads it: its forms' controls, labels and scripts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, str | None]] = []
        self.controls: list[dict[str, Any]] = []
        self.labels: dict[str, str] = {}
        self.scripts = 0
        self.title = ""
        self.links: list[str | None] = []
        self._label_for: str | None = None
        self._option: dict[str, Any] | None = None
        self._in: str | None = None
        self._hidden_depth: list[bool] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "div":
            self._hidden_depth.append("hidden" in attributes)
        if tag == "form":
            self.forms.append(attributes)
        elif tag == "script":
            self.scripts += 1
        elif tag in ("title", "h1"):
            self._in = tag
        elif tag == "a":
            self.links.append(attributes.get("href"))
        elif tag == "label":
            self._label_for = attributes.get("for")
            self.labels[self._label_for or ""] = ""
        elif tag in ("input", "select", "textarea"):
            self.controls.append({"tag": tag, **attributes, "options": [] if tag == "select" else None,
                                  "in_hidden": any(self._hidden_depth)})
        elif tag == "option":
            self._option = {"value": attributes.get("value"), "text": ""}
            self.controls[-1]["options"].append(self._option)

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._hidden_depth:
            self._hidden_depth.pop()
        if tag == "label":
            self._label_for = None
        elif tag == "option":
            self._option = None
        elif tag in ("title", "h1"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._label_for is not None:
            self.labels[self._label_for] += data
        if self._option is not None:
            self._option["text"] += data
        if self._in == "title":
            self.title += data

    def named(self) -> dict[str, dict[str, Any]]:
        return {c["name"]: c for c in self.controls}


@pytest.fixture
def quote(put_form: Callable[..., Any]) -> dict[str, Any]:
    response = put_form("quote", PLAIN)
    assert response.status_code == 201
    return dict(response.json_body)


@pytest.fixture
def page_api(frontdesk_app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., FormPageApi]]:
    """The route's FormPageApi, built otherwise for one test."""
    import app as app_module

    services = app_module.services

    def build(**changes: Any) -> FormPageApi:
        settings = {"site_name": "Frontdesk", "site_url": f"{TEST_ORIGIN}/", "next_url": THANKS,
                    "redirect_origins": (TEST_ORIGIN,), "captcha_on": False, **changes}
        api = FormPageApi(services.forms, **settings)
        monkeypatch.setitem(services.__dict__, "form_page_api", api)
        return api
    yield build


def get_page(client: Any, form_id: str) -> Any:
    return client.get(f"/forms/{form_id}", headers={"Host": API_HOST})


def body_of(response: Any) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else str(response.body)


# -- what the page is ------------------------------------------------------------

def test_the_page_draws_every_field_as_its_schema_describes_it(quote: dict[str, Any],
                                                              client: Any) -> None:
    response = get_page(client, "quote")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert f"form-action 'self' {TEST_ORIGIN};" in csp  # the post, then its redirect
    page = Controls(body_of(response))
    assert page.scripts == 0 and page.title == "Quote request · Frontdesk"
    [form] = page.forms
    assert form["method"] == "post" and form["action"] == "quote"  # this page's own address

    schema = client.get("/forms/quote/schema").json_body
    controls = page.named()
    assert list(controls) == ["_next", *schema["properties"], "_gotcha"]
    assert (controls["_next"]["type"], controls["_next"]["value"]) == ("hidden", THANKS)
    input_types = {"text": "text", "email": "email", "tel": "tel", "url": "url",
                   "number": "number", "date": "date", "checkbox": "checkbox"}
    for name, described in schema["properties"].items():
        control = controls[name]
        kind = described["x-fieldType"]
        assert page.labels[control["id"]].startswith(described["title"]), name
        assert ("required" in control) == (name in schema["required"]), name
        if kind in input_types:
            assert (control["tag"], control["type"]) == ("input", input_types[kind]), name
        else:
            assert control["tag"] == kind, name
        assert control.get("maxlength") == (str(described["maxLength"]) if "maxLength" in described
                                            else None), name
        if kind == "number":
            assert control["step"] == "any"
            for bound, keyword in (("min", "minimum"), ("max", "maximum")):
                limit = described[keyword]
                assert control.get(bound) == (None if abs(limit) >= NUMBER_LIMIT
                                              else str(limit)), name
        if kind == "select":
            assert [o["value"] for o in control["options"]] == ["", *described["enum"]]
        if kind == "checkbox":
            assert control["value"] == "on"
    # Optional fields say so; required ones carry a marker screen readers skip.
    assert page.labels["quote-phone"] == "Phone (optional)"
    assert page.labels["quote-name"] == "Your name *"
    honeypot = controls["_gotcha"]
    assert honeypot["in_hidden"] and honeypot["tabindex"] == "-1"
    assert honeypot["autocomplete"] == "off" and "required" not in honeypot


def test_hostile_labels_options_and_names_stay_text(put_form: Callable[..., Any], client: Any,
                                                   page_api: Callable[..., FormPageApi]) -> None:
    hostile = '<script>alert(1)</script> "quoted" & \'single\''
    definition = {"name": f"Order {hostile}", "fields": [
        {"name": "size", "label": hostile, "type": "select",
         "options": ["S</option><script>x</script>", 'M "medium"', "L & XL"]},
        {"name": "note", "label": "Note</label><img src=x onerror=alert(1)>", "type": "text"}]}
    assert put_form("order", definition).status_code == 201
    page_api(site_name='Caf\u00e9 <b>"Bar"</b> & Grill')
    html = body_of(get_page(client, "order"))
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    page = Controls(html)
    assert page.scripts == 0 and page.title == f'Order {hostile} · Caf\u00e9 <b>"Bar"</b> & Grill'
    controls = page.named()
    assert page.labels["order-size"] == f"{hostile} (optional)"
    assert [o["value"] for o in controls["size"]["options"]] == [
        "", "S</option><script>x</script>", 'M "medium"', "L & XL"]
    assert [o["text"] for o in controls["size"]["options"]][1:] == [
        "S</option><script>x</script>", 'M "medium"', "L & XL"]
    assert page.labels["order-note"] == "Note</label><img src=x onerror=alert(1)> (optional)"


def test_a_line_break_never_reaches_a_label_an_option_or_a_name(put_form: Callable[..., Any]
                                                               ) -> None:
    # The page writes only what a definition may hold: each of these is refused.
    for field in ({"name": "a", "label": "One\r\nTwo", "type": "text"},
                  {"name": "a", "label": "A", "type": "select", "options": ["x\r\ny"]},
                  {"name": "a\r\nb", "label": "A", "type": "text"}):
        assert put_form("crlf", {"name": "F", "fields": [field]}).status_code == 400, field


@pytest.mark.parametrize("form_id", ["no-such-form", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                                     "a%0D%0ASet-Cookie:%20x=1", "x" * 300, "%C3%A9t%C3%A9",
                                     "Quote"])
def test_an_unknown_form_is_a_404_page(client: Any, form_id: str) -> None:
    response = get_page(client, form_id)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    html = body_of(response)
    assert "<script" not in html and "Set-Cookie" not in html
    page = Controls(html)
    assert page.forms == [] and page.title == "No such form · Frontdesk"
    assert "There is no form at this address." in html
    assert page.links[-1] == f"{TEST_ORIGIN}/"


def test_a_form_with_captcha_says_it_needs_javascript_where_the_stage_has_one(
        put_form: Callable[..., Any], client: Any, page_api: Callable[..., FormPageApi]) -> None:
    assert put_form("quote", {**PLAIN, "captcha": True}).status_code == 201
    page_api(captcha_on=True)
    response = get_page(client, "quote")
    assert response.status_code == 200
    page = Controls(body_of(response))
    assert page.forms == [] and page.controls == []  # no form that would always be refused
    assert "needs JavaScript" in body_of(response)
    assert f"{TEST_ORIGIN}/form.html?form=quote" in page.links
    # A stage without a CAPTCHA takes the form's posts as they are: the form is drawn.
    page_api(captcha_on=False)
    assert len(Controls(body_of(get_page(client, "quote"))).forms) == 1


def test_the_built_in_contact_form_has_its_page(client: Any) -> None:
    page = Controls(body_of(get_page(client, "contact")))
    assert list(page.named()) == ["_next", "name", "email", "subject", "message", "_gotcha"]
    assert page.named()["message"]["tag"] == "textarea"


# -- form.html?form=<id>, as the site serves it ------------------------------------

# Every element js/form-page.js finds by id: the site page must have each.
SCRIPT_IDS = sorted(set(re.findall(r"\$\('#([a-z-]+)'\)",
                                   (Path(__file__).parents[2] / "web" / "js" / "form-page.js").read_text())))


def get_site_page(client: Any, form_id: str) -> Any:
    return client.get(f"/forms/{form_id}/site-page", headers={"Host": API_HOST})


def ids_in(html: str) -> set[str]:
    return set(re.findall(r' id="([^"]+)"', html))


def test_the_site_page_is_form_html_with_the_form_drawn_in(quote: dict[str, Any],
                                                          client: Any) -> None:
    response = get_site_page(client, "quote")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    html = body_of(response)
    assert len(SCRIPT_IDS) >= 4 and set(SCRIPT_IDS) <= ids_in(html)
    # Relative, so the browser asks the site (the page's address is form.html's);
    # no inline style or script, which the site's CSP refuses.
    assert '<script type="module" src="js/form-page.js"></script>' in html
    assert '<link rel="stylesheet" href="css/site.css">' in html
    assert "<style" not in html and " style=" not in html and "<script>" not in html
    page = Controls(html)
    assert page.title == "Quote request · Frontdesk"
    assert page.links[:2] == ["./", "admin.html"]
    [form] = page.forms
    # The API's own address, as this request reached it: form.html's is the site's.
    assert form["method"] == "post" and form["action"] == f"http://{API_HOST}/forms/quote"
    own = Controls(body_of(get_page(client, "quote")))
    assert page.controls == own.controls and page.labels == own.labels


def test_the_site_page_posts_to_the_api_where_api_gateway_serves_it() -> None:
    gateway = {"domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
               "stage": "api", "path": "/api/forms/quote/site-page"}
    assert api_address(gateway, "abc123.execute-api.eu-west-1.amazonaws.com",
                       "/forms/quote/site-page") == \
        "https://abc123.execute-api.eu-west-1.amazonaws.com/api"
    local = {"path": "/forms/quote/site-page"}
    assert api_address(local, "127.0.0.1:8000", "/forms/quote/site-page") == "http://127.0.0.1:8000"
    assert api_address(local, None, "/forms/quote/site-page") is None
    assert api_address({"path": "/forms/other/site-page"}, "h", "/forms/quote/site-page") is None


def test_the_site_page_follows_the_stage_s_branding(quote: dict[str, Any], client: Any,
                                                   page_api: Callable[..., FormPageApi]) -> None:
    page_api(site_name='Caf\u00e9 <b>"Bar"</b>', dashboard_link=False)
    html = body_of(get_site_page(client, "quote"))
    page = Controls(html)
    assert page.title == 'Quote request · Caf\u00e9 <b>"Bar"</b>' and "<b>" not in html
    assert "admin.html" not in page.links


@pytest.mark.parametrize("form_id", ["no-such-form", "_", "Quote", "%3Cscript%3E"])
def test_an_unknown_form_s_site_page_is_a_404(client: Any, form_id: str) -> None:
    response = get_site_page(client, form_id)
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    html = body_of(response)
    assert "There is no form at this address." in html and "<script>" not in html
    assert Controls(html).forms == [] and set(SCRIPT_IDS) <= ids_in(html)


def test_a_captcha_form_s_site_page_leaves_the_form_to_the_script(
        put_form: Callable[..., Any], client: Any, page_api: Callable[..., FormPageApi]) -> None:
    assert put_form("quote", {**PLAIN, "captcha": True}).status_code == 201
    page_api(captcha_on=True)
    html = body_of(get_site_page(client, "quote"))
    page = Controls(html)
    assert page.forms == [] and "needs JavaScript" in html
    assert "form.html" not in " ".join(str(link) for link in page.links)  # it is that page


# -- posting from the page -------------------------------------------------------

def _filled(page: Controls) -> list[tuple[str, str]]:
    """What a browser sends for the page's form, filled in as a visitor would."""
    values = {"name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 7946 0000",
              "site": "https://ada.example", "qty": "12", "by": "2027-03-01", "plan": "Pro",
              "details": "Line one\r\nLine two & <three>"}
    sent = []
    for control in page.controls:
        name = control["name"]
        if control.get("type") == "checkbox":
            sent.append((name, control["value"]))
        elif control.get("type") == "hidden" or name == "_gotcha":
            sent.append((name, control.get("value") or ""))
        else:
            sent.append((name, values[name]))
    return sent


def _post(client: Any, fields: list[tuple[str, str]], referer: str = PAGE) -> Any:
    return client.post("/forms/quote", body=urlencode(fields).encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Host": API_HOST, "Referer": referer})


def test_a_post_of_the_page_s_own_fields_is_stored_and_lands_on_the_site_s_thanks(
        quote: dict[str, Any], client: Any, as_admin: dict[str, str]) -> None:
    page = Controls(body_of(get_page(client, "quote")))
    response = _post(client, _filled(page))
    assert response.status_code == 303 and response.headers["Location"] == THANKS
    [message] = client.get("/dashboard/messages?status=new&form=quote",
                           headers=as_admin).json_body["items"]
    assert {f["name"]: f["value"] for f in message["fields"]} == {
        "name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 7946 0000",
        "site": "https://ada.example", "qty": "12", "by": "2027-03-01", "plan": "Pro",
        "terms": True, "details": "Line one\nLine two & <three>"}  # line breaks as stored


def test_without_a_site_the_api_s_own_pages_answer_and_link_back_to_the_form(
        quote: dict[str, Any], client: Any, page_api: Callable[..., FormPageApi]) -> None:
    page_api(site_url="", next_url=None, redirect_origins=())
    page = Controls(body_of(get_page(client, "quote")))
    assert "_next" not in page.named() and page.links == []
    fields = _filled(page)
    refused = _post(client, [(n, "not an address" if n == "email" else v) for n, v in fields])
    assert refused.status_code == 400
    assert refused.headers["Content-Type"].startswith("text/html")
    assert Controls(body_of(refused)).links == [PAGE]  # "Back to the form"
    # Another page on this API, or this path on another host, is no way back.
    elsewhere = _post(client, [(n, "x" if n == "email" else v) for n, v in fields],
                      referer=f"https://{API_HOST}/api/forms/other")
    assert Controls(body_of(elsewhere)).links == []
    accepted = _post(client, fields)
    assert accepted.status_code == 200 and "Thank you!" in body_of(accepted)


def test_the_page_names_no_thank_you_page_where_the_stage_has_its_own() -> None:
    origins = (TEST_ORIGIN,)
    assert thanks_address(f"{TEST_ORIGIN}/", "", origins) == THANKS
    assert thanks_address(f"{TEST_ORIGIN}/", f"{TEST_ORIGIN}/merci.html", origins) is None
    assert thanks_address("", "", origins) is None
    assert thanks_address("https://elsewhere.example/", "", origins) is None  # not allowed


def test_only_this_form_s_page_on_this_host_is_its_page() -> None:
    assert is_form_page(PAGE, API_HOST, "quote")
    assert is_form_page(PAGE, API_HOST.upper(), "quote")
    assert not is_form_page(PAGE, "evil.example", "quote")
    assert not is_form_page(PAGE, API_HOST, "other")
    assert not is_form_page(f"javascript://{API_HOST}/forms/quote", API_HOST, "quote")
    assert not is_form_page(None, API_HOST, "quote") and not is_form_page(PAGE, None, "quote")


def test_the_openapi_document_describes_a_page(client: Any) -> None:
    operation = client.get("/openapi.json").json_body["paths"]["/forms/{form_id}"]["get"]
    assert operation["operationId"] == "get_form_page"
    assert list(operation["responses"]["200"]["content"]) == ["text/html"]
    assert list(operation["responses"]["404"]["content"]) == ["text/html"]
    assert list(operation["responses"]["503"]["content"]) == ["application/json"]
