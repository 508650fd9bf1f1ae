"""Opaque, checked pagination cursors.

A cursor names the list it belongs to and the last item returned (its ULID),
never a DynamoDB key: the store rebuilds the key itself, inside the list's own
partition, so no edit to a cursor can reach another entity. A checksum makes
an edited or truncated cursor CursorInvalid (a 400 naming the query
parameter, at the edge) rather than a silently different page.
"""
from __future__ import annotations

import base64
import hashlib
import json

from chalicelib.core.domain_errors import CursorInvalid
from chalicelib.platform.ids import is_ulid

_CHECK_BYTES = 8


def _check(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_CHECK_BYTES, person=b"frontdesk-cur").digest()


def encode_cursor(list_name: str, last_id: str) -> str:
    payload = json.dumps({"l": list_name, "id": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload + _check(payload)).rstrip(b"=").decode()


def decode_cursor(list_name: str, cursor: str) -> str:
    """The id to resume after, or CursorInvalid on any cursor we did not issue
    for this list."""
    invalid = CursorInvalid()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload, check = raw[:-_CHECK_BYTES], raw[-_CHECK_BYTES:]
        if len(cursor) > 200 or check != _check(payload):
            raise invalid
        data = json.loads(payload)
    except (ValueError, TypeError):
        raise invalid from None
    if not isinstance(data, dict) or data.get("l") != list_name or not is_ulid(str(data.get("id"))):
        raise invalid
    return str(data["id"])
