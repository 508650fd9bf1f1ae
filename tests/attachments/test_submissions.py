"""Posting a form with files: each upload checked in the bucket before
anything is stored, claimed once in the message's own transaction, then
moved out of the unclaimed prefix; every refusal a 400 naming the field."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.attachments.files import AttachmentFiles
from chalicelib.attachments.model import Attachment
from chalicelib.contact.store import MessageStore
from chalicelib.core.domain_errors import InvalidFields
from chalicelib.forms.definition import parse_definition
from chalicelib.forms.model import Form
from tests.attachments.conftest import JOBS as JOBS_FORM
from tests.attachments.conftest import PDF, PNG, post_file
from tests.conftest import JSON, TEST_ORIGIN, LocalAws
from tests.contact.conftest import pump, sent_mail  # noqa: F401 (fixtures)


@pytest.fixture
def post(client: Any) -> Callable[..., Any]:
    def send(body: dict[str, Any], form: str = "jobs") -> Any:
        return client.post(f"/forms/{form}", headers={**JSON, "Origin": TEST_ORIGIN},
                           body=json.dumps(body).encode())
    return send


def messages(client: Any, as_admin: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/dashboard/messages?status=all", headers=as_admin)
    assert response.status_code == 200, response.body
    return list(json.loads(response.body)["items"])


def refusal(answer: Any) -> dict[str, str]:
    assert answer.status_code == 400, answer.body
    error = json.loads(answer.body)["error"]
    assert error["code"] == "validation_failed"
    return {d["field"]: d["message"] for d in error["details"]}


def keys_in(s3: Any, bucket: str, prefix: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]


def test_a_post_stores_its_files_and_moves_them_out_of_the_unclaimed_prefix(
        jobs: dict[str, Any], upload: Callable[..., str], post: Callable[..., Any],
        client: Any, as_admin: dict[str, str], s3: Any, bucket: str) -> None:
    cv = upload("cv", "My CV.pdf", "application/pdf", PDF)
    notes = upload("cv", "notes.txt", "text/plain", b"Hello,\nthese are notes.\n")
    photo = upload("photo", "me.png", "image/png", PNG)
    answer = post({"email": "ada@example.com", "cv": [cv, notes], "photo": [photo]})
    assert answer.status_code == 202, answer.body
    (message,) = messages(client, as_admin)
    fields = {f["name"]: f["value"] for f in message["fields"]}
    assert fields["cv"] == "My CV.pdf, notes.txt" and fields["photo"] == "me.png"
    assert keys_in(s3, bucket, "unclaimed/") == []
    assert sorted(keys_in(s3, bucket, "files/")) == sorted(f"files/{i}" for i in (cv, notes, photo))
    moved = s3.head_object(Bucket=bucket, Key=f"files/{cv}")
    assert moved["ContentType"] == "application/pdf" and moved["Metadata"]["filename"] == "My CV.pdf"
    # Stored as the download it is served as (the files distribution passes these on).
    assert moved["ContentDisposition"] == (
        "attachment; filename=\"My CV.pdf\"; filename*=UTF-8''My%20CV.pdf")
    assert moved["CacheControl"] == "private, no-store"


def test_the_owner_mail_lists_the_files_by_name_and_size_and_links_the_message(
        jobs: dict[str, Any], upload: Callable[..., str], post: Callable[..., Any],
        pump: Any, sent_mail: Callable[[str], list[dict[str, Any]]]) -> None:  # noqa: F811
    cv = upload("cv", "cv.pdf", "application/pdf", PDF)
    message_id = json.loads(post({"email": "ada@example.com", "cv": [cv]}).body)["id"]
    pump.poll_once()
    (mail,) = sent_mail(message_id)
    assert f"<li>cv.pdf ({len(PDF)} bytes)</li>" in mail["body"]
    assert f'href="{TEST_ORIGIN}/admin.html?message={message_id}#messages"' in mail["body"]
    assert "%PDF" not in mail["body"]  # the file itself never travels by mail


@pytest.mark.parametrize(("value", "message"), [
    ("0" * 32, "names an upload that is not there"),
    (["0" * 32], "names an upload that is not there"),
    (["nope"], "must be a list of upload ids"),
    ([1], "must be a list of upload ids"),
    ({"id": "x"}, "must be a list of upload ids"),
    (["0" * 32, "0" * 32], "names one upload twice"),
    (["0" * 32, "1" * 32, "2" * 32], "must be at most 2 files"),
    ([], "is required"),
])
def test_bad_upload_lists_are_refused_naming_the_field(
        jobs: dict[str, Any], post: Callable[..., Any], client: Any,
        as_admin: dict[str, str], value: Any, message: str) -> None:
    problems = refusal(post({"email": "ada@example.com", "cv": value}))
    assert problems["cv"].startswith(message), problems
    assert messages(client, as_admin) == []


def test_a_file_whose_content_is_not_its_type_is_refused(
        jobs: dict[str, Any], upload: Callable[..., str], post: Callable[..., Any],
        client: Any, as_admin: dict[str, str], s3: Any, bucket: str) -> None:
    disguised = upload("cv", "cv.pdf", "application/pdf", b"<html><script>x</script></html>")
    markup = upload("cv", "page.txt", "text/plain", b"  <!DOCTYPE html><p>hi</p>")
    answer = post({"email": "ada@example.com", "cv": [disguised, markup]})
    assert answer.status_code == 400
    assert json.loads(answer.body)["error"]["details"] == [
        {"field": "cv", "message": "has a file (cv.pdf) whose content is not what its type "
                                   "(application/pdf) says"},
        {"field": "cv", "message": "has a file (page.txt) whose content is not what its type "
                                   "(text/plain) says"}]
    assert messages(client, as_admin) == []
    assert sorted(keys_in(s3, bucket, "unclaimed/")) == sorted(
        [f"unclaimed/{disguised}", f"unclaimed/{markup}"])  # left to expire, unclaimed


def test_an_upload_for_another_field_or_form_is_refused(
        jobs: dict[str, Any], upload: Callable[..., str], post: Callable[..., Any]) -> None:
    photo = upload("photo", "me.png", "image/png", PNG)
    assert refusal(post({"email": "ada@example.com", "cv": [photo]}))["cv"] == \
        "names an upload made for another field"


def put_unclaimed(s3: Any, bucket: str, upload_id: str, content: bytes, content_type: str,
                  field: str = "cv") -> None:
    """An object as a POST the policy did not hold would have left it."""
    s3.put_object(Bucket=bucket, Key=f"unclaimed/{upload_id}", Body=content,
                  ContentType=content_type,
                  Metadata={"form": "jobs", "field": field, "filename": "x.pdf"})


def test_an_oversized_or_retyped_object_is_refused(
        jobs: dict[str, Any], post: Callable[..., Any], s3: Any, bucket: str) -> None:
    put_unclaimed(s3, bucket, "a" * 32, PDF + bytes(100_000), "application/pdf")
    put_unclaimed(s3, bucket, "b" * 32, b"<svg onload=alert(1)>", "image/svg+xml")
    assert "larger than 100,000 bytes" in refusal(post({"email": "a@x.io", "cv": ["a" * 32]}))["cv"]
    assert "of a type this field does not take" in refusal(
        post({"email": "a@x.io", "cv": ["b" * 32]}))["cv"]


def test_an_upload_sent_twice_is_refused_the_second_time(
        jobs: dict[str, Any], upload: Callable[..., str], post: Callable[..., Any],
        client: Any, as_admin: dict[str, str]) -> None:
    cv = upload("cv", "cv.pdf", "application/pdf", PDF)
    assert post({"email": "ada@example.com", "cv": [cv]}).status_code == 202
    assert "names an upload that is not there" in refusal(
        post({"email": "eve@example.com", "cv": [cv]}))["cv"]
    assert len(messages(client, as_admin)) == 1


def test_two_posts_claiming_one_upload_at_once_store_exactly_one(
        jobs: dict[str, Any], upload: Callable[..., str], post: Callable[..., Any],
        client: Any, as_admin: dict[str, str]) -> None:
    cv = upload("cv", "cv.pdf", "application/pdf", PDF)
    answers: list[int] = []
    start = threading.Barrier(2)

    def send(email: str) -> None:
        start.wait()
        answers.append(post({"email": email, "cv": [cv]}).status_code)

    threads = [threading.Thread(target=send, args=(f"v{n}@example.com",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [202, 400]
    assert len(messages(client, as_admin)) == 1


def test_the_claim_record_lets_one_message_of_two_have_an_upload(
        local_aws: LocalAws, fresh_table: str) -> None:
    """The race itself, past the bucket's checks: both stores see the upload
    unclaimed; the claim's condition lets one transaction through."""
    form = Form("jobs", parse_definition({"name": "Jobs", "fields": [
        {"name": "cv", "label": "CV", "type": "file"}]}), 1, None)
    store = MessageStore(local_aws.session.client("dynamodb"), fresh_table)
    attachment = Attachment("c" * 32, "cv", "cv.pdf", "application/pdf", 10)
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def create() -> None:
        start.wait()
        try:
            store.create({"cv": "cv.pdf"}, None, form=form, attachments=[attachment])
            outcomes.append("stored")
        except InvalidFields as refused:
            assert refused.fields[0]["field"] == "cv"
            assert "already sent with another message" in refused.fields[0]["message"]
            outcomes.append("refused")

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 3 + ["stored"]


