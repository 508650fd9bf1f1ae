"""GET /forms/{id}: a form as a page of its own, drawn on the server, that
works with no script at all (docs/api.md, "The form page").

The form is the dashboard's snippet (`formTree` in web/js/form-markup.js)
drawn in Python: the same controls with the same names, types and limits,
the same honeypot, the same `_next`, so both post the same fields; plus the
site's name, and "(optional)" or "*" beside each label as form.html shows
them. It posts to POST /forms/{id} as a plain form (chalicelib/api/contact_form.py
answers it with a 303 or a page), and its CSP allows no script.

A form that asks for a CAPTCHA where the stage has one configured cannot be
sent without the provider's script: the page says so instead of drawing a
form every post of which would be refused.

Files cannot be attached without a script either: a file goes straight to
the attachments bucket through a presigned POST the page must ask for
(docs/attachments.md), and a plain form would send the file to the API,
which takes none. So a file field is drawn as a note pointing to the site's
page for the form (form.html, which uploads); a form with a required file
field is not drawn at all, as for a CAPTCHA.

GET /forms/{id}/site-page is the same form as the site serves it at
form.html?form=<id> (the site's CloudFront distribution routes that address
here: infra/resources.yaml, FormPageRoute; `make dev`'s web server does the
same): the site's page around it, the same elements js/form-page.js draws
into, linked to the site's stylesheet and that script by relative addresses
(the browser resolves them against form.html's), so with JavaScript the
script draws the form as before (file fields and CAPTCHA included), and
without it this form is there, posting to the API's absolute address. The
site's security headers replace this page's at the site, as for every page
of it.
"""
from __future__ import annotations

from html import escape
from urllib.parse import quote, urljoin, urlsplit

from chalice import Response
from msgspec import UNSET

from chalicelib.core.domain_errors import RecordNotFound
from chalicelib.forms.model import DEFAULT_MAX_LENGTH, NUMBER_LIMIT, FieldDefinition, Form, is_form_id
from chalicelib.forms.store import FormStore
from chalicelib.http.form_pages import HTML, html_page
from chalicelib.http.redirects import is_allowed_target, origin_of

HONEYPOT = "_gotcha"
# The thank-you page the site in web/ ships.
THANKS_PAGE = "thanks.html"
# As the schema's (chalicelib/api/forms.py): an edit shows within the minute.
PAGE_CACHE_CONTROL = "public, max-age=60"
_INPUT_TYPES = frozenset({"text", "email", "tel", "url", "number", "date"})
_AUTOCOMPLETE = {"email": "email", "tel": "tel", "url": "url"}
_VOID = frozenset({"input"})
STYLE = ("header{margin-bottom:1.5rem;font-weight:600}header a{color:inherit}"
         ".field{margin-bottom:1rem}label{display:block;font-weight:600;margin-bottom:.25rem}"
         "input,select,textarea{font:inherit;width:100%;box-sizing:border-box;padding:.5rem;"
         "border:1px solid #9aa5b1;border-radius:4px;background:#fff;color:inherit}"
         ".checkbox{display:flex;gap:.5rem;align-items:center}.checkbox input{width:auto;margin:0}"
         ".checkbox label{margin:0}.req{color:#b42318}.optional{font-weight:400;color:#52606d}"
         "button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:4px;"
         "background:#1f6feb;color:#fff;cursor:pointer}")

Attributes = dict[str, str | bool | None]


def element(tag: str, attributes: Attributes, *children: str) -> str:
    """`children` are markup already; every attribute value is escaped here.
    None and False leave an attribute out, True writes it bare."""
    written = "".join(_attribute(name, value) for name, value in attributes.items())
    if tag in _VOID:
        return f"<{tag}{written}>"
    return f"<{tag}{written}>{''.join(children)}</{tag}>"


def _attribute(name: str, value: str | bool | None) -> str:
    if value is None or value is False:
        return ""
    return f" {name}" if value is True else f' {name}="{escape(value, quote=True)}"'


def _bound(value: int | float) -> str | None:
    """As JavaScript writes the number (2.0 as "2"); none for the limit every number has."""
    if abs(value) >= NUMBER_LIMIT:
        return None
    return str(int(value)) if isinstance(value, float) and value.is_integer() else repr(value)


