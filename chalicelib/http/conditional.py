"""Optimistic concurrency over HTTP: ETags are the record's version, and a
write must name, in If-Match, the version it was based on.

If-Match follows RFC 9110 (section 13.1.1): `*` matches any current version;
otherwise a comma-separated list of entity tags, compared strongly, so a weak
tag (W/"3") or one this API never issued ("abc") is well-formed but matches
nothing (412). A value that is not an entity tag at all (an unquoted 3) is a
malformed request (400).
"""
from __future__ import annotations

import re
from collections.abc import Set

from chalicelib.http.errors import BadRequest, PreconditionRequired

# One list member: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, with
# etagc = %x21 / %x23-7E / obs-text (a comma may sit inside the quotes).
_LIST_MEMBER = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*(?:,|\Z)')
_VERSION = re.compile(r"[1-9][0-9]{0,17}")

# The versions a change may apply to; None: whichever version is current ("*").
ExpectedVersions = Set[int] | None  # as UserStore takes them


def etag(version: int) -> str:
    return f'"{version}"'


def required_versions(if_match: str | None) -> ExpectedVersions:
    if if_match is None or not if_match.strip():
        raise PreconditionRequired()
    return _versions(if_match)


def optional_versions(if_match: str | None) -> ExpectedVersions:
    """Absent If-Match: any current version, as `*`."""
    return None if if_match is None or not if_match.strip() else _versions(if_match)


def creation_only(if_none_match: str | None) -> bool:
    """If-None-Match on a PUT: `*` asks to create only, never replace. ETags
    there would ask for a replace of any version but those: this API takes
    none (400), rather than guess."""
    if if_none_match is None or not if_none_match.strip():
        return False
    if if_none_match.strip() == "*":
        return True
    raise BadRequest('If-None-Match must be "*" (create only).')


def _versions(if_match: str) -> ExpectedVersions:
    value = if_match.strip()
    if value == "*":
        return None
    versions: set[int] = set()
    position = 0
    while position < len(value):
        member = _LIST_MEMBER.match(value, position)
        if member is None:
            raise BadRequest('If-Match must be "*" or ETags as this API returns them, such as "3".')
        weak, opaque = member.groups()
        if weak is None and _VERSION.fullmatch(opaque):
            versions.add(int(opaque))
        position = member.end()
    return frozenset(versions)