def test_a_post_s_files_are_at_most_25_mib_together(local_aws: LocalAws, s3: Any,
                                                      bucket: str) -> None:
    form = Form("big", parse_definition({"name": "Big", "fields": [
        {"name": "files", "label": "Files", "type": "file", "maxFiles": 5}]}), 1, None)
    nine_mib = PDF + bytes(9 * 1024 * 1024)
    ids = [f"{n}" * 32 for n in range(3)]
    for upload_id in ids:
        s3.put_object(Bucket=bucket, Key=f"unclaimed/{upload_id}", Body=nine_mib,
                      ContentType="application/pdf",
                      Metadata={"form": "big", "field": "files", "filename": "f.pdf"})
    files = AttachmentFiles(s3, bucket)
    assert len(files.inspect(form, {"files": ids[:2]})) == 2
    with pytest.raises(InvalidFields) as refused:
        files.inspect(form, {"files": ids})
    assert refused.value.fields == [{"field": "files",
                                     "message": "brings the files of this post over 25 MiB "
                                                "together"}]
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"unclaimed/{i}"} for i in ids]})


def test_a_form_post_without_javascript_cannot_name_files(
        jobs: dict[str, Any], client: Any) -> None:
    """A plain form's file input sends the file itself, which the API never
    takes: the required CV is missing, said in the error shape (or page)."""
    answer = client.post("/forms/jobs", headers={"Content-Type": "application/x-www-form-urlencoded",
                                                 "Origin": TEST_ORIGIN},
                         body=b"email=ada%40example.com&cv=My+CV.pdf")
    assert answer.status_code == 400
    assert "must be a list of upload ids" in answer.body.decode()


