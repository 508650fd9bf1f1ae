"""Asking to upload: a presigned S3 POST for one file of a form's file field.

The browser posts the file straight to the private bucket (Lambda takes at
most 6 MB, API Gateway 10 MB: files never pass through the API). The POST's
policy, which S3 enforces, pins:
- the key, `unclaimed/<uploadId>`: a random id, never anything the visitor typed;
- the exact Content-Type declared, one the field accepts;
- a content-length-range from 1 byte to the declared size, itself within the
  field's maxBytes;
- the form, the field and the sanitised filename, as the object's metadata;
- 5 minutes of validity.

What lands under `unclaimed/` is nobody's until a post claims it
(chalicelib/attachments/claims.py); a lifecycle rule expires it after a day.
"""
from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from msgspec import Meta

from chalicelib.attachments.types import MAX_FILE_BYTES, SAFE_TYPES, safe_filename
from chalicelib.core import text
from chalicelib.core.domain_errors import InvalidFields
from chalicelib.core.validation import Model, parse
from chalicelib.db.clock import iso
from chalicelib.forms.model import FieldDefinition, Form

UNCLAIMED_PREFIX = "unclaimed/"
UPLOAD_SECONDS = 300
UPLOAD_ID = re.compile(rf"^[0-9a-f]{{32}}{text.END}")
# The object's metadata (S3 keeps it as x-amz-meta-*): what a claim checks.
FORM_META, FIELD_META, FILENAME_META = "form", "field", "filename"


def unclaimed_key(upload_id: str) -> str:
    return f"{UNCLAIMED_PREFIX}{upload_id}"


def is_upload_id(value: object) -> bool:
    return isinstance(value, str) and UPLOAD_ID.match(value) is not None


class UploadRequest(Model, rename="camel"):
    """POST /forms/{id}/uploads: one file the visitor is about to send."""
    field: Annotated[str, Meta(min_length=1, max_length=40, pattern=text.ONE_LINE,
                               description="the name of one of the form's file fields")]
    filename: Annotated[str, Meta(min_length=1, max_length=1000, pattern=text.ONE_LINE,
                                  description="the file's name, 1 to 1,000 characters on "
                                              "one line")]
    content_type: Annotated[str, Meta(min_length=1, max_length=200,
                                      description="the file's media type, such as "
                                                  "application/pdf")]
    size: Annotated[int, Meta(ge=1, le=MAX_FILE_BYTES,
                              description=f"the file's size in bytes, from 1 to "
                                          f"{MAX_FILE_BYTES:,}")]


class PresignedUpload(Model, rename="camel"):
    """Where and how to post the file: a multipart/form-data POST to `url`
    with every one of `fields`, then the file as the last part, `file`."""
    upload_id: str
    url: str
    fields: dict[str, str]
    expires_at: str


def file_field(form: Form, name: str) -> FieldDefinition:
    field = form.definition.field(name)
    if field is None or field.type != "file":
        raise InvalidFields([{"field": "field", "message": "must name a file field of this form"}])
    return field


def describe_types(media_types: tuple[str, ...]) -> str:
    """`application/pdf, image/png` as a visitor reads it: `.pdf, .png`."""
    return ", ".join(SAFE_TYPES[t].extensions[0] for t in media_types)


class Uploads:
    def __init__(self, s3: Any, bucket: str, *, clock: Callable[[], float] = time.time,
                 new_upload_id: Callable[[], str] = lambda: secrets.token_hex(16)) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._clock = clock
        self._new_upload_id = new_upload_id

    def offer(self, form: Form, body: dict[str, Any],
              before: Callable[[], None] = lambda: None) -> PresignedUpload:
        """A presigned POST for the file `body` describes, or InvalidFields;
        `before` runs once the request is found good (the rate limit's charge)."""
        request = parse(UploadRequest, body)
        field = file_field(form, request.field)
        problems = []
        if request.content_type not in field.effective_accept:
            problems.append({"field": "contentType", "message": "must be a type this field "
                             f"takes: {describe_types(field.effective_accept)}"})
        if request.size > field.effective_max_bytes:
            problems.append({"field": "size", "message": f"must be at most "
                             f"{field.effective_max_bytes:,} bytes for this field"})
        if problems:
            raise InvalidFields(problems)
        before()
        upload_id = self._new_upload_id()
        metadata = {FORM_META: form.id, FIELD_META: field.name,
                    FILENAME_META: safe_filename(request.filename, request.content_type)}
        fields = {"Content-Type": request.content_type,
                  **{f"x-amz-meta-{name}": value for name, value in metadata.items()}}
        # botocore adds the bucket and key conditions itself; every other field
        # must have one of its own, or S3 refuses the POST.
        conditions: list[Any] = [{name: value} for name, value in fields.items()]
        conditions.append(["content-length-range", 1, request.size])
        expires_at = self._clock() + UPLOAD_SECONDS
        post = self._s3.generate_presigned_post(
            Bucket=self._bucket, Key=unclaimed_key(upload_id), Fields=fields,
            Conditions=conditions, ExpiresIn=UPLOAD_SECONDS)
        return PresignedUpload(upload_id=upload_id, url=str(post["url"]),
                               fields={k: str(v) for k, v in post["fields"].items()},
                               expires_at=iso(datetime.fromtimestamp(expires_at, UTC)))
