"""One page of a list, newest first, resumed by an opaque cursor.

Every list (users, messages of one status; on GSI2, messages of one form and
status) is a GSI partition sorted by ULID. A page is one Query with
`Limit = limit + 1`: the extra item only says whether a next page exists,
so the last page never carries a cursor to an empty one, and the items read
per page do not grow with the table. The
cursor names the partition it came from, so it cannot be replayed on another.

A list may also be several slices (`Slice`: a partition, or the range of one
whose sort keys start with a prefix, such as one status in a sender's
partition on GSI3), merged newest first: `newest_first_of` reads
`limit + 1` items of each, so a page reads at most slices x (limit + 1) items
whatever the table holds. `matching_newest_first` examines a list's items
newest first against a test, at most a budget of them per call, and says how
many it examined: a search whose cost is bounded by its budget, not by the table.

Exports read further: `newest_first_across` walks several partitions (every
message status) within a range of ids (a time range: ULIDs start with their
time), page after page, for as long as its caller keeps reading.
"""
from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import msgspec

from chalicelib.core.domain_errors import CursorInvalid
from chalicelib.db.cursor import decode_cursor, encode_cursor
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.items import from_item, to_value
from chalicelib.db.table import (
    GSI1,
    GSI1_PK,
    GSI1_SK,
    GSI2,
    GSI2_PK,
    GSI2_SK,
    GSI3,
    GSI3_PK,
    GSI3_SK,
    PK,
    SK,
)


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says why).
class Index(msgspec.Struct, frozen=True):
    """A GSI a list is read from: its name and key attributes."""
    name: str
    pk: str
    sk: str


BY_GSI1 = Index(GSI1, GSI1_PK, GSI1_SK)
BY_GSI2 = Index(GSI2, GSI2_PK, GSI2_SK)
BY_GSI3 = Index(GSI3, GSI3_PK, GSI3_SK)
# The table's own key: a list whose items are a partition of the table (one
# actor's audit entries of one action), sorted by id.
BY_TABLE = Index("", PK, SK)


def newest_first(client: Any, table: str, *, partition: str, limit: int,
                 cursor: str | None,
                 index: Index = BY_GSI1) -> tuple[list[dict[str, Any]], str | None]:
    return newest_first_of(client, table, [Slice(index, partition)], limit=limit, cursor=cursor)


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says why).
class Slice(msgspec.Struct, frozen=True):
    """The items of one GSI partition whose sort key is `prefix` then the
    item's id (ULID), newest first."""
    index: Index
    partition: str
    prefix: str = ""

    def id_of(self, item: dict[str, Any]) -> str:
        return str(item[self.index.sk])[len(self.prefix):]

    def query(self, table: str, after: str | None, limit: int) -> dict[str, Any]:
        """The Query of this slice's items older than the id `after` (all
        without one), newest first; with a prefix and `after`, its range
        includes `after` itself (BETWEEN), which the reader drops."""
        names = {"#pk": self.index.pk}
        values = {":pk": to_value(self.partition)}
        condition = "#pk = :pk"
        if self.prefix or after:
            names["#sk"] = self.index.sk
        if self.prefix and after:
            condition += " AND #sk BETWEEN :low AND :high"
            values.update({":low": to_value(self.prefix), ":high": to_value(self.prefix + after)})
        elif self.prefix:
            condition += " AND begins_with(#sk, :low)"
            values[":low"] = to_value(self.prefix)
        elif after:
            condition += " AND #sk < :high"
            values[":high"] = to_value(after)
        query: dict[str, Any] = {"TableName": table, "ScanIndexForward": False,
                                 "KeyConditionExpression": condition,
                                 "ExpressionAttributeNames": names,
                                 "ExpressionAttributeValues": values, "Limit": limit}
        if self.index.name:
            query["IndexName"] = self.index.name
        return query


def list_name(slices: Sequence[Slice]) -> str:
    """What a cursor names: a single partition's list by its partition (as
    before slices), any other list by a digest of its slices."""
    if len(slices) == 1 and not slices[0].prefix:
        return slices[0].partition
    described = "|".join(f"{s.index.name}:{s.partition}:{s.prefix}" for s in slices)
    return "~" + hashlib.sha256(described.encode()).hexdigest()[:24]


def _resumed(slices: Sequence[Slice], cursor: str | None) -> str | None:
    return decode_cursor(list_name(slices), cursor) if cursor else None


