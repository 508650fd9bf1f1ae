"""Downloads (an admin's redirect to a presigned GET answered as a download)
and deletion (a message's files go with it: delete, bulk delete, a person's
erasure, retention)."""
from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from botocore.config import Config

from chalicelib.attachments.files import AttachmentFiles
from chalicelib.attachments.links import LINK_SECONDS
from chalicelib.contact.store import MessageStore
from chalicelib.core.domain_errors import DependencyUnavailable
from devstack.moto_ttl import SWEEP_PATH
from devstack.triggers import StreamPump
from tests.attachments.conftest import PDF, PNG
from tests.conftest import JSON, TEST_ORIGIN, LocalAws
from tests.contact.conftest import pump  # noqa: F401 (a fixture)
from tests.support.ports import free_port


@pytest.fixture
def stored(jobs: dict[str, Any], upload: Callable[..., str], client: Any) -> dict[str, Any]:
    """A message with a CV and a photo; its id and the files' upload ids."""
    cv = upload("cv", 'My "CV".pdf', "application/pdf", PDF)
    photo = upload("photo", "me.png", "image/png", PNG)
    answer = client.post("/forms/jobs", headers={**JSON, "Origin": TEST_ORIGIN},
                         body=json.dumps({"email": "ada@example.com", "cv": [cv],
                                          "photo": [photo]}).encode())
    assert answer.status_code == 202, answer.body
    return {"id": json.loads(answer.body)["id"], "uploads": [cv, photo]}


def files_in(s3: Any, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_the_message_lists_its_attachments(stored: dict[str, Any], client: Any,
                                           as_admin: dict[str, str]) -> None:
    thread = json.loads(client.get(f"/dashboard/messages/{stored['id']}", headers=as_admin).body)
    assert thread["attachments"] == [
        {"field": "cv", "filename": "My _CV.pdf", "contentType": "application/pdf",
         "size": len(PDF), "kind": "pdf"},
        {"field": "photo", "filename": "me.png", "contentType": "image/png", "size": len(PNG),
         "kind": "image"}]


def test_an_admin_is_redirected_to_a_short_lived_signed_link_on_the_files_origin(
        stored: dict[str, Any], client: Any, as_admin: dict[str, str]) -> None:
    answer = client.get(f"/dashboard/messages/{stored['id']}/attachments/0", headers=as_admin)
    assert answer.status_code == 302, answer.body
    assert answer.headers["Cache-Control"] == "no-store"
    location = urlsplit(answer.headers["Location"])
    # The files origin (the files distribution; make dev's files server), never S3 itself.
    assert f"{location.scheme}://{location.netloc}" == os.environ["FILES_URL"]
    assert location.path == f"/files/{stored['uploads'][0]}"
    query = parse_qs(location.query)
    assert set(query) == {"exp", "sig"}
    assert 0 < int(query["exp"][0]) - time.time() <= LINK_SECONDS


def test_the_file_is_served_as_a_download_that_is_never_sniffed(
        stored: dict[str, Any], client: Any, as_admin: dict[str, str]) -> None:
    answer = client.get(f"/dashboard/messages/{stored['id']}/attachments/0", headers=as_admin)
    download = requests.get(answer.headers["Location"], timeout=10)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"My _CV.pdf\"; filename*=UTF-8''My%20_CV.pdf")
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("tamper", ["path", "exp", "sig", "none"])
def test_a_link_changed_in_any_part_opens_nothing(
        stored: dict[str, Any], client: Any, as_admin: dict[str, str], tamper: str) -> None:
    answer = client.get(f"/dashboard/messages/{stored['id']}/attachments/0", headers=as_admin)
    location = urlsplit(answer.headers["Location"])
    query = parse_qs(location.query)
    exp, sig = query["exp"][0], query["sig"][0]
    path = f"/files/{stored['uploads'][1]}" if tamper == "path" else location.path
    exp = str(int(exp) - 1) if tamper == "exp" else exp
    sig = sig[::-1] if tamper == "sig" else sig
    address = f"{location.scheme}://{location.netloc}{path}" + (
        "" if tamper == "none" else f"?exp={exp}&sig={sig}")
    refused = requests.get(address, timeout=10)
    assert refused.status_code == 403 and refused.content == b""
    assert refused.headers["X-Content-Type-Options"] == "nosniff"


def test_a_page_asking_for_json_gets_the_address(stored: dict[str, Any], client: Any,
                                                 as_admin: dict[str, str]) -> None:
    answer = client.get(f"/dashboard/messages/{stored['id']}/attachments/1",
                        headers={**as_admin, "Accept": "application/json"})
    assert answer.status_code == 200
    link = json.loads(answer.body)
    assert (link["filename"], link["contentType"], link["size"]) == ("me.png", "image/png",
                                                                     len(PNG))
    expires = datetime.fromisoformat(link["expiresAt"].replace("Z", "+00:00"))
    assert timedelta(minutes=4) < expires - datetime.now(UTC) <= timedelta(minutes=5)
    assert requests.get(link["url"], timeout=10).content == PNG


