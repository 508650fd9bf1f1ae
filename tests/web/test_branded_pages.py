"""The pages as served carry the stage's branding: its name in the title and
header, as text whatever it holds, and the dashboard link only where wanted."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from chalicelib.platform.branding import Branding
from devstack.stack import PROJECT_DIR
from infra.web_pages import DASHBOARD_LINK, branding_config, served_page

WEB_DIR = PROJECT_DIR / "web"
PAGES = sorted(WEB_DIR.glob("*.html"))
# form.html is the API's page (chalicelib/api/form_page.py, tests/forms/test_form_page.py).
PUBLIC = ["index.html", "thanks.html", "404.html"]
HOSTILE = "Acme <script>alert(1)</script> & \"Co\""


def config(branding: Branding) -> dict[str, object]:
    return {"apiUrl": "https://api.test/api", "branding": branding_config(branding)}


def title(page: bytes) -> str:
    found = re.search(rb"<title>(.*?)</title>", page)
    assert found, "a page without a title"
    return found.group(1).decode()


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_page_names_the_site_in_its_title_and_header(path: Path) -> None:
    page = served_page(path.read_bytes(), config(Branding(site_name="Acme Support")))
    assert title(page).endswith(" · Acme Support")
    assert re.search(rb'<a class="brand" href="[^"]*">Acme Support[ <]', page)
    assert b"Frontdesk" not in page and b"__" not in page  # every marker written in


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_a_name_that_is_markup_is_shown_as_text(path: Path) -> None:
    page = served_page(path.read_bytes(), config(Branding(site_name=HOSTILE)))
    escaped = "Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"
    assert title(page).endswith(f" · {escaped}")
    assert b"<script>alert" not in page


@pytest.mark.parametrize("name", PUBLIC)
def test_the_public_pages_link_to_the_dashboard_unless_the_stage_says_not(name: str) -> None:
    source = (WEB_DIR / name).read_bytes()
    assert len(DASHBOARD_LINK.findall(source)) == 1
    linked = served_page(source, config(Branding()))
    unlinked = served_page(source, config(Branding(dashboard_link=False)))
    assert re.search(rb'<a href="/?admin.html">Admin</a>', linked)
    assert b"admin.html" not in unlinked and b"dashboard-link" not in unlinked
    # Nothing else changes: the page is the linked one without that one line.
    assert unlinked == DASHBOARD_LINK.sub(b"", linked)


def test_a_config_without_branding_serves_frontdesk_as_before() -> None:
    page = served_page((WEB_DIR / "index.html").read_bytes(), {"apiUrl": "https://api.test/api"})
    assert title(page) == "Contact us · Frontdesk"
    assert b'<a href="admin.html">Admin</a>' in page
    assert b'action="https://api.test/api/contact"' in page
