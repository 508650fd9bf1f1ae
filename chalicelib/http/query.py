"""Query-string parameters, checked like bodies: every bad one listed at once.

One rule on every route (the pipeline applies it before the view runs): a
route takes the parameters its @responds declares (chalicelib/http/operations.py),
each at most once. Any other parameter, or one given twice, is 400
`validation_failed` naming it, as a form post that sends a field twice is:
an ignored or last-one-wins parameter hides a typo or a second reader's
different reading. A page (HTML for a browser) is not held to it: it reads
no parameter, and links to it carry what others add.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.core.domain_errors import InvalidFields

# A parameter that means something else on another route (an export's status,
# a message list's sender email) is declared under a name of its own
# (openapi.PARAMETERS describes each); the query names them so.
_DECLARED_AS = {"export_status": "status", "export_form": "form", "export_cursor": "cursor",
                "sender": "email"}


def query_name(declared: str) -> str:
    """The query parameter a name in @responds(query=...) stands for."""
    return _DECLARED_AS.get(declared, declared)


def taken_names(declared: Iterable[str]) -> frozenset[str]:
    return frozenset(query_name(name) for name in declared)


def check_query(query: Any, taken: frozenset[str]) -> None:
    """InvalidFields naming every parameter of `query` (Chalice's MultiDict,
    or None) that the route does not take, or that is given more than once."""
    if not query:
        return
    errors = [{"field": name, "message": "is not a parameter of this route"}
              for name in query if name not in taken]
    errors += [{"field": name, "message": "must be sent once"}
               for name in query if name in taken and len(query.getlist(name)) > 1]
    if errors:
        raise InvalidFields(errors)


def page_params(query: Mapping[str, Any] | None, *, default_limit: int = 25,
                max_limit: int = 100) -> tuple[int, str | None]:
    """`limit` (1..max_limit) and `cursor` from the query string."""
    query = query or {}
    errors: list[dict[str, str]] = []
    limit = default_limit
    raw_limit = query.get("limit")
    if raw_limit is not None:
        # Length first: int() of a 5,000-digit string raises instead of answering.
        if len(raw_limit) <= 3 and raw_limit.isascii() and raw_limit.isdigit() \
                and 1 <= int(raw_limit) <= max_limit:
            limit = int(raw_limit)
        else:
            errors.append({"field": "limit", "message": f"must be an integer from 1 to {max_limit}"})
    cursor = query.get("cursor") or None
    if errors:
        raise InvalidFields(errors)
    return limit, cursor
