"""The plain-form examples in README.md and docs/api.md post where the API takes
contact messages (POST /contact, or a form's POST /forms/{id}), and the thank-you
page they name ships with the site."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from devstack.stack import PROJECT_DIR

DOCS = [PROJECT_DIR / "README.md", PROJECT_DIR / "docs" / "api.md"]


def examples(doc: Path, pattern: str) -> list[str]:
    return re.findall(pattern, doc.read_text())


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_the_form_example_posts_to_the_api_s_contact_route(doc: Path) -> None:
    # <your-api> is the API's address as deploy prints it (the stage's path included)
    # and as `make dev` writes it (apiUrl); POST /contact is the route under it.
    actions = examples(doc, r'<form method="post" action="([^"]+)"')
    assert "<your-api>/contact" in actions
    assert all(re.fullmatch(r"<your-api>/(contact|forms/[a-z][a-z0-9-]*)", a) for a in actions), actions


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_the_form_example_lands_on_the_site_s_own_thank_you_page(doc: Path) -> None:
    pages = examples(doc, r'name="_next"\s+value="([^"]+)"')
    assert pages
    for after in pages:
        assert after.startswith("<your-site>/")
        assert (PROJECT_DIR / "web" / after.removeprefix("<your-site>/")).is_file(), after
