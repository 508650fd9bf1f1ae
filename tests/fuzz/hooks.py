"""Schemathesis hooks for `make fuzz` (the coverage phase runs none of them).

- Cursors are opaque and checksummed, so a schema-valid but made-up one is
  rightly a 400: put in a cursor the list itself could have issued, so the
  success path is what runs.
- Idempotency-Keys: hypothesis repeats simple values ("00000000"), and a key
  sent again with the same body replays the first answer, by design, even when
  that record was deleted since (tests/users/test_idempotent_create.py). The
  stateful checks would take that for "created, then not found", so each
  well-formed key is made unique.
"""
from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis

from chalicelib.contact.model import STATUSES
from chalicelib.db import keys
from chalicelib.db.cursor import encode_cursor
from chalicelib.db.listing import resume_cursor
from chalicelib.ids import new_id


@schemathesis.hook
def map_query(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    if not query or not isinstance(query.get("cursor"), str) or len(query["cursor"]) > 200:
        return query
    path = context.operation.path
    if path.startswith("/users"):
        partition = keys.USER_LIST
    else:
        status = query.get("status", "new")
        partition = keys.message_list(status if status in STATUSES else "new")
    if path.endswith("/export"):  # an export's cursor names its list and partition
        return {**query, "cursor": resume_cursor("export", partition, new_id())}
    return {**query, "cursor": encode_cursor(partition, new_id())}


_WELL_FORMED_KEY = re.compile(r"[\x21-\x7e]{8,128}")


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    key = (headers or {}).get("Idempotency-Key")
    if not isinstance(key, str) or not _WELL_FORMED_KEY.fullmatch(key):
        return headers
    return {**(headers or {}), "Idempotency-Key": key[:96] + uuid.uuid4().hex}
