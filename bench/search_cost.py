"""What one page of the dashboard's search and lists costs in DynamoDB reads,
as the table grows: the items each Query read (`ScannedCount`), their bytes,
and the read capacity units DynamoDB bills for them, worked out from the
items' sizes by DynamoDB's rules. moto in-process. Writes JSON to the file
named by its first argument; with none, prints a table.

Read capacity: a Query is billed on the total size of the items it read,
rounded up to 4 KB, at 0.5 RCU per 4 KB for an eventually consistent read (a
GSI Query always is). moto answers ReturnConsumedCapacity with a fixed 1.0 per
call, so the units are computed here from each item's size: attribute names'
UTF-8 bytes plus values (strings their UTF-8 bytes; numbers about one byte per
two digits plus one; booleans and nulls one; lists and maps three plus one per
element), the rules in DynamoDB's developer guide, "Item sizes and formats".
"""
from __future__ import annotations

import json
import math
import sys
from decimal import Decimal
from typing import Any

from candidates import TABLE, add_paths, environment

SIZES = (1_000, 5_000)
PAGE = 25
# A message as a visitor writes one: a paragraph of about 600 characters.
TEXT = ("Hello, I found your site while looking for someone to help with our shop's "
        "bookkeeping. We are a small team of four, and our accounts have fallen behind "
        "since the spring. Could you tell me what you would charge for a quarterly review, "
        "and whether you also file the VAT returns? We would prefer to meet in person "
        "first if that is possible. I am usually free on Tuesday and Thursday afternoons. "
        "Many thanks in advance, and I look forward to hearing from you soon. ")[:600]


def value_size(value: dict[str, Any]) -> int:
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = Decimal(inner).as_tuple().digits
        return math.ceil(len(digits) / 2) + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in inner.items())
    raise ValueError(f"no size rule for {kind}")


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


class Metered:
    """The DynamoDB client, metering each Query: items, bytes, RCUs."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.queries = self.items = self.bytes = 0
        self.rcu = 0.0

    def query(self, **kwargs: Any) -> Any:
        response = self._client.query(**kwargs, ReturnConsumedCapacity="TOTAL")
        size = sum(item_size(item) for item in response["Items"])
        self.queries += 1
        self.items += response["ScannedCount"]
        self.bytes += size
        self.rcu += max(1, math.ceil(size / 4096)) * 0.5
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def seed_to(dynamodb: Any, count: int, have: list[int]) -> None:
    from chalicelib.contact.model import Message, Notification
    from chalicelib.db.items import to_item
    from chalicelib.platform.ids import new_id

    statuses = ("archived", "read", "read", "new", "replied")  # an inbox a year on
    items = [Message(id=new_id(), name=f"Visitor {n}", email=f"visitor{n % 400}@example.com",
                     subject="Bookkeeping", message=TEXT, status=statuses[n % 5],
                     created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z",
                     notification=Notification(status="sent")).to_item()
             for n in range(have[0], count)]
    for start in range(0, len(items), 25):
        dynamodb.batch_write_item(RequestItems={TABLE: [
            {"PutRequest": {"Item": to_item(item)}} for item in items[start:start + 25]]})
    have[0] = count


def measure(dynamodb: Any, selection: Any) -> dict[str, Any]:
    from chalicelib.contact.store import MessageStore

    metered = Metered(dynamodb)
    found = MessageStore(metered, TABLE).select(selection, limit=PAGE)
    return {"queries": metered.queries, "items": metered.items, "kb": round(metered.bytes / 1024),
            "rcu": metered.rcu, "searched": found.searched}


def main(out_path: str | None) -> None:
    import os
    os.environ.update(environment())
    add_paths()
    from moto import mock_aws

    with mock_aws():
        import boto3
        from workload import create_table

        from chalicelib.contact.model import STATUSES
        from chalicelib.contact.search import Selection

        dynamodb = boto3.client("dynamodb")
        create_table(dynamodb, TABLE)
        have = [0]
        cases = {
            "search, every status (no match: the whole budget)":
                Selection(STATUSES, words=("nothing-matches-this",)),
            "search, one status (read)": Selection(("read",), words=("nothing-matches-this",)),
            "search, one sender": Selection(STATUSES, email="visitor7@example.com",
                                            words=("nothing-matches-this",)),
            "list by sender, every status": Selection(STATUSES, email="visitor7@example.com"),
            "list, every status": Selection(STATUSES),
            "list, one status (new)": Selection(("new",)),
        }
        results = []
        for size in SIZES:
            seed_to(dynamodb, size, have)
            for name, selection in cases.items():
                results.append({"messages": size, "case": name, **measure(dynamodb, selection)})
            print(f"  search cost at {size:,} messages", file=sys.stderr)
    if out_path:
        with open(out_path, "w") as out:
            json.dump(results, out)
        return
    print("| messages | page of 25 | Queries | items read | KB read | RCUs | searched |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['messages']:,} | {r['case']} | {r['queries']} | {r['items']} | {r['kb']} "
              f"| {r['rcu']:g} | {r['searched'] if r['searched'] is not None else '—'} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
