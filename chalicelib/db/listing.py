"""One page of a GSI1 list, newest first, resumed by an opaque cursor.

Every list (users, messages of one status) is a GSI1 partition sorted by
ULID. A page is one Query with `Limit = limit + 1`: the extra item only says
whether a next page exists, so the last page never carries a cursor to an
empty one, and the items read per page do not grow with the table. The
cursor names the partition it came from, so it cannot be replayed on another.
"""
from __future__ import annotations

from typing import Any

from chalicelib.db.cursor import decode_cursor, encode_cursor
from chalicelib.db.errors import aws_unavailable_as_503
from chalicelib.db.items import from_item, to_value
from chalicelib.db.table import GSI1, GSI1_PK, GSI1_SK


def newest_first(client: Any, table: str, *, partition: str, limit: int,
                 cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    condition = "#pk = :pk"
    names = {"#pk": GSI1_PK}
    values = {":pk": to_value(partition)}
    if cursor:
        condition += " AND #sk < :after"
        names["#sk"] = GSI1_SK
        values[":after"] = to_value(decode_cursor(partition, cursor))
    with aws_unavailable_as_503():
        response = client.query(TableName=table, IndexName=GSI1, KeyConditionExpression=condition,
                                ExpressionAttributeNames=names, ExpressionAttributeValues=values,
                                ScanIndexForward=False, Limit=limit + 1)
    items = [from_item(item) for item in response["Items"]]
    page = items[:limit]
    next_cursor = encode_cursor(partition, page[-1][GSI1_SK]) if len(items) > limit else None
    return page, next_cursor
