"""A file attached to a stored message: what the message keeps of it.

Its object is `files/<uploadId>` in the attachments bucket once claimed. The
name is the sanitised one (chalicelib/attachments/types.py `safe_filename`),
the type the one the upload declared and S3 enforced, the size S3's own.
Pure: no AWS, no HTTP.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.attachments.types import SAFE_TYPES

FILES_PREFIX = "files/"


@dataclass(frozen=True)
class Attachment:
    upload_id: str
    field: str  # the form's file field it was sent in
    filename: str
    content_type: str
    size: int

    @property
    def key(self) -> str:
        return f"{FILES_PREFIX}{self.upload_id}"

    @property
    def kind(self) -> str:
        """image, pdf, text, document, spreadsheet or slides (the dashboard's icon)."""
        known = SAFE_TYPES.get(self.content_type)
        return known.kind if known else "file"

    def to_item(self) -> dict[str, Any]:
        return {"uploadId": self.upload_id, "field": self.field, "filename": self.filename,
                "contentType": self.content_type, "size": self.size}

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Attachment:
        return cls(upload_id=str(item["uploadId"]), field=str(item["field"]),
                   filename=str(item["filename"]), content_type=str(item["contentType"]),
                   size=int(item["size"]))


def readable_size(size: int) -> str:
    """1234567 as `1.2 MB`, as a mail or a page shows it (SI units, as file managers do)."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1000 ** 2:
        return f"{size / 1000:.1f} KB"
    return f"{size / 1000 ** 2:.1f} MB"
