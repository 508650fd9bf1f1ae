"""The safe types, known by their first bytes, and filenames made safe."""
from __future__ import annotations

import pytest

from chalicelib.attachments.types import MEDIA_TYPES, SAFE_TYPES, safe_filename

ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def odf(media_type: str) -> bytes:
    return b"PK\x03\x04" + bytes(26) + b"mimetype" + media_type.encode() + b"PK\x03\x04"


@pytest.mark.parametrize(("media_type", "good", "bad"), [
    ("image/png", b"\x89PNG\r\n\x1a\n....", b"GIF89a...."),
    ("image/jpeg", b"\xff\xd8\xff\xe0..JFIF", b"\x89PNG\r\n\x1a\n"),
    ("image/gif", b"GIF87a....", b"GIF90a...."),
    ("image/webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", b"RIFF\x10\x00\x00\x00WAVEfmt "),
    ("application/pdf", b"%PDF-1.4\n", b"%!PS-Adobe"),
    ("text/plain", "Grüße,\nAda\n".encode(), b"MZ\x90\x00\x03\x00"),
    ("text/plain", b"plain", b"<!DOCTYPE html><p>"),
    ("text/plain", b"\xef\xbb\xbfhello", b"\xef\xbb\xbf<svg onload=x>"),
    ("text/plain", "é".encode()[:1] and "abcé".encode()[:-1], b"\xff\xfe\x00"),
    (DOCX, b"PK\x03\x04\x14\x00", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    (ODT, odf(ODT), odf("application/vnd.oasis.opendocument.spreadsheet")),
])
def test_each_type_is_known_by_its_first_bytes(media_type: str, good: bytes, bad: bytes) -> None:
    assert SAFE_TYPES[media_type].looks_right(good)
    assert not SAFE_TYPES[media_type].looks_right(bad)


def test_the_safe_set_holds_no_markup_script_or_executable() -> None:
    for unsafe in ("text/html", "image/svg+xml", "application/xml", "text/xml",
                   "application/javascript", "application/x-msdownload", "application/zip",
                   "application/msword", "application/vnd.ms-word.document.macroEnabled.12"):
        assert unsafe not in MEDIA_TYPES


@pytest.mark.parametrize(("name", "media_type", "safe"), [
    ("My CV.pdf", "application/pdf", "My CV.pdf"),
    ("C:\\Users\\ada\\cv.PDF", "application/pdf", "cv.pdf"),
    ("../../etc/passwd", "text/plain", "passwd.txt"),
    ("cv.exe", "application/pdf", "cv.exe.pdf"),
    (".htaccess", "text/plain", "htaccess.txt"),
    ("Lebenslauf Müller.docx", DOCX, "Lebenslauf Muller.docx"),
    ('a"b<c>;d\r\nSet-Cookie: x.png', "image/png", "a_b_c_d_Set-Cookie_ x.png"),
    ("写真.jpg", "image/jpeg", "file.jpg"),
    ("x" * 300 + ".jpeg", "image/jpeg", "x" * 95 + ".jpeg"),
    ("", "image/gif", "file.gif"),
])
def test_filenames_are_made_safe(name: str, media_type: str, safe: str) -> None:
    assert safe_filename(name, media_type) == safe
