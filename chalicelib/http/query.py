"""Query-string parameters, checked like bodies: every bad one listed at once."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.core.domain_errors import InvalidFields


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
