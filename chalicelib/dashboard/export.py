"""CSV exports of the dashboard's lists.

- UTF-8 with a byte-order mark, so spreadsheet programs read it as UTF-8.
- RFC 4180: fields quoted when they hold a comma, quote or line break, quotes
  doubled, CRLF between records.
- Formula injection neutralised: a cell a spreadsheet would run as a formula
  (starting with =, +, -, @, tab or CR) gets a leading apostrophe, which
  spreadsheets show as text. The value is then no longer byte-identical, which
  is the accepted trade (OWASP's advice).
- One call returns at most `max_rows` rows and `max_bytes` bytes (Lambda's
  response limit is 6 MB), with a cursor to the rest. Lambda behind API
  Gateway returns a whole body, not a stream, so a page is built in memory.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.contact.model import Message
from chalicelib.forms.model import FormDefinition
from chalicelib.users.model import User

BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

MESSAGE_COLUMNS = ("id", "createdAt", "status", "name", "email", "subject", "message",
                   "notificationStatus", "replyCount")
USER_COLUMNS = ("id", "name", "email", "age", "createdAt", "updatedAt")

Row = tuple[list[Any], Callable[[], str]]  # cells, and the cursor that resumes after them


def neutralised(value: Any) -> str:
    cell = "" if value is None else str(value)
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def csv_line(cells: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralised(c) for c in cells])
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
