"""CSV exports: paged GSI queries (never a Scan), RFC 4180 as Python's csv
module reads it, a BOM, and no cell a spreadsheet would run as a formula."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import unquote

import pytest

from chalicelib.api.dashboard import DashboardApi
from chalicelib.contact.store import MessageStore
from chalicelib.core.idempotency import IdempotencyStore
from chalicelib.dashboard.export import FORMULA_TRIGGERS, MESSAGE_COLUMNS, csv_line, neutralised
from chalicelib.dashboard.reply_store import ReplyStore
from chalicelib.dashboard.service import Dashboard, ExportLimits
from chalicelib.db.counters import read_counters
from chalicelib.db.rate_limit import RateLimiter
from chalicelib.platform.ids import UlidGenerator
from tests.conftest import JSON, TEST_ORIGIN, LocalAws
from tests.contact.conftest import VALID
from tests.support.aws_calls import RECORDER

NEXT_LINK = re.compile(r'^<\?([^>]+)>; rel="next"$')


def rows_of(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_the_messages_export_is_a_csv_attachment_with_every_column(
        submit: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    message_id = submit({**VALID, "subject": "Prices, \"all\" of them",
                         "message": "line one\nline two, with a comma\n\"quoted\""}).json_body["id"]
    response = client.get("/dashboard/messages/export", headers=as_admin)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="messages.csv"'
    assert "Link" not in response.headers  # everything fit
    assert "Link" in response.headers["Access-Control-Expose-Headers"]
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    text = response.body.decode("utf-8")
    assert "\r\n" in text  # RFC 4180 line breaks between records
    header, row = rows_of(text)
    assert header == ["id", "createdAt", "status", "name", "email", "subject", "message",
                      "notificationStatus", "replyCount"]
    assert row[0] == message_id and row[2] == "new" and row[3] == "Ada"
    assert row[5] == 'Prices, "all" of them'
    assert row[6] == 'line one\nline two, with a comma\n"quoted"'
    assert row[7:] == ["pending", "0"]


def test_cells_a_spreadsheet_would_run_are_neutralised(
        submit: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    dangerous = ["=HYPERLINK(\"http://evil.test\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab"]
    for text in dangerous:
        assert submit({**VALID, "name": text.strip(), "message": text}).status_code == 202
    text = client.get("/dashboard/messages/export", headers=as_admin).body.decode()
    header, *rows = rows_of(text)
    messages = {row[header.index("message")] for row in rows}
    assert messages == {"'" + value for value in dangerous}
    for row in rows:
        for cell in row:
            assert not cell.startswith((*FORMULA_TRIGGERS, "\t", "\r", "\n")), cell


@pytest.mark.parametrize("value,expected", [
    ("=1+2", "'=1+2"), ("+33 1 23", "'+33 1 23"), ("-x", "'-x"), ("@x", "'@x"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=b", "a=b"), ("", ""), (None, ""), (42, "42"),
])
def test_neutralised(value: Any, expected: str) -> None:
    assert neutralised(value) == expected


def test_a_carriage_return_cell_survives_quoting() -> None:
    (row,) = csv.reader(io.StringIO(csv_line(["\rcmd", "a\r\nb"]), newline=""))
    assert row == ["'\rcmd", "a\r\nb"]


def paged_api(local_aws: LocalAws, table: str, **limits: int) -> DashboardApi:
    """The dashboard's HTTP edge with export limits of this test's own."""
    dynamodb = local_aws.session.client("dynamodb")
    return DashboardApi(Dashboard(
        MessageStore(dynamodb, table), ReplyStore(dynamodb, table), dynamodb=dynamodb,
        table_name=table, counters=partial(read_counters, dynamodb, table),
        reply_limiter=RateLimiter(dynamodb, table, scope="reply", limit=30, window_seconds=3600),
        idempotency=IdempotencyStore(dynamodb, table), export_limits=ExportLimits(**limits)))


def follow(api: DashboardApi, query: dict[str, str]) -> tuple[list[list[str]], int]:
    """Every row of every page, following the Link headers; and the page count."""
    rows: list[list[str]] = []
    pages = 0
    while True:
        response = api.export_messages(query)
        pages += 1
        header, *page = rows_of(response.body)
        rows += page
        link = response.headers.get("Link")
        if link is None:
            return rows, pages
        assert page, "a next link after an empty page"
        next_query = NEXT_LINK.match(str(link)).group(1)  # type: ignore[union-attr]
        query = {k: unquote(v) for k, v in (p.split("=", 1) for p in next_query.split("&"))}


def test_exports_page_by_rows_across_every_status_without_a_scan(
        local_aws: LocalAws, fresh_table: str) -> None:
    messages = MessageStore(local_aws.session.client("dynamodb"), fresh_table)
    ids = [messages.create({**VALID, "message": f"m{n}"}, None)["id"] for n in range(11)]
    for message_id in ids[:4]:
        messages.set_status(message_id, "read")
    messages.set_status(ids[4], "archived")
    api = paged_api(local_aws, fresh_table, max_rows=3)
    calls_before = len(RECORDER.calls)
    rows, pages = follow(api, {})
    assert sorted(row[0] for row in rows) == sorted(ids)  # each exactly once
    assert pages == 4  # 3 + 3 + 3 + 2
    operations = {c.operation for c in RECORDER.calls[calls_before:] if c.service == "dynamodb"}
    assert "Scan" not in operations and "Query" in operations
    only_read, _ = follow(api, {"status": "read"})
    assert sorted(row[0] for row in only_read) == sorted(ids[:4])


def test_exports_also_stop_at_the_byte_budget(local_aws: LocalAws, fresh_table: str) -> None:
    messages = MessageStore(local_aws.session.client("dynamodb"), fresh_table)
    for n in range(6):
        messages.create({**VALID, "message": "x" * 2000 + str(n)}, None)
    rows, pages = follow(paged_api(local_aws, fresh_table, max_bytes=4500), {})
    assert len(rows) == 6 and pages == 3  # two 2 kB rows per page


def test_from_and_to_select_by_time(local_aws: LocalAws, fresh_table: str) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    moment = [start]
    clock_ms = UlidGenerator(clock_ms=lambda: int(moment[0].timestamp() * 1000))
    messages = MessageStore(local_aws.session.client("dynamodb"), fresh_table,
                            clock=lambda: moment[0], ids=clock_ms)
    made = {}
    for day in range(5):
        moment[0] = start + timedelta(days=day)
        made[day] = messages.create({**VALID, "message": f"day {day}"}, None)["id"]
    api = paged_api(local_aws, fresh_table)
    rows, _ = follow(api, {"from": "2026-11-02", "to": "2026-11-04T00:00:00Z"})
    assert [row[0] for row in rows] == [made[2], made[1]]  # newest first; `to` excluded


def test_dates_outside_ulid_time_select_everything_or_nothing(
        submit: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    submit(VALID)
    for query, rows in (("from=0001-01-01&to=9999-12-31", 1), ("to=1900-01-01", 0),
                        ("from=9999-01-01", 0)):
        response = client.get(f"/dashboard/messages/export?{query}", headers=as_admin)
        assert response.status_code == 200, query
        assert len(rows_of(response.body.decode())) == 1 + rows, query


@pytest.mark.parametrize("query", [
    "from=1960-01-01&to=1965-01-01", "to=1970-01-01", "to=1969-12-31T23:59:59Z",
    "from=9000-01-01T00:00:00.0004Z&to=9000-01-01T00:00:00.0006Z",
])
def test_a_range_no_message_can_be_in_answers_empty_without_a_query(
        submit: Callable[..., Any], client: Any, as_admin: dict[str, str], query: str) -> None:
    submit(VALID)
    calls_before = len(RECORDER.calls)
    response = client.get(f"/dashboard/messages/export?{query}", headers=as_admin)
    assert response.status_code == 200, response.body
    assert rows_of(response.body.decode()) == [list(MESSAGE_COLUMNS)]
    assert [c.operation for c in RECORDER.calls[calls_before:]
            if c.service == "dynamodb" and c.operation == "Query"] == []


def test_a_cursor_below_a_later_from_answers_empty_without_an_invalid_query(
        local_aws: LocalAws, fresh_table: str) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    moment = [start]
    ids = UlidGenerator(clock_ms=lambda: int(moment[0].timestamp() * 1000))
    messages = MessageStore(local_aws.session.client("dynamodb"), fresh_table,
                            clock=lambda: moment[0], ids=ids)
    for day in range(3):
        moment[0] = start + timedelta(days=day)
        messages.create({**VALID, "message": f"day {day}"}, None)
    api = paged_api(local_aws, fresh_table, max_rows=1)
    first = api.export_messages({"status": "new"})
    cursor = NEXT_LINK.match(str(first.headers["Link"])).group(1).split("cursor=")[1]  # type: ignore[union-attr]
    # The cursor stands at day 2; the same cursor with a `from` after it selects nothing
    # in its status, then carries on in the next ones (empty here).
    later = api.export_messages({"cursor": unquote(cursor), "from": "2026-11-10"})
    assert later.status_code == 200
    assert rows_of(later.body) == [list(MESSAGE_COLUMNS)]
    assert "Link" not in later.headers


@pytest.mark.parametrize("query,field", [
    ("status=bogus", "status"), ("from=yesterday", "from"), ("to=2026-13-01", "to"),
    ("from=2026-11-02&to=2026-11-01", "to"), ("cursor=not-a-cursor", "cursor"),
    # Valid ISO 8601, but before year 1 once in UTC.
    ("from=0001-01-01T00:00:00%2B01:00", "from"),
    ("cursor=" + "x" * 300, "cursor"), ("format=xlsx", "format"),
])
def test_bad_export_parameters_are_400(client: Any, as_admin: dict[str, str], query: str,
                                       field: str) -> None:
    response = client.get(f"/dashboard/messages/export?{query}", headers=as_admin)
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "validation_failed"
    assert field in [d["field"] for d in response.json_body["error"]["details"]]
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN


def test_a_users_cursor_is_no_messages_cursor(local_aws: LocalAws, fresh_table: str,
                                               client: Any,
                                               as_admin: dict[str, str]) -> None:
    for n in range(3):
        client.post("/users", headers={**as_admin, **JSON},
                    body=f'{{"name": "User {n}", "email": "u{n}@example.com"}}'.encode())
    page = paged_api(local_aws, fresh_table, max_rows=1).export_users({})
    cursor = NEXT_LINK.match(str(page.headers["Link"])).group(1).split("cursor=")[1]  # type: ignore[union-attr]
    response = client.get(f"/dashboard/messages/export?cursor={cursor}", headers=as_admin)
    assert response.status_code == 400


def test_the_users_export(client: Any, as_admin: dict[str, str]) -> None:
    for n, age in enumerate((30, None, 45)):
        body = {"name": f"=User {n}", "email": f"u{n}@example.com"} | ({"age": age} if age else {})
        assert client.post("/users", headers={**as_admin, **JSON},
                           body=json.dumps(body).encode()).status_code == 201
    response = client.get("/users/export", headers=as_admin)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="users.csv"'
    header, *rows = rows_of(response.body.decode())
    assert header == ["id", "name", "email", "age", "createdAt", "updatedAt"]
    assert [(row[1], row[2], row[3]) for row in rows] == [
        ("'=User 2", "u2@example.com", "45"), ("'=User 1", "u1@example.com", ""),
        ("'=User 0", "u0@example.com", "30")]
    assert client.get("/users/export?limit=5", headers=as_admin).status_code == 400
