"""The one way the stores read a single item: strongly consistent, with
DynamoDB's failures mapped, and in plain Python values."""
from __future__ import annotations

from typing import Any

from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.items import from_item, to_item


def get_item(client: Any, table: str, key: dict[str, str]) -> dict[str, Any] | None:
    with aws_unavailable_mapped():
        item = client.get_item(TableName=table, Key=to_item(key), ConsistentRead=True).get("Item")
    return from_item(item) if item else None
