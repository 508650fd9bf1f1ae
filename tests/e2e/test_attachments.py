"""Attachments in the browser (issue 26): a visitor attaches files on
form.html, each uploaded with a progress bar straight to the bucket, a file of
a refused type explained in plain words, one removed before sending; then an
admin sees the message's files in the dashboard and downloads one."""
from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Tab, sign_in
from tests.e2e.support import Api

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
APPLICATION = {"name": "Job application", "fields": [
    {"name": "email", "label": "Email", "type": "email", "required": True},
    {"name": "cv", "label": "Your CV", "type": "file", "required": True, "maxFiles": 2,
     "maxBytes": 100_000, "accept": ["application/pdf", "text/plain"]}],
    "replyTo": "email"}


def test_attach_submit_and_download_as_admin(tab: Tab, stack: dict[str, Any], admin_api: Api,
                                             demo: dict[str, dict[str, Any]]) -> None:
    form_id = f"e2e-{uuid.uuid4().hex[:10]}"
    admin_api.ok("PUT", f"/dashboard/forms/{form_id}", APPLICATION)
    page = tab.page
    page.goto(f"{stack['webUrl']}/form.html?form={form_id}")
    expect(page.locator("form#form")).to_be_visible()
    expect(page.locator(f"#{form_id}-cv-limits")).to_have_text(
        "Up to 2 files (.pdf or .txt), at most 97.7 KiB each.")
    files = page.locator(f"#{form_id}-cv-files li")
    cv = page.locator(f"#{form_id}-cv")

    # A type the field does not take: refused here, in plain words, never uploaded.
    cv.set_input_files([{"name": "page.html", "mimeType": "text/html", "buffer": b"<p>hi</p>"}])
    expect(files).to_have_count(1)
    expect(files.first).to_contain_text("page.html cannot be sent: it is a text/html file, and "
                                        "this field takes only .pdf, .txt files.")
    files.first.get_by_role("button", name="Remove page.html").click()
    expect(files).to_have_count(0)

    # Two files uploaded, each with its progress bar; one removed before sending.
    cv.set_input_files([{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": PDF},
                        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Notes.\n"}])
    expect(files).to_have_count(2)
    expect(page.locator(f"#{form_id}-cv-files li[data-state=done]")).to_have_count(2)
    expect(files.first.locator("progress")).to_have_attribute("value", "1")
    files.nth(1).get_by_role("button", name="Remove notes.txt").click()
    expect(files).to_have_count(1)

    page.get_by_label("Email").fill("ada@example.com")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith(f"/forms/{form_id}")) \
            as post:
        page.get_by_role("button", name="Send").click()
    expect(page.locator("#form-success")).to_be_visible()
    sent = post.value.post_data_json
    assert sent["email"] == "ada@example.com" and len(sent["cv"]) == 1
    (message,) = admin_api.ok("GET", f"/dashboard/messages?status=new&form={form_id}").body["items"]
    assert [a["filename"] for a in message["attachments"]] == ["cv.pdf"]

    # The admin opens the message from the mail's link and downloads the file.
    sign_in(tab, stack, demo["admin"])
    page.locator("#view-dashboard").wait_for()  # signed in before the link is opened
    page.goto(f"{stack['webUrl']}/admin.html?message={message['id']}#messages")
    detail = page.locator("#message-detail")
    expect(detail.locator(".attachment")).to_have_count(1)
    expect(detail.locator(".attachment-name")).to_have_text("cv.pdf")
    expect(detail.locator(".attachment-size")).to_have_text(f"{len(PDF)} bytes")
    expect(detail.locator(".attachment-type")).to_have_text("PDF")
    # From the files origin (the files distribution, deployed), never the site's or
    # S3's, with what S3 alone cannot send: nosniff.
    with page.expect_download() as download, page.expect_response(
            lambda r: r.url.startswith(f"{stack['filesUrl']}/files/")) as served:
        detail.get_by_role("button", name="Download cv.pdf").click()
    assert download.value.suggested_filename == "cv.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == PDF
    headers = served.value.headers
    assert served.value.status == 200
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-disposition"].startswith('attachment; filename="cv.pdf"')
    assert headers["content-security-policy"] == "default-src 'none'; sandbox"
