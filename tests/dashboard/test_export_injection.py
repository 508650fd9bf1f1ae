"""CSV exports against formula injection, read as spreadsheets read them: with
`,`, `;` or a tab as the separator, whatever the file was written with. No
cell any of them splits out of an export may begin with a trigger, even
after the invisible characters a spreadsheet may strip."""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.dashboard.export import FORMULA_TRIGGERS, INVISIBLE, csv_line, neutralised
from tests.conftest import JSON
from tests.contact.conftest import VALID

SEPARATORS = [",", ";", "\t"]
ASCII_TRIGGERS = "=+-@"


def _category_chars(*categories: str) -> set[str]:
    return {c for c in map(chr, range(0x110000)) if unicodedata.category(c) in categories}


# What this test counts as invisible, from unicodedata itself (not the module's list).
_INVISIBLE_LETTERS = set("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164"
                         "\uffa0") | {chr(c) for c in range(0xFE00, 0xFE10)}
_CONTROLS = _category_chars("Cc") - set("\t\r\n\x00")
_SPACES = _category_chars("Zs", "Zl", "Zp")
_FORMAT = _category_chars("Cf")
STRIPPABLE = "".join(sorted(_CONTROLS | _SPACES | _FORMAT | _INVISIBLE_LETTERS)) + '"'


def starts_with_trigger(cell: str, *, whole_value: bool = False) -> bool:
    """Whether a spreadsheet could read `cell` as a formula, once it strips
    what it may strip: invisible characters, quotes, and tabs and line breaks
    (a cell split out of a value may begin with one). A whole value (a cell
    as its own quotes delimit it) may not begin with a tab or line break at all."""
    if whole_value and cell.lstrip(STRIPPABLE)[:1] in ("\t", "\r", "\n"):
        return True
    stripped = cell.lstrip(STRIPPABLE + "\t\r\n")
    if not stripped:
        return False
    first = stripped[0]
    return first == "\x00" or unicodedata.normalize("NFKC", first) in ASCII_TRIGGERS


HOSTILE = [
    "x;=1+1;y", "x,=1+1,y", "x\t=1+1\ty", "a;+1;b", "a; -1", "a,@SUM(A1)", "a;\t=1",
    "=1+1", "+33 1 23", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", "\n=cmd", "\x00=x",
    "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "x;\uff1d1", "\ufe66x", "\u207c1",
    "\u00a0=1+1", "\u200b=1+1", "\ufeff=1+1", "\u2060@x", "\u3000-1", "\u202e=1", " =1",
    "x;\u00a0=1", "x, \u200b+1", 'x;"=1+1', 'x,"\u00a0@1', "x\n=1", "x\r\n-1", "x\n\n\n@1",
    "Prices; -20% off, +5 today", "one;two;=three;@four", ";=", ",,,=", "\t\t=",
    '{"a": [1, -2]}', "\u3164=1", "\u2800+1", "\ufe0f-1", "\U000e0041=1",
]


@pytest.mark.parametrize("separator", SEPARATORS, ids=["comma", "semicolon", "tab"])
def test_no_cell_starts_with_a_trigger_whatever_the_separator(separator: str) -> None:
    text = "".join(csv_line(["01ID", value, "tail"]) for value in HOSTILE)
    cells = [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator)
             for cell in row]
    assert cells
    whole = separator == ","  # the file's own separator: each cell is a whole value
    assert [cell for cell in cells if starts_with_trigger(cell, whole_value=whole)] == []


def test_the_same_values_unneutralised_would_start_cells_with_triggers() -> None:
    # The check above can fail: without neutralising, these cells appear.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for value in HOSTILE:
        writer.writerow(["01ID", value, "tail"])
    for separator in SEPARATORS:
        cells = [cell for row in csv.reader(io.StringIO(buffer.getvalue(), newline=""),
                                            delimiter=separator) for cell in row]
        assert any(starts_with_trigger(cell) for cell in cells), separator


def test_every_field_is_quoted() -> None:
    assert csv_line(["a", "b;c", 3, None]) == '"a","b;c","3",""\r\n'


@pytest.mark.parametrize("value,expected", [
    ("x;=1+1;y", "x;'=1+1;y"), ("\n=1", "'\n'=1"), ("\uff1d1", "'\uff1d1"),
    ("\u00a0=1", "\u00a0'=1"), ("\u200b@x", "\u200b'@x"), ("\ufeff+1", "\ufeff'+1"),
    ("Prices, -20%", "Prices, '-20%"), ("a\n\nb", "a\n\nb"), ("line\n- item", "line\n'- item"),
    ("a-b", "a-b"), ("a=b; c", "a=b; c"), ("x@example.com", "x@example.com"),
])
def test_where_the_apostrophe_goes(value: str, expected: str) -> None:
    assert neutralised(value) == expected


def test_the_triggers_are_every_character_nfkc_makes_one() -> None:
    derived = {c for c in map(chr, range(0x110000))
               if unicodedata.normalize("NFKC", c) in ASCII_TRIGGERS}
    assert set(FORMULA_TRIGGERS) == derived | {"\x00"}


def test_the_invisible_class_holds_every_space_format_and_control_character() -> None:
    invisible = re.compile(f"[{INVISIBLE}]")
    missing = sorted(f"U+{ord(c):04X}" for c in STRIPPABLE.rstrip('"')
                     if not invisible.fullmatch(c))
    assert missing == []


def rows_read_with(text: str, separator: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=separator))


@pytest.mark.parametrize("separator", SEPARATORS, ids=["comma", "semicolon", "tab"])
def test_the_messages_export_is_safe_with_any_separator(
        submit: Callable[..., Any], client: Any, as_admin: dict[str, str],
        separator: str) -> None:
    for name, subject, message in [
            ("x;=1+1;y", "a;@SUM(A1)", "hello;=HYPERLINK(\"http://evil.test\")"),
            ("\u00a0=1+1", "\uff1d1+1", "\n=cmd|' /C calc'!A0"),
            ("\ufeff+1", "\u200b-1", "first\n- second\t=third"),
            ("a, +1", "x;\u3000@y", "\uff20SUM(A1);\u3000-1\tz")]:
        response = submit({**VALID, "name": name, "subject": subject, "message": message})
        assert response.status_code == 202, response.json_body
    text = client.get("/dashboard/messages/export", headers=as_admin).body.decode()
    cells = [cell for row in rows_read_with(text, separator) for cell in row]
    assert len(rows_read_with(text, ",")) == 1 + 4
    whole = separator == ","
    assert [cell for cell in cells if starts_with_trigger(cell, whole_value=whole)] == []


@pytest.mark.parametrize("separator", SEPARATORS, ids=["comma", "semicolon", "tab"])
def test_the_users_export_is_safe_with_any_separator(
        client: Any, as_admin: dict[str, str], separator: str) -> None:
    for n, name in enumerate(["x;=1+1;y", "\u00a0=1+1", "\uff1dcmd", "ab, @SUM(A1)"]):
        body = {"name": name, "email": f"u{n}@example.com"}
        response = client.post("/users", headers={**as_admin, **JSON},
                               body=json.dumps(body).encode())
        assert response.status_code == 201, response.json_body
    text = client.get("/users/export", headers=as_admin).body.decode()
    cells = [cell for row in rows_read_with(text, separator) for cell in row]
    assert len(rows_read_with(text, ",")) == 1 + 4
    whole = separator == ","
    assert [cell for cell in cells if starts_with_trigger(cell, whole_value=whole)] == []
