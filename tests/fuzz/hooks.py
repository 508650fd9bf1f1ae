"""Schemathesis hooks for `make fuzz`: cursors are opaque and checksummed, so a
schema-valid but random one is rightly a 400. For schema-valid cases, put in a
cursor the list itself could have issued, so the success path is what runs."""
from __future__ import annotations

from typing import Any

import schemathesis

from chalicelib.contact.model import STATUSES
from chalicelib.db import keys
from chalicelib.db.cursor import encode_cursor
from chalicelib.ids import new_id


@schemathesis.hook
def map_query(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    if not query or not isinstance(query.get("cursor"), str) or len(query["cursor"]) > 200:
        return query
    path = context.operation.path
    if path == "/users":
        partition = keys.USER_LIST
    else:
        status = query.get("status", "new")
        partition = keys.message_list(status if status in STATUSES else "new")
    return {**query, "cursor": encode_cursor(partition, new_id())}
