"""Schemathesis hooks for `make fuzz` (the coverage phase runs none of them).

- Cursors are opaque and checksummed, so a schema-valid but made-up one is
  rightly a 400: put in a cursor the list itself could have issued (a list
  filtered by form, by sender, by words: that list's), so the success path is
  what runs. A person's list is the address in the path's: its cursor is put
  in once the whole request is known (map_case).
- Idempotency-Keys: hypothesis repeats simple values ("00000000"), and a key
  sent again with the same body replays the first answer, by design, even when
  that record was deleted since (tests/users/test_idempotent_create.py). The
  stateful checks would take that for "created, then not found", so each
  well-formed key is made unique.
"""
from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import schemathesis

from chalicelib.api.people import person_address
from chalicelib.audit.entry import ACTIONS
from chalicelib.audit.log import listed
from chalicelib.contact.model import ALL_STATUSES, STATUSES
from chalicelib.contact.search import Selection, search_words
from chalicelib.contact.store import slices_of
from chalicelib.core import text
from chalicelib.db import keys
from chalicelib.db.cursor import encode_cursor
from chalicelib.db.listing import list_name, resume_cursor
from chalicelib.forms.model import is_form_id
from chalicelib.http.errors import ValidationFailed
from chalicelib.people import records
from chalicelib.platform.ids import new_id


def _ordered_range(query: dict[str, Any]) -> dict[str, Any]:
    """An export's from/to in order: `to` must be later than `from`, a rule
    across two parameters that no schema can state."""
    start, end = query.get("from"), query.get("to")
    if not (isinstance(start, str) and isinstance(end, str) and start and end):
        return query
    try:
        ordered = sorted([start, end], key=lambda raw: _utc(datetime.fromisoformat(raw)))
    except (ValueError, OverflowError):
        return query  # not a valid moment: rightly a 400
    if ordered[0] == ordered[1] or _utc(datetime.fromisoformat(start)) == _utc(
            datetime.fromisoformat(end)):
        return {name: value for name, value in query.items() if name != "to"}
    return {**query, "from": ordered[0], "to": ordered[1]}


def _utc(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(
        UTC)


@schemathesis.hook
def map_query(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    if query and context.operation.path == "/dashboard/messages/export":
        query = _ordered_range(query)
    if not query or not isinstance(query.get("cursor"), str) or len(query["cursor"]) > 200:
        return query
    path = context.operation.path
    if path.startswith("/dashboard/people/"):
        return query  # a person's cursor names the path's address: map_case puts it in
    if path.startswith("/users"):
        partition = keys.USER_LIST
    elif path == "/dashboard/audit":
        actor, action = query.get("actor") or None, query.get("action") or None
        partition = list_name([listed(actor if isinstance(actor, str) else None,
                                      action if action in ACTIONS else None)])
    elif path.endswith("/export"):
        status = query.get("status", "new")
        status = status if status in STATUSES else "new"
        form = query.get("form")
        # Filtered by form, the list is that form's partition (of GSI2).
        partition = (keys.form_message_list(form, status)
                     if isinstance(form, str) and is_form_id(form)
                     else keys.message_list(status))
    else:
        partition = list_name(slices_of(_selection(query)))
    if path.endswith("/export"):  # an export's cursor names its list and partition
        return {**query, "cursor": resume_cursor("export", partition, new_id())}
    return {**query, "cursor": encode_cursor(partition, new_id())}


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    """GET /dashboard/people/{email}'s cursor, one the route could have issued
    for the path's address (its list is that mailbox's record slices), so a
    later page of a person's data runs, not a 400."""
    if case.operation.path != "/dashboard/people/{email}" or case.method.upper() != "GET":
        return case
    cursor, email = (case.query or {}).get("cursor"), (case.path_parameters or {}).get("email")
    if not isinstance(cursor, str) or len(cursor) > 200 or not isinstance(email, str):
        return case
    try:
        # The case holds the parameter percent-encoded, as the route gets it.
        address = person_address(email)
    except ValidationFailed:
        return case  # not an address: rightly a 400, whatever the cursor
    case.query = {**case.query,
                  "cursor": encode_cursor(list_name(records.slices(address)), new_id())}
    return case


def _selection(query: dict[str, Any]) -> Selection:
    """The messages a list's query selects, as the API reads it (a value the
    API refuses gets a 400 whatever the cursor)."""
    email = query.get("email")
    email = text.email_form(email) if isinstance(email, str) and email else None
    q = query.get("q")
    words = search_words(q) if isinstance(q, str) else ()
    status = query.get("status") or ("all" if email or words else "new")
    form = query.get("form")
    return Selection(ALL_STATUSES if status == "all" or status not in STATUSES else (status,),
                     form if isinstance(form, str) and is_form_id(form) else None, email, words)


_WELL_FORMED_KEY = re.compile(r"[\x21-\x7e]{8,128}")


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    key = (headers or {}).get("Idempotency-Key")
    if not isinstance(key, str) or not _WELL_FORMED_KEY.fullmatch(key):
        return headers
    return {**(headers or {}), "Idempotency-Key": key[:96] + uuid.uuid4().hex}
