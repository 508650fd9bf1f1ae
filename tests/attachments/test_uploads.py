"""POST /forms/{id}/uploads: a presigned POST pinned to one key, the exact
type, the declared size and 5 minutes; refusals in the error shape."""
from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.attachments.conftest import PDF, post_file


def test_an_upload_is_offered_as_a_presigned_post_to_the_unclaimed_prefix(
        jobs: dict[str, Any], ask: Callable[..., Any], s3: Any, bucket: str) -> None:
    answer = ask("cv", "../../Lebenslauf Müller<script>.pdf", "application/pdf", len(PDF))
    assert answer.status_code == 201, answer.body
    offer = json.loads(answer.body)
    assert set(offer) == {"uploadId", "url", "fields", "expiresAt"}
    assert len(offer["uploadId"]) == 32
    fields = offer["fields"]
    assert fields["key"] == f"unclaimed/{offer['uploadId']}"  # no visitor text in the key
    assert fields["Content-Type"] == "application/pdf"
    assert fields["x-amz-meta-filename"] == "Lebenslauf Muller_script.pdf"
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert ["content-length-range", 1, len(PDF)] in policy["conditions"]
    assert {"Content-Type": "application/pdf"} in policy["conditions"]
    assert answer.headers["Access-Control-Allow-Origin"]

    posted = post_file(offer, PDF)
    assert posted.status_code == 204, posted.text
    head = s3.head_object(Bucket=bucket, Key=fields["key"])
    assert head["ContentType"] == "application/pdf"
    assert head["ContentLength"] == len(PDF)
    assert head["Metadata"] == {"form": "jobs", "field": "cv",
                                "filename": "Lebenslauf Muller_script.pdf"}


def refused(answer: Any) -> dict[str, str]:
    assert answer.status_code == 400, answer.body
    body = json.loads(answer.body)["error"]
    assert body["code"] == "validation_failed"
    assert answer.headers["Access-Control-Allow-Origin"]
    return {d["field"]: d["message"] for d in body["details"]}


def test_a_type_the_field_does_not_take_is_refused(jobs: dict[str, Any],
                                                   ask: Callable[..., Any]) -> None:
    assert "contentType" in refused(ask("cv", "cv.html", "text/html", 10))
    assert "contentType" in refused(ask("cv", "photo.png", "image/png", 10))
    assert "contentType" in refused(ask("photo", "x.svg", "image/svg+xml", 10))


def test_a_size_over_the_field_s_limit_is_refused(jobs: dict[str, Any],
                                                  ask: Callable[..., Any]) -> None:
    assert refused(ask("cv", "cv.pdf", "application/pdf", 100_001)) == {
        "size": "must be at most 100,000 bytes for this field"}
    assert "size" in refused(ask("photo", "p.png", "image/png", 10 * 1024 * 1024 + 1))
    assert "size" in refused(ask("photo", "p.png", "image/png", 0))


def test_a_field_that_is_not_a_file_field_is_refused(jobs: dict[str, Any],
                                                     ask: Callable[..., Any]) -> None:
    assert refused(ask("email", "cv.pdf", "application/pdf", 10)) == {
        "field": "must name a file field of this form"}
    assert "field" in refused(ask("nope", "cv.pdf", "application/pdf", 10))
    assert "field" in refused(ask("name", "cv.pdf", "application/pdf", 10, form="contact"))


def test_an_unknown_form_is_404(ask: Callable[..., Any], client: Any) -> None:
    assert ask("cv", "cv.pdf", "application/pdf", 10, form="nope").status_code == 404


def test_asking_is_rate_limited_per_client(jobs: dict[str, Any],
                                           ask: Callable[..., Any]) -> None:
    from tests.conftest import CONTACT_RATE_LIMIT

    statuses = [ask("cv", "cv.pdf", "application/pdf", 10).status_code
                for _ in range(CONTACT_RATE_LIMIT * 5 + 1)]
    assert statuses[:-1] == [201] * CONTACT_RATE_LIMIT * 5
    assert statuses[-1] == 429


