"""The attachments bucket, for a post's files and a message's: checking what
was uploaded, moving it out of the unclaimed prefix, signed downloads, and
deletion with the message.

A claimed file is stored to be served as a download: its object carries the
Content-Disposition (`attachment`, the safe name), its type and Cache-Control,
which the files distribution passes on (chalicelib/attachments/links.py).

Checks (`inspect`), before anything is stored, for each upload a post names:
- it exists under `unclaimed/` (HeadObject): not expired, not claimed and
  moved already, not a made-up id;
- it was uploaded for this form and this field (the metadata its presigned
  POST pinned);
- its size is within the field's maxBytes, and the post's files within
  MAX_SUBMISSION_BYTES together;
- its type is the one declared and one the field takes;
- its first bytes are that type's (a ranged GetObject of HEAD_BYTES).
Any failure is InvalidFields naming the field: nothing is stored.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from chalicelib.attachments.links import DownloadLinks
from chalicelib.attachments.model import Attachment
from chalicelib.attachments.types import HEAD_BYTES, MAX_SUBMISSION_BYTES, SAFE_TYPES, MiB
from chalicelib.attachments.uploads import (
    FIELD_META,
    FILENAME_META,
    FORM_META,
    describe_types,
    unclaimed_key,
)
from chalicelib.core.domain_errors import InvalidFields, RecordNotFound
from chalicelib.db.errors import aws_unavailable_mapped, error_code
from chalicelib.forms.model import FieldDefinition, Form

log = logging.getLogger("frontdesk.attachments")

# A file is the admin's alone, and may be erased: no cache keeps a copy.
FILE_CACHE_CONTROL = "private, no-store"
# S3 answers a HEAD of a missing key with 403, not 404, to a role without
# s3:ListBucket (which this one is not granted): both mean "not there".
_MISSING = frozenset({"404", "NoSuchKey", "NotFound", "403", "AccessDenied"})


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def content_disposition(filename: str) -> str:
    """A download under `filename` (already safe: chalicelib/attachments/types.py
    `safe_filename`), in both the plain and the RFC 6266 UTF-8 forms."""
    return f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename, safe='')}"


class AttachmentFiles:
    def __init__(self, s3: Any, bucket: str, links: DownloadLinks | None = None) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._links = links

    # -- a post's uploads ----------------------------------------------------

    def inspect(self, form: Form, uploads: Mapping[str, Sequence[str]]) -> list[Attachment]:
        """The uploads each file field names (field -> upload ids), checked."""
        errors: list[dict[str, str]] = []
        found: list[Attachment] = []
        total = 0
        for name, upload_ids in uploads.items():
            field = form.definition.field(name)
            assert field is not None  # noqa: S101 (the submission was checked against the form)
            for upload_id in upload_ids:
                try:
                    attachment = self._checked(form, field, upload_id)
                except _Refused as refused:
                    errors.append({"field": name, "message": refused.message})
                    continue
                total += attachment.size
                if total > MAX_SUBMISSION_BYTES:
                    errors.append({"field": name, "message": f"brings the files of this post "
                                   f"over {MAX_SUBMISSION_BYTES // MiB} MiB together"})
                    break
                found.append(attachment)
        if errors:
            raise InvalidFields(errors)
        return found

    def _checked(self, form: Form, field: FieldDefinition, upload_id: str) -> Attachment:
        key = unclaimed_key(upload_id)
        try:
            with aws_unavailable_mapped("S3"):
                head = self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) not in _MISSING:
                raise
            raise _Refused("names an upload that is not there: it expired, was never "
                           "finished, or was already sent. Upload the file again") from None
        metadata = {k.lower(): v for k, v in (head.get("Metadata") or {}).items()}
        if metadata.get(FORM_META) != form.id or metadata.get(FIELD_META) != field.name:
            raise _Refused("names an upload made for another field")
        size, content_type = int(head["ContentLength"]), str(head.get("ContentType", ""))
        filename = metadata.get(FILENAME_META) or "file"
        if size > field.effective_max_bytes:
            raise _Refused(f"has a file ({filename}) larger than "
                           f"{field.effective_max_bytes:,} bytes")
        if content_type not in field.effective_accept:
            raise _Refused(f"has a file ({filename}) of a type this field does not take: it "
                           f"takes {describe_types(field.effective_accept)}")
        with aws_unavailable_mapped("S3"):
            first = self._s3.get_object(Bucket=self._bucket, Key=key,
                                        Range=f"bytes=0-{HEAD_BYTES - 1}")["Body"].read()
        if not SAFE_TYPES[content_type].looks_right(first):
            raise _Refused(f"has a file ({filename}) whose content is not what its type "
                           f"({content_type}) says")
        return Attachment(upload_id=upload_id, field=field.name, filename=filename,
                          content_type=content_type, size=size)

    def move(self, attachments: Sequence[Attachment]) -> None:
        """Out of the unclaimed prefix (and its lifecycle rule), once their
        message is stored, with the headers a download is served with. A move
        that fails leaves the object where it was, which the lifecycle rule
        expires a day after its upload, and its download answers 403; the
        error is logged with the upload's id."""
        for attachment in attachments:
            source = unclaimed_key(attachment.upload_id)
            try:
                self._s3.copy_object(Bucket=self._bucket, Key=attachment.key,
                                     CopySource={"Bucket": self._bucket, "Key": source},
                                     MetadataDirective="REPLACE",
                                     ContentType=attachment.content_type,
                                     ContentDisposition=content_disposition(attachment.filename),
                                     CacheControl=FILE_CACHE_CONTROL,
                                     Metadata={FIELD_META: attachment.field,
                                               FILENAME_META: attachment.filename})
                self._s3.delete_object(Bucket=self._bucket, Key=source)
            except Exception:
                log.exception("an attachment could not be moved out of unclaimed/",
                              extra={"fields": {"uploadId": attachment.upload_id}})

    # -- a message's files ---------------------------------------------------

    def download_url(self, attachment: Attachment) -> tuple[str, int]:
        """The file's address on the files distribution, signed for
        LINK_SECONDS, and when it stops opening. No S3 call: the object is
        served as it was stored (`move`)."""
        if self._links is None:
            raise RecordNotFound("This stage serves no attachment downloads.")
        return self._links.link(attachment.key)

    def delete(self, attachments: Sequence[Attachment]) -> None:
        """Delete the files (wherever they are: moved or not). Raises
        DependencyUnavailable when S3 cannot be reached, so a stream batch is retried."""
        objects = [{"Key": key} for a in attachments
                   for key in (a.key, unclaimed_key(a.upload_id))]
        for start in range(0, len(objects), 1000):
            with aws_unavailable_mapped("S3"):
                answer = self._s3.delete_objects(Bucket=self._bucket, Delete={
                    "Objects": objects[start:start + 1000], "Quiet": True})
            if answer.get("Errors"):
                log.error("attachments could not be deleted",
                          extra={"fields": {"errors": answer["Errors"][:5]}})
