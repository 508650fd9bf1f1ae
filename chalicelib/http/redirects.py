"""Where a form post may send the browser: only to the stage's own web sites.

Browsers forgive a great deal in a Location header: `//host` is another site,
`https:\\host` and `/\\host` are read as `https://host`, tabs and newlines are
dropped, and `https://allowed@evil` is a visit to `evil`. So an address is
accepted only when it is plainly `http(s)://host[:port]/…` in printable ASCII,
without user info or backslashes, and its origin is listed exactly. A `*` in
the allowed origins opens CORS, never redirects.
"""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit


def _plain_ascii(url: str) -> bool:
    return url.isascii() and all(0x20 < ord(ch) < 0x7F for ch in url)


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of a plain absolute http(s) address, else None."""
    if not url or not _plain_ascii(url) or "\\" in url:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if "@" in parts.netloc or not url.lower().startswith(f"{parts.scheme.lower()}://"):
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_allowed_target(url: str | None, allowed_origins: tuple[str, ...]) -> bool:
    if not url:
        return False
    origin = origin_of(url)
    return origin is not None and origin in {o.lower() for o in allowed_origins if o != "*"}


def with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` added to its query (a fragment stays last)."""
    parts = urlsplit(url)
    added = urlencode(params, safe=",")
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
