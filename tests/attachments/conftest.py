"""The attachments world: a form with file fields, and a visitor's browser
that asks for an upload and posts the file to the presigned URL, as the web
page does, against the session's moto S3 (devstack checks the POST's policy)."""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import JSON, TEST_ORIGIN, LocalAws

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
JOBS: dict[str, Any] = {
    "name": "Job application",
    "fields": [
        {"name": "email", "label": "Email", "type": "email", "required": True},
        {"name": "cv", "label": "Your CV", "type": "file", "required": True, "maxFiles": 2,
         "maxBytes": 100_000, "accept": ["application/pdf", "text/plain"]},
        {"name": "photo", "label": "A photo", "type": "file",
         "accept": ["image/png", "image/jpeg"]},
    ],
    "replyTo": "email",
}


@pytest.fixture
def jobs(client: Any, as_admin: dict[str, str]) -> dict[str, Any]:
    response = client.put("/dashboard/forms/jobs", headers={**as_admin, **JSON},
                          body=json.dumps(JOBS).encode())
    assert response.status_code == 201, response.body
    return JOBS


@pytest.fixture
def ask(client: Any) -> Callable[..., Any]:
    """POST /forms/{form}/uploads as a visitor's page sends it."""
    def send(field: str, filename: str, content_type: str, size: int,
             form: str = "jobs", **headers: str) -> Any:
        body = {"field": field, "filename": filename, "contentType": content_type, "size": size}
        return client.post(f"/forms/{form}/uploads",
                           headers={**JSON, "Origin": TEST_ORIGIN, **headers},
                           body=json.dumps(body).encode())
    return send


def post_file(offer: dict[str, Any], content: bytes, *, content_type: str | None = None,
              filename: str = "upload.bin", **overrides: str) -> requests.Response:
    """The browser's multipart POST of one file to the presigned URL."""
    fields = {**offer["fields"], **overrides}
    if content_type is not None:
        fields["Content-Type"] = content_type
    return requests.post(offer["url"], data=fields,
                         files={"file": (filename, content, fields.get("Content-Type"))},
                         headers={"Origin": TEST_ORIGIN}, timeout=10)


@pytest.fixture
def upload(ask: Callable[..., Any], bucket: str) -> Callable[..., str]:
    """Ask for an upload and post `content` to it; the upload id."""
    def send(field: str, filename: str, content_type: str, content: bytes,
             form: str = "jobs", declared: int | None = None) -> str:
        answer = ask(field, filename, content_type, declared or len(content), form=form)
        assert answer.status_code == 201, answer.body
        offer = json.loads(answer.body)
        posted = post_file(offer, content)
        assert posted.status_code == 204, posted.text
        return str(offer["uploadId"])
    return send


@pytest.fixture
def s3(local_aws: LocalAws) -> Any:
    return local_aws.session.client("s3")


@pytest.fixture
def bucket(local_aws: LocalAws, s3: Any) -> str:
    """The session's attachments bucket, emptied for the test (as fresh_table is)."""
    name = os.environ["ATTACHMENTS_BUCKET"]
    keys = [{"Key": o["Key"]} for o in s3.list_objects_v2(Bucket=name).get("Contents", [])]
    if keys:
        s3.delete_objects(Bucket=name, Delete={"Objects": keys})
    return name