@pytest.mark.parametrize("index", ["2", "-1", "x", "00000001", "1.0"])
def test_an_attachment_that_is_not_there_is_404(stored: dict[str, Any], client: Any,
                                                as_admin: dict[str, str], index: str) -> None:
    answer = client.get(f"/dashboard/messages/{stored['id']}/attachments/{index}",
                        headers=as_admin)
    assert answer.status_code == 404 and json.loads(answer.body)["error"]["code"] == "not_found"
    assert answer.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN


def test_only_an_admin_downloads(stored: dict[str, Any], client: Any, user_token: str) -> None:
    url = f"/dashboard/messages/{stored['id']}/attachments/0"
    assert client.get(url, headers={"Origin": TEST_ORIGIN}).status_code == 401
    assert client.get(url, headers={"Authorization": f"Bearer {user_token}",
                                    "Origin": TEST_ORIGIN}).status_code == 403
    assert client.get("/dashboard/messages/01JD0000000000000000000000/attachments/0",
                      headers={"Authorization": f"Bearer {user_token}"}).status_code == 403


def test_deleting_the_message_deletes_its_files(stored: dict[str, Any], client: Any,
                                                as_admin: dict[str, str], s3: Any,
                                                bucket: str) -> None:
    assert len(files_in(s3, bucket)) == 2
    answer = client.delete(f"/dashboard/messages/{stored['id']}", headers=as_admin)
    assert answer.status_code == 204
    assert files_in(s3, bucket) == []


def test_erasing_the_sender_deletes_their_files(stored: dict[str, Any], client: Any,
                                                as_admin: dict[str, str], s3: Any,
                                                bucket: str) -> None:
    listed = json.loads(client.get("/dashboard/people/ada%40example.com", headers=as_admin).body)
    assert [len(m["attachments"]) for m in listed["messages"]] == [2]
    answer = client.delete("/dashboard/people/ada%40example.com", headers=as_admin)
    assert answer.status_code == 200, answer.body
    assert json.loads(answer.body)["erased"]["messages"] == 1
    assert files_in(s3, bucket) == []


def test_a_bulk_delete_deletes_each_message_s_files(
        jobs: dict[str, Any], upload: Callable[..., str], client: Any,
        as_admin: dict[str, str], s3: Any, bucket: str) -> None:
    ids, uploads = [], []
    for n in range(3):
        uploads.append(upload("cv", f"cv{n}.pdf", "application/pdf", PDF))
        ids.append(json.loads(client.post(
            "/forms/jobs", headers={**JSON, "Origin": TEST_ORIGIN},
            body=json.dumps({"email": f"v{n}@example.com", "cv": [uploads[-1]]}).encode(),
        ).body)["id"])
    assert len(files_in(s3, bucket)) == 3
    answer = client.post("/dashboard/messages/bulk", headers={**as_admin, **JSON},
                         body=json.dumps({"ids": ids[:2], "action": "delete"}).encode())
    assert answer.status_code == 200, answer.body
    assert files_in(s3, bucket) == [f"files/{uploads[2]}"]


def test_a_message_retention_expires_deletes_its_files(
        stored: dict[str, Any], local_aws: LocalAws, pump: StreamPump,  # noqa: F811
        s3: Any, bucket: str) -> None:
    pump.poll_once()  # the owner mail, so only the REMOVE records are left
    a_year_on = datetime.now(UTC) + timedelta(days=366)
    request = urllib.request.Request(f"{local_aws.endpoint}{SWEEP_PATH}?now="
                                     f"{a_year_on.timestamp()}", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (moto's)
        assert json.loads(answer.read())["deleted"] > 0
    assert len(files_in(s3, bucket)) == 2  # TTL deleted the item; the stream tells the app
    pump.poll_once()
    assert files_in(s3, bucket) == []


def test_a_delete_with_s3_unreachable_keeps_the_message(
        stored: dict[str, Any], client: Any, as_admin: dict[str, str], local_aws: LocalAws,
        fresh_table: str, s3: Any, bucket: str) -> None:
    """The files first: a message is never gone with its files left behind."""
    unreachable = local_aws.session.client(
        "s3", endpoint_url=f"http://127.0.0.1:{free_port()}",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=1))
    store = MessageStore(local_aws.session.client("dynamodb"), fresh_table,
                         files=AttachmentFiles(unreachable, bucket))
    with pytest.raises(DependencyUnavailable):
        store.delete(stored["id"])
    assert client.get(f"/dashboard/messages/{stored['id']}", headers=as_admin).status_code == 200
    assert len(files_in(s3, bucket)) == 2
