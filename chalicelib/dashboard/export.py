"""CSV exports of the dashboard's lists.

- UTF-8 with a byte-order mark, so spreadsheet programs read it as UTF-8.
- RFC 4180: every field quoted, quotes doubled, CRLF between records.
- Formula injection neutralised (OWASP's CSV injection advice, ASVS 5.0
  1.2.10): an apostrophe, which spreadsheets show as text, goes before any
  trigger a cell could start with. Quoting is not enough: a spreadsheet set
  to another separator (`;` in much of Europe, or tab) ignores the quotes of
  a comma file and splits the value itself, so the trigger is looked for at
  the start of the value *and* after every separator inside it (`,` `;` tab,
  and line breaks), past any invisible character (spaces of every kind, zero
  widths, a BOM, other format characters, a quote) a spreadsheet may strip.
  The triggers are = + - @ and NUL, with their full-width and other
  compatibility forms (＝ ＋ － ＠ ﹦ ...: whatever NFKC makes one of them),
  and, at the very start, tab, CR and LF. The value is then no longer
  byte-identical, which is the accepted trade.
- One call returns at most `max_rows` rows and `max_bytes` bytes (Lambda's
  response limit is 6 MB), with a cursor to the rest. Lambda behind API
  Gateway returns a whole body, not a stream, so a page is built in memory.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.contact.model import Message
from chalicelib.forms.model import FormDefinition
from chalicelib.users.model import User

BOM = "\ufeff"
# = + - @, NUL, and every character NFKC turns into one of the four
# (tests/dashboard/test_export.py derives the list from unicodedata).
FORMULA_TRIGGERS = ("=+-@\x00\u207a\u207c\u208a\u208c\ufb29\ufe62\ufe63\ufe66\ufe6b"
                    "\uff0b\uff0d\uff1d\uff20")
# A trigger too, where a cell begins.
LEADING_TRIGGERS = "\t\r\n"
# Where a spreadsheet may split a value into cells of its own.
SEPARATORS = ",;\t\r\n"
# What a spreadsheet may skip or strip before reading a cell: other controls;
# the Unicode spaces and line separators (Zs, Zl, Zp); the format characters
# (Cf: zero widths, BOM, bidi marks, soft hyphen, tags); the invisible letters
# and marks (Hangul fillers, Braille blank, variation selectors). The tests
# hold the lists to unicodedata.
INVISIBLE = (  # a regular expression's character class
    "\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    " \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    "\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
    "\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u2800\u3164\ufe00-\ufe0f\uffa0")
_TRIGGER = re.escape(FORMULA_TRIGGERS)
_CELL_START = re.compile(f'^[{INVISIBLE}"]*(?=[{_TRIGGER}{LEADING_TRIGGERS}])')
# After a separator the whitespace triggers are separators or spaces themselves:
# skipped, so a paragraph break is not marked, but the text after it is read.
_AFTER_SEPARATOR = re.compile(
    f'[{SEPARATORS}][{INVISIBLE}"{LEADING_TRIGGERS}]*(?=[{_TRIGGER}])')

MESSAGE_COLUMNS = ("id", "createdAt", "status", "name", "email", "subject", "message",
                   "notificationStatus", "replyCount")
USER_COLUMNS = ("id", "name", "email", "age", "createdAt", "updatedAt")

Row = tuple[list[Any], Callable[[], str]]  # cells, and the cursor that resumes after them


def neutralised(value: Any) -> str:
    """`value` as a cell no spreadsheet runs, however it splits it: an
    apostrophe before each trigger a cell (or a piece after a separator)
    would begin with, once the invisible characters before it are skipped."""
    cell = "" if value is None else str(value)
    cell = _AFTER_SEPARATOR.sub(r"\g<0>'", cell)
    return _CELL_START.sub(r"\g<0>'", cell, count=1)


def csv_line(cells: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerow(
        [neutralised(c) for c in cells])
    return buffer.getvalue()


@dataclass(frozen=True)
class CsvPage:
    text: str
    rows: int
    next_cursor: str | None


def csv_page(columns: Iterable[str], rows: Iterator[Row], *, max_rows: int,
             max_bytes: int) -> CsvPage:
    parts = [BOM, csv_line(columns)]
    size = sum(len(part.encode()) for part in parts)
    count = 0
    resume: Callable[[], str] | None = None
    for cells, cursor in rows:
        line = csv_line(cells)
        line_bytes = len(line.encode())
        if count >= max_rows or (count and size + line_bytes > max_bytes):
            assert resume is not None
            return CsvPage("".join(parts), count, resume())  # at least this row remains
        parts.append(line)
        size += line_bytes
        count += 1
        resume = cursor
    return CsvPage("".join(parts), count, None)


def message_cells(message: Message) -> list[Any]:
    return [message.id, message.created_at, message.status, message.name, message.email,
            message.subject, message.message, message.notification.status, message.reply_count]


def form_columns(form: FormDefinition) -> tuple[str, ...]:
    """One form's messages: a column per field of its definition (by name, in
    its order), then its extra fields as one JSON object."""
    return ("id", "createdAt", "status", *(f.name for f in form.fields), "extra",
            "notificationStatus", "replyCount")


def form_message_cells(form: FormDefinition, message: Message) -> list[Any]:
    """A field the message lacks (left empty, or added to the form since) is
    an empty cell; a field it has that the form no longer defines is in none."""
    values = {f.name: f.value for f in message.shown_fields}
    cells: list[Any] = [message.id, message.created_at, message.status]
    for field in form.fields:
        value = values.get(field.name)
        cells.append(("true" if value else "false") if isinstance(value, bool) else value)
    extra = json.dumps(dict(message.extra), ensure_ascii=False) if message.extra else ""
    return [*cells, extra, message.notification.status, message.reply_count]


def user_cells(user: User) -> list[Any]:
    return [user.id, user.name, user.email, user.age, user.created_at, user.updated_at]
