"""docs/api.md's status table names every code the API answers with, at its
status, and no other (chalicelib/http/errors.py's CATALOGUE is the list)."""
from __future__ import annotations

import re
from pathlib import Path

from chalicelib.http.errors import CATALOGUE
from devstack.gateway import HeaderFieldsTooLarge, UriTooLong

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"
# The local server's own refusals (make dev), said in the table as local only.
LOCAL_ONLY = {cls.code: cls.status for cls in (UriTooLong, HeaderFieldsTooLarge)}


def status_table() -> dict[str, set[int]]:
    """code -> the statuses its rows give it."""
    section = API_MD.read_text().split("## Statuses", 1)[1].split("\n## ", 1)[0]
    codes: dict[str, set[int]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not re.fullmatch(r"[\d, ]+", cells[0]):
            continue
        statuses = {int(s) for s in cells[0].split(",")}
        for code in re.findall(r"`([a-z_]+)`", cells[1]):
            codes.setdefault(code, set()).update(statuses)
    return codes


def test_the_status_table_lists_every_code_at_its_status() -> None:
    table = status_table()
    expected = {code: cls.status for code, cls in CATALOGUE.items()} | LOCAL_ONLY
    assert set(table) == set(expected)
    for code, status in expected.items():
        assert status in table[code], code
