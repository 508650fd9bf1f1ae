"""A web service asked with a form post: a CAPTCHA provider's siteverify, or
Akismet's comment-check. Both take `application/x-www-form-urlencoded` and
answer a small body; what each makes of the answer, and whether a failure lets
the post through (Akismet) or refuses it (CAPTCHA), is theirs to say.

One place for what they share: only http(s) (never file: or another scheme,
which urllib would open too), a timeout, a bounded read, and one error for
every way of not getting an answer.
"""
from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

Opener = Callable[..., Any]


class NoAnswer(Exception):
    """The service could not be reached, failed (a non-2xx answer) or timed out;
    the message names the kind of failure, never the request."""


class FormService:
    def __init__(self, url: str, *, what: str, timeout_seconds: float,
                 opener: Opener = urllib.request.urlopen) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"The {what} URL must be http(s): {url!r}")
        self.url = url
        self.timeout_seconds = timeout_seconds
        self._open = opener

    def post(self, form: Mapping[str, str], *, max_bytes: int) -> tuple[bytes, Mapping[str, str]]:
        """The answer's first `max_bytes` and its headers, or NoAnswer."""
        request = urllib.request.Request(  # noqa: S310 (http(s) only, checked in __init__)
            self.url, data=urlencode(form).encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with self._open(request, timeout=self.timeout_seconds) as response:
                return response.read(max_bytes), response.headers
        except (urllib.error.URLError, OSError, ValueError) as exc:
            # URLError includes HTTPError (a non-2xx answer); OSError, timeouts.
            raise NoAnswer(type(exc).__name__) from exc