def control(field: FieldDefinition, control_id: str) -> str:
    named: Attributes = {"id": control_id, "name": field.name}
    required = {"required": field.required}
    max_length = str(field.effective_max_length) if field.type in DEFAULT_MAX_LENGTH else None
    if field.type == "textarea":
        return element("textarea", {**named, "rows": "6", "maxlength": max_length, **required})
    if field.type == "select":
        options = [element("option", {"value": ""}, "Choose…"),
                   *(element("option", {"value": option}, escape(option))
                     for option in (field.options or []))]
        return element("select", {**named, **required}, *options)
    if field.type == "checkbox":
        return element("input", {**named, "type": "checkbox", "value": "on", **required})
    if field.type == "number":
        return element("input", {**named, "type": "number", "step": "any", "inputmode": "decimal",
                                 "min": None if field.min is UNSET else _bound(field.min),
                                 "max": None if field.max is UNSET else _bound(field.max),
                                 **required})
    kind = field.type if field.type in _INPUT_TYPES else "text"
    return element("input", {**named, "type": kind, "maxlength": max_length,
                             "autocomplete": _AUTOCOMPLETE.get(kind), **required})


# On the site's own page of the form (site-page) the script is this page's.
ON_SITE = "on-site"


def files_note(site_url: str, form_id: str) -> str:
    """`site_url` ON_SITE: the note on form.html itself, which uploads with JavaScript."""
    if site_url == ON_SITE:
        return ("Attaching files needs JavaScript: turn it on and load this page again to "
                "attach one.")
    where = (element("a", {"href": f"{site_url}form.html?form={quote(form_id)}"},
                     "its page on the site") if site_url else "the site")
    return f"Attaching files needs JavaScript, which this page works without. To attach one, use {where}."


def field_markup(form_id: str, field: FieldDefinition, site_url: str = "") -> str:
    control_id = f"{form_id}-{field.name}"
    if field.type == "file":
        return element("div", {"class": "field"}, element("p", {}, element(
            "strong", {}, escape(field.label)), element("span", {"class": "optional"},
                                                        " (optional)")),
            element("p", {"class": "optional"}, files_note(site_url, form_id)))
    marker = (element("span", {"class": "req", "aria-hidden": "true"}, " *") if field.required
              else element("span", {"class": "optional"}, " (optional)"))
    label = element("label", {"for": control_id}, escape(field.label), marker)
    drawn = control(field, control_id)
    checkbox = field.type == "checkbox"
    return element("div", {"class": "field checkbox" if checkbox else "field"},
                   *((drawn, label) if checkbox else (label, drawn)))


def form_markup(form: Form, *, next_url: str | None, site_url: str = "",
                action: str | None = None) -> str:
    """The <form>: posted to POST /forms/{id}, by default this page's own address."""
    parts = [element("input", {"type": "hidden", "name": "_next", "value": next_url})
             if next_url else ""]
    parts += [field_markup(form.id, field, site_url) for field in form.definition.fields]
    # The honeypot: hidden from people and screen readers; bots fill it in.
    parts.append(element("div", {"hidden": True, "aria-hidden": "true"},
                         element("label", {"for": f"{form.id}-gotcha"}, "Leave this field empty"),
                         element("input", {"id": f"{form.id}-gotcha", "name": HONEYPOT,
                                           "type": "text", "tabindex": "-1",
                                           "autocomplete": "off"})))
    parts.append(element("button", {"type": "submit"}, "Send"))
    # Relative by default: the page is at <api>/forms/{id}, whatever the API's
    # address and stage path.
    return element("form", {"method": "post", "action": action or quote(form.id)}, *parts)


def thanks_address(site_url: str, stage_ok: str, allowed_origins: tuple[str, ...]) -> str | None:
    """The `_next` the page carries: none where the stage names its own
    thank-you page (CONTACT_REDIRECT_OK) or knows no site; else the site's
    thanks.html, when the API would accept it."""
    if stage_ok or not site_url:
        return None
    address = urljoin(site_url, THANKS_PAGE)
    return address if is_allowed_target(address, allowed_origins) else None


def is_form_page(url: str | None, host: str | None, form_id: str) -> bool:
    """Whether `url` is this form's own page on this API (a post's Referer),
    so an error page may link back to it."""
    if not url or not host or origin_of(url) is None:
        return False
    parts = urlsplit(url)
    return parts.netloc.lower() == host.lower() and parts.path.endswith(f"/forms/{form_id}")


