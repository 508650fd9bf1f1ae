"""How a plain HTML form post is answered: a 303 to the site's own page, or,
when the site named none, a small self-contained page of our own.

The page is English (docs/api.md, "Plain HTML form posts"): a site that wants
its own language or look names its own thank-you and error pages. Everything
interpolated is escaped, and the page's CSP allows nothing but its own style.
"""
from __future__ import annotations

from html import escape

from chalice import Response

from chalicelib.http.errors import ApiError

HTML = "text/html; charset=utf-8"
PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'")
STYLE = ("body{font:1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;"
         "padding:0 1rem;color:#1f2933}h1{font-size:1.5rem}li{margin:.25rem 0}")

# What each error code means to the person who filled the form in.
PLAIN_WORDS: dict[str, str] = {
    "validation_failed": "Some fields need another look:",
    "rate_limited": "You have sent several messages in a short time. "
                    "Please wait a few minutes and try again.",
    "service_unavailable": "We could not take your message just now. "
                           "Please try again in a moment.",
    "payload_too_large": "The message is too long. Please shorten it and try again.",
    "captcha_failed": "Please confirm that you are not a robot, then send the form again.",
}


def redirect(location: str) -> Response:
    return Response(body="", status_code=303, headers={"Location": location})


def _page(status: int, title: str, paragraphs: list[str], items: list[str],
          back_url: str | None) -> Response:
    body = [f"<h1>{escape(title)}</h1>", *(f"<p>{escape(p)}</p>" for p in paragraphs)]
    if items:
        body.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
    if back_url:
        body.append(f'<p><a href="{escape(back_url, quote=True)}">Back to the form</a></p>')
    else:
        body.append("<p>Use your browser's Back button to return to the form.</p>")
    return html_page(status, title, "".join(body))


def html_page(status: int, title: str, main: str, *, header: str = "", csp: str = PAGE_CSP,
              cache_control: str = "no-store", style: str = "") -> Response:
    """A self-contained page. `main` and `header` are markup the caller has
    escaped; `style` is added to the pages' own."""
    html = ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{STYLE}{style}</style></head>"
            f"<body>{header}<main>{main}</main></body></html>\n")
    return Response(body=html, status_code=status,
                    headers={"Content-Type": HTML, "Content-Security-Policy": csp,
                             "Cache-Control": cache_control})


def thanks_page(back_url: str | None) -> Response:
    return _page(200, "Thank you!", ["Your message has been received. We will reply by email."],
                 [], back_url)


def error_page(error: ApiError, back_url: str | None) -> Response:
    """The error's own status, so a script or a log still sees what happened."""
    items = [f"{d.get('field', '')}: {d.get('message', '')}" for d in error.details or []]
    page = _page(error.status, "Your message was not sent",
                 [PLAIN_WORDS.get(error.code, error.message)], items, back_url)
    page.headers.update(error.headers)  # Retry-After on 429 and 503
    return page


def is_page(response: Response) -> bool:
    return str(response.headers.get("Content-Type", "")).startswith("text/html")
