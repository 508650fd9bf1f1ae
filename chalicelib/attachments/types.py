"""The files a form may take: a fixed set of safe types, each known by its
media type and by its first bytes, and the limits every file field obeys.

The set is images (PNG, JPEG, GIF, WebP), PDF, plain text and the office
documents of Office Open XML and OpenDocument. Never HTML, SVG (a script can
run in either), XML, archives, executables, nor the older binary office
formats and the macro-enabled ones (their macros run). A form's field names a
subset of these in `accept`; a type outside this set cannot be named at all.

Pure: no AWS, no HTTP.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

MiB = 1024 * 1024
MAX_FILES = 5  # per field, the most a definition may allow
MAX_FILE_BYTES = 10 * MiB  # per file, the most a definition may allow
MAX_SUBMISSION_BYTES = 25 * MiB  # every file of one post together
# How much of a file's start is read to know its type (ranged GET).
HEAD_BYTES = 1024
MAX_FILENAME_LENGTH = 100

_ZIP = b"PK\x03\x04"


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(prefixes)


def _webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _open_document(media_type: str) -> Callable[[bytes], bool]:
    # An OpenDocument file is a ZIP whose first entry is `mimetype`, stored
    # uncompressed: its content, the media type, follows the 30-byte header
    # and the 8-byte name.
    stored = b"mimetype" + media_type.encode()
    return lambda head: head.startswith(_ZIP) and head[30:30 + len(stored)] == stored


_MARKUP = re.compile(rb"^\s*<(?:!doctype|html|head|body|script|svg|\?xml)", re.IGNORECASE)


def _plain_text(head: bytes) -> bool:
    """Text in UTF-8 (its last character may be cut by the range), with no NUL,
    that does not open as markup a browser would render."""
    if b"\x00" in head or _MARKUP.match(head.removeprefix(b"\xef\xbb\xbf")):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True


@dataclass(frozen=True)
class FileType:
    media_type: str
    extensions: tuple[str, ...]  # the first is what a filename gets when it has none of them
    kind: str  # what the dashboard's icon shows: image, pdf, text, document, spreadsheet, slides
    looks_right: Callable[[bytes], bool]  # the file's first bytes are this type's


_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_ODT = "application/vnd.oasis.opendocument.text"
_ODS = "application/vnd.oasis.opendocument.spreadsheet"
_ODP = "application/vnd.oasis.opendocument.presentation"

SAFE_TYPES: dict[str, FileType] = {t.media_type: t for t in (
    FileType("image/png", (".png",), "image", _starts(b"\x89PNG\r\n\x1a\n")),
    FileType("image/jpeg", (".jpg", ".jpeg"), "image", _starts(b"\xff\xd8\xff")),
    FileType("image/gif", (".gif",), "image", _starts(b"GIF87a", b"GIF89a")),
    FileType("image/webp", (".webp",), "image", _webp),
    FileType("application/pdf", (".pdf",), "pdf", _starts(b"%PDF-")),
    FileType("text/plain", (".txt",), "text", _plain_text),
    FileType(_DOCX, (".docx",), "document", _starts(_ZIP)),
    FileType(_XLSX, (".xlsx",), "spreadsheet", _starts(_ZIP)),
    FileType(_PPTX, (".pptx",), "slides", _starts(_ZIP)),
    FileType(_ODT, (".odt",), "document", _open_document(_ODT)),
    FileType(_ODS, (".ods",), "spreadsheet", _open_document(_ODS)),
    FileType(_ODP, (".odp",), "slides", _open_document(_ODP)),
)}
MEDIA_TYPES: tuple[str, ...] = tuple(SAFE_TYPES)

_UNSAFE = re.compile(r"[^A-Za-z0-9._()\- ]+")


def safe_filename(name: str, media_type: str) -> str:
    """`name` as a file may safely be called on any system and in any header:
    its last path part, in ASCII letters, digits, spaces and `._()-` (accents
    dropped, anything else `_`), at most MAX_FILENAME_LENGTH characters, never
    hidden, and ending in one of its type's extensions (added when it has none,
    so `cv.exe` declared a PDF is `cv.exe.pdf`)."""
    file_type = SAFE_TYPES[media_type]
    last = PurePosixPath(name.replace("\\", "/")).name
    ascii_name = unicodedata.normalize("NFKD", last).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"_+", "_", _UNSAFE.sub("_", ascii_name))
    cleaned = re.sub(r" +", " ", cleaned).strip()
    stem, dot, extension = cleaned.rpartition(".")
    if dot and f".{extension.lower()}" in file_type.extensions:
        suffix = f".{extension.lower()}"
    else:
        stem, suffix = cleaned, file_type.extensions[0]
    stem = stem.strip(" ._-")[:MAX_FILENAME_LENGTH - len(suffix)].rstrip(" ._-") or "file"
    return stem + suffix
