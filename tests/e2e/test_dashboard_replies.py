"""The admin answers a visitor from the dashboard: the reply shows as pending,
then as sent, and the mail is in the local AWS's SES. And each list exports
as a CSV download, fetched with the token in a header, never in a URL."""
from __future__ import annotations

import csv
import io
import json
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Tab
from tests.e2e.support import http


def _sent_mail(stack: dict[str, Any], to: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{stack['awsEndpoint']}/moto-api/data.json") as answer:
        data = json.load(answer)
    return [m for m in data["ses"]["Message"] if to in m["destinations"]["ToAddresses"]]


def test_admin_replies_and_the_visitor_gets_the_mail(admin_tab: Tab, stack: dict[str, Any]) -> None:
    page = admin_tab.page
    visitor = f"visitor-{uuid.uuid4().hex[:10]}@example.com"
    sent = http("POST", stack["apiUrl"] + "/contact", {
        "name": "Ada Lovelace", "email": visitor, "subject": "Engines",
        "message": "Does it compute?"}).body
    with page.expect_response(lambda r: "/dashboard/messages?" in r.url):
        page.click("#messages-reload")
    page.locator(f'#messages-rows tr[data-id="{sent["id"]}"]').get_by_role("button").click()
    detail = page.locator("#message-detail")
    expect(detail.locator(".thread h3")).to_have_text("No replies yet")

    page.fill("#reply-body", "It does.\n<b>Ada</b>'s engine computes.")
    button = page.locator("#reply-send")
    with page.expect_response(lambda r: r.url.endswith("/replies")) as answer:
        button.click()
        expect(button).to_be_disabled()  # until the API has answered
    assert answer.value.status == 202
    assert answer.value.request.headers.get("idempotency-key")
    expect(button).to_be_enabled()
    expect(page.locator("#reply-body")).to_have_value("")
    reply = detail.locator(".reply")
    expect(reply).to_have_count(1)
    expect(reply.locator(".reply-body")).to_have_text("It does.\n<b>Ada</b>'s engine computes.")
    expect(detail.locator(".message-status")).to_have_text("Replied")
    # The stack's stream pump mails it within a second; the page polls until it shows.
    expect(reply.locator(".reply-status")).to_have_text("Sent", timeout=15_000)
    admin_tab.screenshot("message-replied")

    (mail,) = _sent_mail(stack, visitor)
    assert mail["subject"] == "Re: Engines"
    assert "It does.\n&lt;b&gt;Ada&lt;/b&gt;&#x27;s engine computes." in mail["body"]
    assert "Does it compute?" in mail["body"]


def test_admin_downloads_the_messages_export(admin_tab: Tab, stack: dict[str, Any]) -> None:
    page = admin_tab.page
    marker = uuid.uuid4().hex
    http("POST", stack["apiUrl"] + "/contact", {
        "name": "=cmd|' /C calc'!A0", "email": "csv@example.com", "message": f"Export {marker}"})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    with page.expect_download() as download_info:
        page.click("#messages-export")
    download = download_info.value
    assert download.suggested_filename == "messages-new.csv"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["id", "createdAt", "status"]
    (row,) = [r for r in rows if r[6] == f"Export {marker}"]
    assert row[3] == "'=cmd|' /C calc'!A0"
    exports = [url for url in requests if "/export" in url]
    assert exports and not any("token" in url.lower() or "eyJ" in url for url in exports)


def test_admin_downloads_the_users_export(admin_tab: Tab) -> None:
    page = admin_tab.page
    page.click("#tab-users")
    with page.expect_download() as download_info:
        page.click("#users-export")
    download = download_info.value
    assert download.suggested_filename == "users.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text("utf-8-sig"), newline="")))
    assert rows[0] == ["id", "name", "email", "age", "createdAt", "updatedAt"]
