"""Akismet's comment-check, optional per stage: a second opinion on a post the
content rules let through.

POST api_key, blog, user_ip, comment_type "contact-form", comment_author,
comment_author_email and comment_content as a form to the comment-check
address; the answer's body is `true` (spam) or `false` (not spam). Anything
else (Akismet answers `invalid` to a key it does not know, with an
X-akismet-debug-help header) is no answer.

Fails open: a site never loses a real message because Akismet failed. Down,
slow (more than 2 s in all: the call runs in a thread the post waits for at
most that long, whatever the socket does), a 5xx, an invalid key, a key that
cannot be read from SSM: the answer is UNAVAILABLE, and the post is judged by
the content rules alone. Each failure is logged, the key never.
"""
from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from enum import Enum
from typing import Any
from urllib.parse import urlencode

from chalicelib.core.domain_errors import DependencyUnavailable
from chalicelib.spam.screen import Post

COMMENT_CHECK_URL = "https://rest.akismet.com/1.1/comment-check"
TIMEOUT_SECONDS = 2.0
_log = logging.getLogger("frontdesk.akismet")

Opener = Callable[..., Any]


class Answer(Enum):
    SPAM = "spam"
    HAM = "ham"
    UNAVAILABLE = "unavailable"


class Akismet:
    def __init__(self, *, blog: str, key: Callable[[], str], url: str = COMMENT_CHECK_URL,
                 opener: Opener = urllib.request.urlopen,
                 timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        if not url.startswith(("https://", "http://")):  # never file: or another scheme
            raise ValueError(f"The Akismet URL must be http(s): {url!r}")
        self._blog = blog
        self._key = key
        self._url = url
        self._open = opener
        self._timeout = min(timeout_seconds, TIMEOUT_SECONDS)

    def check(self, post: Post) -> Answer:
        """Akismet's verdict on `post`, or UNAVAILABLE within the timeout."""
        answers: list[Answer] = []
        worker = threading.Thread(target=lambda: answers.append(self._ask(post)), daemon=True)
        worker.start()
        worker.join(self._timeout)
        if not answers:
            _log.error("Akismet unavailable: no answer within %.1f s", self._timeout)
            return Answer.UNAVAILABLE
        return answers[0]

    def _ask(self, post: Post) -> Answer:
        try:
            form = {"api_key": self._key(), "blog": self._blog, "user_ip": post.client_ip,
                    "comment_type": "contact-form", "comment_author": post.name or "",
                    "comment_author_email": post.address or "",
                    "comment_content": "\n\n".join(post.texts), "blog_charset": "UTF-8"}
            request = urllib.request.Request(  # noqa: S310 (http(s) only, checked in __init__)
                self._url, data=urlencode(form).encode(), method="POST",
                headers={"Content-Type": "application/x-www-form-urlencoded"})
            with self._open(request, timeout=self._timeout) as response:
                body = response.read(1024).decode("utf-8", "replace").strip()
                help_text = response.headers.get("X-akismet-debug-help", "")
        except DependencyUnavailable:
            _log.error("Akismet unavailable: its key could not be read")
            return Answer.UNAVAILABLE
        except (urllib.error.URLError, OSError, ValueError) as exc:
            # URLError includes HTTPError (a 5xx); OSError, timeouts.
            _log.error("Akismet unavailable: %s", type(exc).__name__)
            return Answer.UNAVAILABLE
        if body == "true":
            return Answer.SPAM
        if body == "false":
            return Answer.HAM
        _log.error("Akismet gave no verdict (%s): %s", body[:40], help_text[:200])
        return Answer.UNAVAILABLE
