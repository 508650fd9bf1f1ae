"""Items DynamoDB reads to serve one page of users or messages, as the table
grows, against a Scan of the same table. moto in-process; each query's
ScannedCount is what DynamoDB bills reads on. Writes JSON to the file named by
its first argument."""
from __future__ import annotations

import json
import os
import sys
from typing import Any

from candidates import TABLE, add_paths, environment

SIZES = (100, 1_000, 10_000)
PAGE = 25


class CountingClient:
    """The DynamoDB client, adding up the items each Query read."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.items_read = 0

    def query(self, **kwargs: Any) -> Any:
        response = self._client.query(**kwargs)
        self.items_read += response["ScannedCount"]
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def seed_to(dynamodb: Any, users: int, messages: int, have: dict[str, int]) -> None:
    from chalicelib.contact.model import Message, Notification
    from chalicelib.db.items import to_item
    from chalicelib.db.keys import email_claim
    from chalicelib.platform.ids import new_id
    from chalicelib.users.model import User

    items: list[dict[str, Any]] = []
    for n in range(have["users"], users):
        user = User(id=new_id(), name=f"User {n}", email=f"user{n}@example.com", age=None,
                    created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z", version=1)
        items += [user.to_item(), {**email_claim(user.email), "type": "emailClaim", "userId": user.id}]
    for n in range(have["messages"], messages):
        items.append(Message(id=new_id(), name="Visitor", email=f"v{n}@example.com", subject=None,
                             message="Hello", status="new", created_at="2026-01-01T00:00:00Z",
                             updated_at="2026-01-01T00:00:00Z",
                             notification=Notification(status="sent")).to_item())
    for start in range(0, len(items), 25):
        dynamodb.batch_write_item(RequestItems={TABLE: [
            {"PutRequest": {"Item": to_item(item)}} for item in items[start:start + 25]]})
    have.update(users=users, messages=messages)


def main(out_path: str) -> None:
    os.environ.update(environment())
    add_paths()
    from moto import mock_aws

    with mock_aws():
        import boto3
        from workload import create_table

        from chalicelib.contact.store import MessageStore
        from chalicelib.users.store import UserStore

        dynamodb = boto3.client("dynamodb")
        create_table(dynamodb, TABLE)
        have = {"users": 0, "messages": 0}
        results = []
        for size in SIZES:
            seed_to(dynamodb, size, size, have)
            counting = CountingClient(dynamodb)
            users = UserStore(counting, TABLE)
            first, cursor = users.list(limit=PAGE)
            users_first = counting.items_read
            users.list(limit=PAGE, cursor=cursor)
            users_second = counting.items_read - users_first
            counting.items_read = 0
            messages = MessageStore(counting, TABLE)
            messages.list(status="new", limit=PAGE)
            messages_first = counting.items_read
            scanned = pages = 0
            kwargs: dict[str, Any] = {"TableName": TABLE}
            while True:
                page = dynamodb.scan(**kwargs)
                scanned, pages = scanned + page["ScannedCount"], pages + 1
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            results.append({"records": size, "users_first_page": users_first,
                            "users_next_page": users_second, "messages_first_page": messages_first,
                            "page_size": len(first), "scan_items": scanned, "scan_requests": pages})
            print(f"  dynamodb cost at {size:,} records", file=sys.stderr)
    with open(out_path, "w") as out:
        json.dump(results, out)


if __name__ == "__main__":
    main(sys.argv[1])
