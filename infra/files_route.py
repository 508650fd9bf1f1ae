"""How the files distribution serves an attachment, in Python: make dev's
files server (devstack/files.py) asks this module, as the site's web server
asks infra/form_page_route.py.

Deployed, CloudFront does it (infra/resources.yaml): FilesSignatureCheck, a
CloudFront Function, opens only links whose signature and expiry hold
(chalicelib/attachments/links.py `link_is_valid` is its twin, and a test runs
the function's code with Node.js against it), and on the way back makes every
answer a download; FilesHeadersPolicy adds FILE_HEADERS, which a test holds
equal to the template's.
"""
from __future__ import annotations

from collections.abc import Mapping

# What S3 cannot send (X-Content-Type-Options above all): a file is never
# sniffed into something a browser renders, runs nothing if opened, and tells
# no one where it was opened from.
FILES_CSP = "default-src 'none'; sandbox"
HSTS_MAX_AGE_SECONDS = 2 * 365 * 24 * 3600
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": FILES_CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": f"max-age={HSTS_MAX_AGE_SECONDS}",
}
# What an object stored without one is served with (the function's viewer response).
DEFAULT_DISPOSITION = "attachment"
# What passes from S3's answer to the viewer (CloudFront passes the rest too;
# these are what a download needs).
PASSED_ON = ("Content-Type", "Content-Length", "Content-Disposition", "Cache-Control",
             "ETag", "Last-Modified")


def query_value(query: str, name: str) -> str | None:
    """The first value of `name` in a query string, as sent (undecoded), as
    CloudFront hands it to a function."""
    for part in query.split("&"):
        key, equals, value = part.partition("=")
        if key == name:
            return value if equals else ""
    return None


def served_headers(stored: Mapping[str, str]) -> dict[str, str]:
    """The headers of a file's answer, from those S3 answered (`stored`)."""
    headers = {name: stored[name] for name in PASSED_ON if stored.get(name)}
    headers.setdefault("Content-Disposition", DEFAULT_DISPOSITION)
    return {**headers, **FILE_HEADERS}


KEY_PLACEHOLDER = "${FilesSigningKey}"


def function_code(template_code: str, key: str) -> str:
    """FilesSignatureCheck's code as CloudFormation publishes it: the
    template's Fn::Sub with the stage's key put in (the only substitution)."""
    return template_code.replace(KEY_PLACEHOLDER, key)
