"""make dev's files server (devstack/files.py), what the files distribution is
deployed: it opens only signed links (the function's Python twin), serves
claimed files only, streams each with the headers CloudFront adds, and makes
even a file stored without Content-Disposition a download."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from chalicelib.attachments.links import DownloadLinks
from devstack.files import files_server
from infra.files_route import FILE_HEADERS
from tests.conftest import LocalAws

KEY = "5" * 64
NOW = 1_800_000_000.0


@pytest.fixture
def bucket(local_aws: LocalAws) -> Iterator[str]:
    s3 = local_aws.session.client("s3")
    name = "files-server-test"
    s3.create_bucket(Bucket=name)
    yield name
    for listed in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=listed["Key"])
    s3.delete_bucket(Bucket=name)


@pytest.fixture
def origin(local_aws: LocalAws, bucket: str) -> Iterator[str]:
    server = files_server("127.0.0.1", 0, s3=local_aws.session.client("s3"), bucket=bucket,
                          key=lambda: KEY, clock=lambda: NOW)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def link(origin: str, key: str, *, signing_key: str = KEY, at: float = NOW) -> str:
    return DownloadLinks(origin, lambda: signing_key, clock=lambda: at).link(key)[0]


def put(local_aws: LocalAws, bucket: str, key: str, **extra: Any) -> None:
    local_aws.session.client("s3").put_object(Bucket=bucket, Key=key, Body=b"%PDF-1.7\n" * 10,
                                              ContentType="application/pdf", **extra)


def test_a_signed_link_streams_the_file_with_the_distribution_s_headers(
        local_aws: LocalAws, bucket: str, origin: str) -> None:
    put(local_aws, bucket, "files/" + "a" * 32, ContentDisposition='attachment; filename="a.pdf"',
        CacheControl="private, no-store")
    answer = requests.get(link(origin, "files/" + "a" * 32), timeout=10)
    assert answer.status_code == 200 and answer.content == b"%PDF-1.7\n" * 10
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="a.pdf"'
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert answer.headers["Content-Length"] == "90"
    for name, value in FILE_HEADERS.items():
        assert answer.headers[name] == value
    head = requests.head(link(origin, "files/" + "a" * 32), timeout=10)
    assert head.status_code == 200 and head.headers["Content-Length"] == "90"


def test_a_file_stored_without_a_disposition_is_still_a_download(
        local_aws: LocalAws, bucket: str, origin: str) -> None:
    put(local_aws, bucket, "files/" + "b" * 32)
    answer = requests.get(link(origin, "files/" + "b" * 32), timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Disposition"] == "attachment"


@pytest.mark.parametrize("case", ["expired", "other key", "unclaimed", "missing", "unsigned"])
def test_anything_but_a_signed_link_to_a_claimed_file_is_403(
        local_aws: LocalAws, bucket: str, origin: str, case: str) -> None:
    put(local_aws, bucket, "files/" + "c" * 32)
    put(local_aws, bucket, "unclaimed/" + "c" * 32)
    address = {
        "expired": link(origin, "files/" + "c" * 32, at=NOW - 301),
        "other key": link(origin, "files/" + "c" * 32, signing_key="6" * 64),
        "unclaimed": link(origin, "unclaimed/" + "c" * 32),  # the bucket opens files/ only
        "missing": link(origin, "files/" + "d" * 32),
        "unsigned": f"{origin}/files/{'c' * 32}",
    }[case]
    answer = requests.get(address, timeout=10)
    assert answer.status_code == 403 and answer.content == b""
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
