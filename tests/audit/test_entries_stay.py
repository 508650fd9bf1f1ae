"""Nothing but TTL removes or changes an audit entry: not deleting what it
names, not a bulk delete, not the retention backfill. Each entry expires
auditRetentionDays after it was written."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from chalicelib.core.retention import Retention
from chalicelib.db.items import from_item
from infra.retention_backfill import RetentionBackfill
from tests.conftest import JSON, LocalAws

DAY = 86_400


def audit_items(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    found = dynamodb.query(TableName=table, IndexName="gsi1",
                           KeyConditionExpression="gsi1pk = :pk",
                           ExpressionAttributeValues={":pk": {"S": "AUDIT"}})["Items"]
    return [from_item(item) for item in found]


def test_entries_outlive_what_they_name_and_the_retention_backfill(
        local_aws: LocalAws, client: Any, as_admin: dict[str, str], fresh_table: str,
        submit: Callable[..., Any]) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    ids = [submit({"name": "Ada", "email": f"ada{n}@example.com", "message": "Hi"})
           .json_body["id"] for n in range(2)]
    assert client.patch(f"/dashboard/messages/{ids[0]}", headers={**as_admin, **JSON},
                        body=json.dumps({"status": "read"})).status_code == 200
    assert client.post("/dashboard/messages/bulk", headers={**as_admin, **JSON},
                       body=json.dumps({"ids": ids, "action": "delete"})).status_code == 200
    before = audit_items(dynamodb, fresh_table)
    assert sorted(e["action"] for e in before) == ["message.delete", "message.delete",
                                                   "message.update"]
    for entry in before:  # written + 400 days (the default auditRetentionDays)
        assert 0 <= time.time() - (entry["expiresAt"] - DAY * 400) < 60

    RetentionBackfill(dynamodb, fresh_table, Retention(days=1, spam_days=1)).run()
    assert audit_items(dynamodb, fresh_table) == before
