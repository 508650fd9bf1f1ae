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
import urllib.request
from collections.abc import Callable
from enum import Enum

from chalicelib.core.domain_errors import DependencyUnavailable
from chalicelib.platform.form_service import FormService, NoAnswer, Opener
from chalicelib.spam.screen import Post

COMMENT_CHECK_URL = "https://rest.akismet.com/1.1/comment-check"
TIMEOUT_SECONDS = 2.0
_log = logging.getLogger("frontdesk.akismet")


class Answer(Enum):
    SPAM = "spam"
    HAM = "ham"
    UNAVAILABLE = "unavailable"


class Akismet:
    def __init__(self, *, blog: str, key: Callable[[], str], url: str = COMMENT_CHECK_URL,
                 opener: Opener = urllib.request.urlopen,
                 timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        self._service = FormService(url, what="Akismet", opener=opener,
                                    timeout_seconds=min(timeout_seconds, TIMEOUT_SECONDS))
        self._blog = blog
        self._key = key
        self._timeout = self._service.timeout_seconds

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
            raw, headers = self._service.post(form, max_bytes=1024)
        except DependencyUnavailable:
            _log.error("Akismet unavailable: its key could not be read")
            return Answer.UNAVAILABLE
        except NoAnswer as exc:
            _log.error("Akismet unavailable: %s", exc)
            return Answer.UNAVAILABLE
        body = raw.decode("utf-8", "replace").strip()
        help_text = headers.get("X-akismet-debug-help", "")
        if body == "true":
            return Answer.SPAM
        if body == "false":
            return Answer.HAM
        _log.error("Akismet gave no verdict (%s): %s", body[:40], help_text[:200])
        return Answer.UNAVAILABLE
