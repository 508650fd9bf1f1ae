"""Download links: an attachment's address on the files distribution, signed.

The attachments bucket is private; its files are served by a CloudFront
distribution of their own (infra/resources.yaml, FilesDistribution), whose
response headers policy adds what S3 cannot send (`X-Content-Type-Options:
nosniff`, a sandboxing CSP). A link is `<files origin>/<key>?exp=<unix
seconds>&sig=<HMAC-SHA256>`, valid LINK_SECONDS: the distribution's viewer-request
function (FilesSignatureCheck) refuses any other with 403, and make dev's files
server (devstack/files.py) does the same with `link_is_valid`. The key is the
stage's secret in SSM (chalicelib/platform/config.py `files_key_parameter`),
which deploy also writes into that function's code.

Pure: no AWS, no HTTP.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable

LINK_SECONDS = 300
# The edge's clock and the function's may differ a little: a link may be
# dated this much further ahead than LINK_SECONDS, never more.
CLOCK_SKEW_SECONDS = 60
# A key shorter than this signs nothing and opens nothing (an unset key is "").
MIN_KEY_LENGTH = 32
_EXPIRES = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")


def signature(key: str, path: str, expires: int | str) -> str:
    """HMAC-SHA256, in hex, of the path (as the request line has it) and the expiry."""
    return hmac.new(key.encode(), f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()


def link_is_valid(key: str, path: str, expires: str | None, sig: str | None, now: float) -> bool:
    """What the files distribution's function decides for a request of `path`
    whose `exp` and `sig` query values (as sent) are these."""
    if len(key) < MIN_KEY_LENGTH or expires is None or sig is None:
        return False
    if not (_EXPIRES.fullmatch(expires) and _SIGNATURE.fullmatch(sig)):
        return False
    moment = int(now)
    if not moment <= int(expires) <= moment + LINK_SECONDS + CLOCK_SKEW_SECONDS:
        return False
    return hmac.compare_digest(signature(key, path, expires), sig)


class DownloadLinks:
    """Signs links to the files origin; `key` is read on the first link (SSM)."""

    def __init__(self, origin: str, key: Callable[[], str], *,
                 clock: Callable[[], float] = time.time) -> None:
        self._origin = origin.rstrip("/")
        self._key = key
        self._clock = clock

    def link(self, object_key: str) -> tuple[str, int]:
        """The address of the object and the unix time it stops opening."""
        expires = int(self._clock()) + LINK_SECONDS
        path = f"/{object_key}"
        return (f"{self._origin}{path}?exp={expires}&sig={signature(self._key(), path, expires)}",
                expires)