class _Reader:
    """One slice read newest first a Query at a time, from after `after`."""

    def __init__(self, client: Any, table: str, piece: Slice, after: str | None) -> None:
        self._client, self._table, self.slice, self._after = client, table, piece, after
        self._start: dict[str, Any] | None = None
        self.done = False
        self.items_read = 0

    def page(self, limit: int) -> list[dict[str, Any]]:
        """At most `limit` more of its items (fewer at its end; possibly none
        where DynamoDB stopped a page early)."""
        # With a prefix, the range includes the item `after` names: one more.
        extra = 1 if self.slice.prefix and self._after and self._start is None else 0
        query = self.slice.query(self._table, self._after, limit + extra)
        if self._start is not None:
            query["ExclusiveStartKey"] = self._start
        with aws_unavailable_mapped():
            response = self._client.query(**query)
        self._start = response.get("LastEvaluatedKey")
        self.done = self._start is None
        items = [from_item(item) for item in response["Items"]]
        self.items_read += len(items)
        return [item for item in items if self.slice.id_of(item) != self._after]


def newest_first_of(client: Any, table: str, slices: Sequence[Slice], *, limit: int,
                    cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the slices' items merged, newest first: one Query of
    `limit + 1` items per slice."""
    after = _resumed(slices, cursor)
    found: list[tuple[str, dict[str, Any]]] = []
    for piece in slices:
        found += [(piece.id_of(item), item)
                  for item in _Reader(client, table, piece, after).page(limit + 1)[:limit + 1]]
    found.sort(key=lambda pair: pair[0], reverse=True)
    page = found[:limit]
    next_cursor = encode_cursor(list_name(slices), page[-1][0]) if len(found) > limit else None
    return [item for _, item in page], next_cursor


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says why).
class Examined(msgspec.Struct, frozen=True):
    """A search's page: the matches, how many items it examined to find them,
    the cursor to search on from the last one examined (None: none left), and
    how many items it read from DynamoDB (examined, plus what it read ahead)."""
    items: list[dict[str, Any]]
    examined: int
    next_cursor: str | None
    items_read: int


def matching_newest_first(client: Any, table: str, slices: Sequence[Slice], *,
                          matches: Callable[[dict[str, Any]], bool], limit: int, budget: int,
                          cursor: str | None, read_ahead: int = 50) -> Examined:
    """Up to `limit` of the slices' items for which `matches` holds, newest
    first, examining at most `budget` items. Each slice is read `read_ahead`
    items (at most what the budget has left) at a time, so a call reads at
    most budget + slices x read_ahead items, whatever the table holds."""
    after = _resumed(slices, cursor)
    readers = [_Reader(client, table, piece, after) for piece in slices]
    heap: list[tuple[str, int, int, dict[str, Any]]] = []
    buffered = [0] * len(readers)
    order = 0  # ties never compare dicts

    def refill(n: int, left: int) -> None:
        nonlocal order
        reader = readers[n]
        while not reader.done and buffered[n] == 0 and left > 0:
            for item in reader.page(min(read_ahead, left)):
                # Newest first from a min-heap: invert the id's characters.
                heapq.heappush(heap, (_descending(reader.slice.id_of(item)), order, n, item))
                order += 1
                buffered[n] += 1

    for n in range(len(readers)):
        refill(n, budget)
    found: list[dict[str, Any]] = []
    examined, last = 0, None
    while heap and examined < budget and len(found) < limit:
        _, _, n, item = heapq.heappop(heap)
        buffered[n] -= 1
        examined += 1
        last = readers[n].slice.id_of(item)
        if matches(item):
            found.append(item)
        refill(n, budget - examined)
    more = bool(heap) or any(not reader.done for reader in readers)
    next_cursor = encode_cursor(list_name(slices), last) if more and last else (
        cursor if more else None)
    return Examined(found, examined, next_cursor, sum(r.items_read for r in readers))


def _descending(ulid: str) -> str:
    return ulid.translate(_INVERT)


_ULID_CHARS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_INVERT = str.maketrans(_ULID_CHARS, _ULID_CHARS[::-1])


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
    enough. A partition whose range is empty (the cursor's id below `lowest`)
    is not queried: DynamoDB refuses a BETWEEN whose low is above its high."""
    start = partitions.index(resume.partition) if resume else 0
    for partition in partitions[start:]:
        top = resume.after if resume and partition == resume.partition else highest
        if min(top, highest) < lowest:
            continue
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