def test_the_schema_describes_a_file_field_for_a_page_to_draw(
        jobs: dict[str, Any], client: Any) -> None:
    schema = json.loads(client.get("/forms/jobs/schema").body)
    cv = schema["properties"]["cv"]
    assert cv["x-fieldType"] == "file" and cv["type"] == "array" and cv["maxItems"] == 2
    assert cv["x-accept"] == ["application/pdf", "text/plain"] and cv["x-maxBytes"] == 100_000
    assert schema["required"] == ["email", "cv"]


def test_post_file_helper_sends_what_a_browser_sends(jobs: dict[str, Any],
                                                     ask: Callable[..., Any]) -> None:
    offer = json.loads(ask("photo", "p.png", "image/png", len(PNG)).body)
    assert post_file(offer, PNG).status_code == 204


def test_the_page_without_javascript_explains_that_files_need_it(
        jobs: dict[str, Any], client: Any, as_admin: dict[str, str]) -> None:
    page = client.get("/forms/jobs").body.decode()
    assert "<form" not in page  # its CV is required: no post of it could succeed
    assert "This form needs a file attached." in page
    assert f'href="{TEST_ORIGIN}/form.html?form=jobs"' in page
    optional = {**JOBS_FORM, "fields": [f if f["name"] != "cv" else {**f, "required": False}
                                        for f in JOBS_FORM["fields"]]}
    client.put("/dashboard/forms/jobs", headers={**as_admin, **JSON},
               body=json.dumps(optional).encode())
    page = client.get("/forms/jobs").body.decode()
    assert "<form" in page and 'type="file"' not in page
    assert "Attaching files needs JavaScript" in page


def test_form_html_without_javascript_says_files_need_it_on_itself(
        jobs: dict[str, Any], client: Any, as_admin: dict[str, str]) -> None:
    """The site's page of the form (GET /forms/{id}/site-page, served as
    form.html) is the page that uploads: it sends nobody elsewhere."""
    host = {"Host": "api.frontdesk.test"}
    page = client.get("/forms/jobs/site-page", headers=host).body.decode()
    assert "<form" not in page and "This form needs a file attached." in page
    assert "load this page again" in page and "form.html?form=" not in page
    optional = {**JOBS_FORM, "fields": [f if f["name"] != "cv" else {**f, "required": False}
                                        for f in JOBS_FORM["fields"]]}
    client.put("/dashboard/forms/jobs", headers={**as_admin, **JSON},
               body=json.dumps(optional).encode())
    page = client.get("/forms/jobs/site-page", headers=host).body.decode()
    assert '<form method="post" action="http://api.frontdesk.test/forms/jobs">' in page
    assert 'type="file"' not in page and "load this page again to attach one" in page
    assert "form.html?form=" not in page
