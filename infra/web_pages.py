"""The pages of web/ as served: the stage's values written into them.

With JavaScript off, the contact form posts straight to the API, so its
`action` must name the API before any script runs; the site's name must be in
the title and header before any script runs too, and a link the stage turns
off must not be in the page at all. The pages carry markers there; `make dev`
(devstack/stack.py) writes the stage's values in as it serves them, and `make
deploy` (infra/site.py) as it uploads them: one function, from the one web
config (config.json), so both write the same thing.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from typing import Any

from chalicelib.platform.branding import DEFAULT, Branding

API_URL_MARKER = "__API_URL__"
SITE_NAME_MARKER = "__SITE_NAME__"
# The public pages' link to the dashboard sits between these two comments.
DASHBOARD_LINK = re.compile(rb"[ \t]*<!-- dashboard-link -->.*?<!-- /dashboard-link -->[ \t]*\n?",
                            re.DOTALL)


def branding_config(branding: Branding) -> dict[str, Any]:
    """The web config's `branding`: what the pages and their scripts show."""
    return {"siteName": branding.site_name, "timeZone": branding.time_zone,
            "dashboardLink": branding.dashboard_link}


def page_branding(config: Mapping[str, Any]) -> Branding:
    """The branding a web config names (its defaults when it names none)."""
    values = config.get("branding") or {}
    return Branding(site_name=values.get("siteName", DEFAULT.site_name),
                    time_zone=values.get("timeZone", DEFAULT.time_zone),
                    dashboard_link=values.get("dashboardLink", DEFAULT.dashboard_link))


def served_page(page: bytes, config: Mapping[str, Any]) -> bytes:
    """`page` (HTML) with the API's address (when the config has one) and the
    site's name written in, each escaped for text and attributes alike, and
    without the dashboard link when the stage turns it off."""
    branding = page_branding(config)
    if config.get("apiUrl"):
        page = page.replace(API_URL_MARKER.encode(),
                            escape(str(config["apiUrl"]).rstrip("/"), quote=True).encode())
    page = page.replace(SITE_NAME_MARKER.encode(), escape(branding.site_name, quote=True).encode())
    return page if branding.dashboard_link else DASHBOARD_LINK.sub(b"", page)
