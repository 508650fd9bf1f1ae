"""The retention tests' world: posts, replies, the stream pump and DynamoDB's
TTL as the local AWS applies it (devstack/moto_ttl.py)."""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.db.items import from_item
from devstack.moto_ttl import SWEEP_PATH
from tests.conftest import LocalAws
from tests.contact.conftest import make_notifier, ses_outage
from tests.dashboard.conftest import message_id, pump, reply, submit, thread, visitor
from tests.forms.conftest import put_form

__all__ = ["make_notifier", "message_id", "pump", "put_form", "reply", "ses_outage", "submit",
           "thread", "visitor"]

DAY = 86_400


@pytest.fixture
def sweep_ttl(local_aws: LocalAws) -> Callable[[float], int]:
    """DynamoDB's TTL, applied now as of `now` (epoch seconds): how many items it deleted."""
    def sweep(now: float) -> int:
        request = urllib.request.Request(f"{local_aws.endpoint}{SWEEP_PATH}?now={now}",
                                         method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (moto's)
            return int(json.loads(answer.read())["deleted"])
    return sweep


@pytest.fixture
def partition(local_aws: LocalAws, fresh_table: str) -> Callable[[str], list[dict[str, Any]]]:
    """Every item under MSG#<id>."""
    dynamodb = local_aws.session.client("dynamodb")

    def items(message_id: str) -> list[dict[str, Any]]:
        found = dynamodb.query(TableName=fresh_table, KeyConditionExpression="pk = :pk",
                               ExpressionAttributeValues={":pk": {"S": f"MSG#{message_id}"}},
                               ConsistentRead=True)["Items"]
        return [from_item(item) for item in found]
    return items
