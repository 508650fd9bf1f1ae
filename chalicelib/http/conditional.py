"""Optimistic concurrency over HTTP: ETags are the record's version, and a
write must name, in If-Match, the version it was based on."""
from __future__ import annotations

import re

from chalicelib.errors import PreconditionFailed, PreconditionRequired

_ETAG = re.compile(r'\s*"(\d{1,18})"\s*')


def etag(version: int) -> str:
    return f'"{version}"'


def required_version(if_match: str | None) -> int:
    if if_match is None or not if_match.strip():
        raise PreconditionRequired()
    return _version(if_match)


def optional_version(if_match: str | None) -> int | None:
    return None if if_match is None or not if_match.strip() else _version(if_match)


def _version(if_match: str) -> int:
    # Only the strong ETags we issue. "*" (any version) would defeat the point,
    # and weak ETags are not allowed in If-Match.
    match = _ETAG.fullmatch(if_match)
    if match is None:
        raise PreconditionFailed('If-Match must be an ETag this API returned, such as "3".')
    return int(match.group(1))