def test_the_bucket_holds_the_post_to_its_policy(jobs: dict[str, Any], ask: Callable[..., Any],
                                                 s3: Any, bucket: str) -> None:
    """What the local S3 (devstack/moto_s3.py) refuses, as S3 does; nothing is stored."""
    offer = json.loads(ask("cv", "cv.pdf", "application/pdf", len(PDF)).body)
    too_big = post_file(offer, PDF + b"x")
    assert (too_big.status_code, "EntityTooLarge") == (400, _code(too_big))
    other_type = post_file(offer, PDF, content_type="text/html")
    assert (other_type.status_code, _code(other_type)) == (403, "AccessDenied")
    assert "Policy Condition failed" in other_type.text
    other_key = post_file(offer, PDF, key="unclaimed/" + "f" * 32)
    assert other_key.status_code == 403
    other_name = post_file(offer, PDF, **{"x-amz-meta-filename": "evil.html"})
    assert other_name.status_code == 403
    extra = post_file(offer, PDF, **{"x-amz-meta-extra": "1"})
    assert extra.status_code == 403 and "Extra input fields" in extra.text
    no_policy = post_file({**offer, "fields": {k: v for k, v in offer["fields"].items()
                                               if k != "policy"}}, PDF)
    assert no_policy.status_code == 403
    assert s3.list_objects_v2(Bucket=bucket, Prefix=offer["fields"]["key"])["KeyCount"] == 0
    assert post_file(offer, PDF).status_code == 204


def test_an_expired_post_is_refused(jobs: dict[str, Any], ask: Callable[..., Any]) -> None:
    offer = json.loads(ask("cv", "cv.pdf", "application/pdf", len(PDF)).body)
    policy = json.loads(base64.b64decode(offer["fields"]["policy"]))
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(minutes=4) < expires - datetime.now(UTC) <= timedelta(minutes=5)
    # The same policy as S3 would read it once its five minutes are over (the
    # local S3 checks no signature: docs/development.md, "Local parity").
    policy["expiration"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    stale = {**offer["fields"], "policy": base64.b64encode(json.dumps(policy).encode()).decode()}
    answer = post_file({**offer, "fields": stale}, PDF)
    assert answer.status_code == 403 and "Policy expired" in answer.text


def _code(response: Any) -> str:
    found = re.search(r"<Code>(\w+)</Code>", response.text)
    return found.group(1) if found else ""


@pytest.mark.parametrize("body", [
    {}, {"field": "cv"}, {"field": None, "filename": [], "contentType": {}, "size": "1"},
    {"field": "cv", "filename": "a\r\nb.pdf", "contentType": "application/pdf", "size": 1},
    {"field": "cv", "filename": "x" * 1001, "contentType": "application/pdf", "size": 1},
    {"field": "cv", "filename": "cv.pdf", "contentType": "application/pdf", "size": 1e309},
    {"field": "cv", "filename": "cv.pdf", "contentType": "application/pdf", "size": -1},
    {"field": "cv", "filename": "cv.pdf", "contentType": "application/pdf", "size": 2.5},
    {"field": "cv", "filename": "cv.pdf", "contentType": "application/pdf", "size": True},
    {"field": "cv", "filename": "cv.pdf", "contentType": "x" * 500, "size": 1},
    {"field": "cv", "filename": "\ud800.pdf", "contentType": "application/pdf", "size": 1},
    {"field": "cv", "filename": "cv.pdf", "contentType": "application/pdf", "size": 1, "key": "x"},
])
def test_any_bad_body_is_a_400_in_the_error_shape(jobs: dict[str, Any], client: Any,
                                                  body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode() if "\ud800" not in str(body) else \
        b'{"field":"cv","filename":"\\ud800.pdf","contentType":"application/pdf","size":1}'
    answer = client.post("/forms/jobs/uploads", headers={"Content-Type": "application/json",
                                                         "Origin": "http://localhost:8080"},
                         body=raw)
    assert answer.status_code == 400, answer.body
    # Infinity and a lone surrogate are no JSON at all (bad_request); the rest, bad fields.
    assert json.loads(answer.body)["error"]["code"] in ("validation_failed", "bad_request")
    assert answer.headers["Access-Control-Allow-Origin"]
