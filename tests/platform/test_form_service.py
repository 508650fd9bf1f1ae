"""The form-post client CAPTCHA and Akismet share (chalicelib/platform/form_service.py)."""
from __future__ import annotations

import io
import urllib.error
import urllib.request
from typing import Any

import pytest

from chalicelib.platform.form_service import FormService, NoAnswer


class _Answer(io.BytesIO):
    headers = {"X-Seen": "yes"}

    def __enter__(self) -> _Answer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x.example/", "//x.example", ""])
def test_only_http_urls_are_taken(url: str) -> None:
    with pytest.raises(ValueError, match="must be http"):
        FormService(url, what="Test", timeout_seconds=1)


def test_a_form_is_posted_urlencoded_and_the_answer_read_no_further_than_asked() -> None:
    seen: list[tuple[urllib.request.Request, float]] = []

    def opener(request: urllib.request.Request, timeout: float) -> Any:
        seen.append((request, timeout))
        return _Answer(b"x" * 100)

    service = FormService("https://verify.example/check", what="Test", timeout_seconds=1.5,
                          opener=opener)
    body, headers = service.post({"secret": "s", "text": "a b&c=d"}, max_bytes=10)
    assert body == b"x" * 10 and headers["X-Seen"] == "yes"
    ((request, timeout),) = seen
    assert request.get_method() == "POST" and timeout == 1.5
    assert request.data == b"secret=s&text=a+b%26c%3Dd"
    assert request.get_header("Content-type") == "application/x-www-form-urlencoded"


@pytest.mark.parametrize("failure", [
    urllib.error.HTTPError("https://verify.example", 503, "down", {}, None),  # type: ignore[arg-type]
    urllib.error.URLError("no route"), TimeoutError(), ConnectionResetError()])
def test_every_way_of_not_answering_is_one_error_naming_its_kind(failure: Exception) -> None:
    def opener(request: urllib.request.Request, timeout: float) -> Any:
        raise failure

    service = FormService("https://verify.example/", what="Test", timeout_seconds=1, opener=opener)
    with pytest.raises(NoAnswer, match=type(failure).__name__) as raised:
        service.post({"secret": "s3cret"}, max_bytes=10)
    assert "s3cret" not in str(raised.value)
