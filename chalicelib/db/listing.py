"""One page of a list, newest first, resumed by an opaque cursor.

Every list (users, messages of one status; on GSI2, messages of one form and
status) is a GSI partition sorted by ULID. A page is one Query with
`Limit = limit + 1`: the extra item only says whether a next page exists,
so the last page never carries a cursor to an empty one, and the items read
per page do not grow with the table. The
cursor names the partition it came from, so it cannot be replayed on another.

The list of every status merges one page of each status's partition
(`newest_first_merged`). Exports read further: `newest_first_across` walks several partitions (every
message status) within a range of ids (a time range: ULIDs start with their
time), page after page, for as long as its caller keeps reading.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import msgspec

from chalicelib.core.domain_errors import CursorInvalid
from chalicelib.db.cursor import decode_cursor, encode_cursor
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.items import from_item, to_value
from chalicelib.db.table import GSI1, GSI1_PK, GSI1_SK, GSI2, GSI2_PK, GSI2_SK


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says why).
class Index(msgspec.Struct, frozen=True):
    """A GSI a list is read from: its name and key attributes."""
    name: str
    pk: str
    sk: str


BY_GSI1 = Index(GSI1, GSI1_PK, GSI1_SK)
BY_GSI2 = Index(GSI2, GSI2_PK, GSI2_SK)


def newest_first(client: Any, table: str, *, partition: str, limit: int,
                 cursor: str | None,
                 index: Index = BY_GSI1) -> tuple[list[dict[str, Any]], str | None]:
    after = decode_cursor(partition, cursor) if cursor else None
    items = _query_newest(client, table, index, partition, after, limit + 1)
    page = items[:limit]
    next_cursor = encode_cursor(partition, page[-1][index.sk]) if len(items) > limit else None
    return page, next_cursor


def newest_first_merged(client: Any, table: str, *, partitions: Sequence[str], list_name: str,
                        limit: int, cursor: str | None,
                        index: Index = BY_GSI1) -> tuple[list[dict[str, Any]], str | None]:
    """One page of several partitions merged newest first (every status's
    messages as one list): one Query of at most `limit + 1` items per
    partition, so a page reads at most len(partitions) × (limit + 1) items
    whatever the table's size. Sort keys are ULIDs, unique across the
    partitions, so the last id returned is where every partition resumes;
    the cursor is bound to `list_name`."""
    after = decode_cursor(list_name, cursor) if cursor else None
    items = [item for partition in partitions
             for item in _query_newest(client, table, index, partition, after, limit + 1)]
    items.sort(key=lambda item: str(item[index.sk]), reverse=True)
    page = items[:limit]
    next_cursor = encode_cursor(list_name, page[-1][index.sk]) if len(items) > limit else None
    return page, next_cursor


def _query_newest(client: Any, table: str, index: Index, partition: str, after: str | None,
                  count: int) -> list[dict[str, Any]]:
    """The newest `count` items of a partition, below `after` if given."""
    condition = "#pk = :pk"
    names = {"#pk": index.pk}
    values = {":pk": to_value(partition)}
    if after is not None:
        condition += " AND #sk < :after"
        names["#sk"] = index.sk
        values[":after"] = to_value(after)
    with aws_unavailable_mapped():
        response = client.query(TableName=table, IndexName=index.name,
                                KeyConditionExpression=condition,
                                ExpressionAttributeNames=names, ExpressionAttributeValues=values,
                                ScanIndexForward=False, Limit=count)
    return [from_item(item) for item in response["Items"]]


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says why).
class Resumed(msgspec.Struct, frozen=True):
    """Where an export resumes: the partition, and the id last returned in it."""
    partition: str
    after: str


def resume_point(cursor: str | None, partitions: Sequence[str], list_name: str) -> Resumed | None:
    """Decode an export cursor, which names one of `partitions`; CursorInvalid
    for any other."""
    if not cursor:
        return None
    for partition in partitions:
        try:
            return Resumed(partition, decode_cursor(f"{list_name}|{partition}", cursor))
        except CursorInvalid:
            continue
    raise CursorInvalid()


def resume_cursor(list_name: str, partition: str, last_id: str) -> str:
    return encode_cursor(f"{list_name}|{partition}", last_id)


def newest_first_across(client: Any, table: str, *, partitions: Sequence[str],
                        lowest: str, highest: str, resume: Resumed | None,
                        page_size: int = 500,
                        index: Index = BY_GSI1) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every item of `partitions` (in that order) whose GSI1 sort key lies in
    [lowest, highest], newest first, read lazily a page (one Query) at a time,
    as (partition, item). Never a Scan: the caller stops reading when it has
    enough."""
    start = partitions.index(resume.partition) if resume else 0
    for partition in partitions[start:]:
        top = resume.after if resume and partition == resume.partition else highest
        query: dict[str, Any] = {
            "TableName": table, "IndexName": index.name, "ScanIndexForward": False,
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
            "ExpressionAttributeNames": {"#pk": index.pk, "#sk": index.sk},
            "ExpressionAttributeValues": {":pk": to_value(partition), ":low": to_value(lowest),
                                          ":high": to_value(min(top, highest))},
            "Limit": page_size}
        while True:
            with aws_unavailable_mapped():
                response = client.query(**query)
            for typed in response["Items"]:
                item = from_item(typed)
                if resume and partition == resume.partition and item[index.sk] == resume.after:
                    continue  # BETWEEN includes the item the cursor names
                yield partition, item
            if "LastEvaluatedKey" not in response:
                break
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
