from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.contact.store import MessageStore
from chalicelib.db.items import from_item
from tests.conftest import JSON, LocalAws
from tests.contact.conftest import pump, sent_mail, submit  # noqa: F401 (shared fixtures)
from tests.contact.test_chat import chat_services, fakes  # noqa: F401 (shared fixtures)


@pytest.fixture
def put_rules(client: Any, as_admin: dict[str, str]) -> Callable[..., Any]:
    def put(rules: dict[str, Any], **headers: str) -> Any:
        return client.put("/dashboard/spam-rules", headers={**as_admin, **JSON, **headers},
                          body=json.dumps(rules).encode())
    return put


@pytest.fixture
def partition(local_aws: LocalAws, fresh_table: str) -> Callable[[str], dict[str, dict[str, Any]]]:
    """Every item of MSG#<id>, by sort key."""
    dynamodb = local_aws.session.client("dynamodb")

    def items(message_id: str) -> dict[str, dict[str, Any]]:
        answer = dynamodb.query(TableName=fresh_table, KeyConditionExpression="pk = :pk",
                                ExpressionAttributeValues={":pk": {"S": f"MSG#{message_id}"}},
                                ConsistentRead=True)
        return {item["sk"]["S"]: from_item(item) for item in answer["Items"]}
    return items


@pytest.fixture
def messages(local_aws: LocalAws, fresh_table: str) -> MessageStore:
    return MessageStore(local_aws.session.client("dynamodb"), fresh_table)
