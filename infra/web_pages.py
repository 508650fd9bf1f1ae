"""The pages of web/ as served: the API's address written into them.

With JavaScript off, the contact form posts straight to the API, so its
`action` must name the API before any script runs. The pages carry a marker
there; `make dev` (devstack/stack.py) writes the local API in as it serves
them, and `make deploy` (infra/site.py) as it uploads them: one function, so
both write the same thing.
"""
from __future__ import annotations

from html import escape

API_URL_MARKER = "__API_URL__"


def with_api_url(page: bytes, api_url: str) -> bytes:
    """`page` (HTML) with every marker replaced by the API's address, escaped for an attribute."""
    return page.replace(API_URL_MARKER.encode(),
                        escape(api_url.rstrip("/"), quote=True).encode())