class FormPageApi:
    def __init__(self, store: FormStore, *, site_name: str, site_url: str, next_url: str | None,
                 redirect_origins: tuple[str, ...], captcha_on: bool,
                 dashboard_link: bool = True) -> None:
        self._store = store
        self._site_name = site_name
        self._dashboard_link = dashboard_link
        self._site_url = site_url
        self._next_url = next_url
        # Chromium holds a form post's redirects to the page's form-action too.
        targets = " ".join(dict.fromkeys(o for o in redirect_origins if o))
        self._csp = ("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                     f"form-action 'self'{' ' + targets if targets else ''}; "
                     "frame-ancestors 'none'")
        # Whether a post to a form with `captcha` on needs a token (the stage has a CAPTCHA).
        self.captcha_on = captcha_on

    def _form(self, form_id: str) -> Form | None:
        try:
            return self._store.get(form_id) if is_form_id(form_id) else None
        except RecordNotFound:
            return None

    def page(self, form_id: str) -> Response:
        form = self._form(form_id)
        if form is None:
            return self._page(404, "No such form", "No such form",
                              "<p>There is no form at this address. Check the link you "
                              "followed.</p>" + self._site_link("Go to the site"),
                              cache_control="no-store")
        name = form.definition.name
        if form.definition.captcha and self.captcha_on:
            where = (element("a", {"href": f"{self._site_url}form.html?form={quote(form.id)}"},
                             "its page on the site") if self._site_url else "the site")
            return self._page(200, name, name,
                              "<p>This form asks you to confirm that you are not a robot, "
                              "which needs JavaScript; this page works without it, so it cannot "
                              f"send the form. Please turn JavaScript on and use {where}.</p>")
        if any(f.type == "file" and f.required for f in form.definition.fields):
            return self._page(200, name, name,
                              "<p>This form needs a file attached. "
                              f"{files_note(self._site_url, form.id)}</p>")
        return self._page(200, name, name, form_markup(form, next_url=self._next_url,
                                                       site_url=self._site_url))

    def _site_link(self, text: str) -> str:
        return (f"<p>{element('a', {'href': self._site_url}, escape(text))}</p>"
                if self._site_url else "")

    def _page(self, status: int, title: str, heading: str, main: str, *,
              cache_control: str = PAGE_CACHE_CONTROL) -> Response:
        site = escape(self._site_name)
        brand = element("a", {"href": self._site_url}, site) if self._site_url else site
        return html_page(status, f"{title} · {self._site_name}",
                         f"<h1>{escape(heading)}</h1>{main}",
                         header=f"<header>{brand}</header>", csp=self._csp,
                         cache_control=cache_control, style=STYLE)

    def site_page(self, form_id: str, api_url: str | None) -> Response:
        """form.html?form=<id> as the site serves it; `api_url` is the API's
        own address as this request reached it (None: it did not say)."""
        form = self._form(form_id)
        if form is None or api_url is None:
            return self._site_page(404, "No such form", "No such form", element(
                "p", {}, "There is no form at this address. Check the link you followed."),
                cache_control="no-store")
        name = form.definition.name
        if form.definition.captcha and self.captcha_on:
            return self._site_page(200, name, name, element(
                "p", {"class": "notice"}, "This form asks you to confirm that you are not a "
                "robot, which needs JavaScript: please turn JavaScript on and load this page "
                "again."))
        if any(f.type == "file" and f.required for f in form.definition.fields):
            return self._site_page(200, name, name, element(
                "p", {"class": "notice"}, "This form needs a file attached. "
                + files_note(ON_SITE, form.id)))
        action = f"{api_url}/forms/{quote(form.id)}"
        return self._site_page(200, name, name, form_markup(
            form, next_url=self._next_url, site_url=ON_SITE, action=action))

    def _site_page(self, status: int, title: str, heading: str, slot: str, *,
                   cache_control: str = PAGE_CACHE_CONTROL) -> Response:
        """form.html's page (the site has no such file): the elements
        js/form-page.js finds by id."""
        site = escape(self._site_name)
        nav = (element("nav", {}, element("a", {"href": "admin.html"}, "Admin"))
               if self._dashboard_link else "")
        success = element(
            "section", {"id": "form-success", "class": "success", "hidden": True,
                        "tabindex": "-1"},
            element("h2", {}, "Thank you!"), element("p", {}, "Your message has been received."),
            element("p", {"class": "muted"}, "Reference: ", element("code", {"id": "form-success-id"})),
            element("button", {"type": "button", "id": "form-again", "class": "secondary"},
                    "Send another"))
        html = ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                f"<title>{escape(title)} · {site}</title>\n"
                "<link rel=\"icon\" href=\"favicon.svg\" type=\"image/svg+xml\">\n"
                "<link rel=\"stylesheet\" href=\"css/site.css\">\n"
                "<script type=\"module\" src=\"js/form-page.js\"></script>\n</head>\n<body>\n"
                + element("header", {"class": "site-header"},
                          element("a", {"class": "brand", "href": "./"}, site), nav)
                + "\n" + element("main", {"class": "narrow"},
                                 element("h1", {"id": "form-title"}, escape(heading)),
                                 element("p", {"id": "form-status", "class": "muted",
                                               "role": "status", "hidden": True}),
                                 element("div", {"id": "form-slot"}, slot), success)
                + "\n</body>\n</html>\n")
        return Response(body=html, status_code=status,
                        headers={"Content-Type": HTML, "Content-Security-Policy": self._csp,
                                 "Cache-Control": cache_control})
