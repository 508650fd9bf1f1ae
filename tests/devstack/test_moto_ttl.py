"""DynamoDB's TTL, as the local AWS applies it (devstack/moto_ttl.py): what it
deletes, what it leaves, and the stream record a deletion writes."""
from __future__ import annotations

import json
import urllib.request
from typing import Any

from chalicelib.db.items import to_item
from devstack.moto_ttl import SWEEP_PATH
from tests.conftest import LocalAws

NOW = 1_800_000_000
YEAR = 365 * 86_400


def sweep(local_aws: LocalAws, now: float) -> int:
    request = urllib.request.Request(f"{local_aws.endpoint}{SWEEP_PATH}?now={now}", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (moto's)
        return int(json.loads(answer.read())["deleted"])


def keys_left(dynamodb: Any, table: str) -> set[str]:
    return {item["pk"]["S"] for item in dynamodb.scan(TableName=table)["Items"]}


def stream_records(dynamodb: Any, streams: Any, table: str) -> list[dict[str, Any]]:
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return list(streams.get_records(ShardIterator=iterator)["Records"])


def test_expired_items_are_deleted_with_the_service_s_stream_record_and_no_others(
        local_aws: LocalAws, fresh_table: str) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    streams = local_aws.session.client("dynamodbstreams")
    items = {"past": {"expiresAt": NOW - 1}, "now": {"expiresAt": NOW},
             "future": {"expiresAt": NOW + 1}, "none": {},
             "text": {"expiresAt": str(NOW - 1)},  # not a Number: DynamoDB ignores it
             "ancient": {"expiresAt": NOW - 6 * YEAR}}  # over five years past: ignored too
    for name, extra in items.items():
        dynamodb.put_item(TableName=fresh_table, Item=to_item({"pk": name, "sk": "X", **extra}))
    dynamodb.delete_item(TableName=fresh_table, Key=to_item({"pk": "none", "sk": "X"}))

    assert sweep(local_aws, NOW) == 2
    assert keys_left(dynamodb, fresh_table) == {"future", "text", "ancient"}
    removed = [r for r in stream_records(dynamodb, streams, fresh_table)
               if r["eventName"] == "REMOVE"]
    by_key = {r["dynamodb"]["Keys"]["pk"]["S"]: r for r in removed}
    # A request's delete has no userIdentity; TTL's names the service, with the old image.
    assert "userIdentity" not in by_key["none"]
    for name in ("past", "now"):
        assert by_key[name]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com",
                                                "Type": "Service"}
        assert by_key[name]["dynamodb"]["OldImage"]["pk"] == {"S": name}
    assert sweep(local_aws, NOW) == 0


def test_a_table_without_ttl_keeps_everything(local_aws: LocalAws, fresh_table: str) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    dynamodb.update_time_to_live(TableName=fresh_table, TimeToLiveSpecification={
        "AttributeName": "expiresAt", "Enabled": False})
    dynamodb.put_item(TableName=fresh_table, Item=to_item({"pk": "past", "sk": "X",
                                                           "expiresAt": NOW - 1}))
    assert sweep(local_aws, NOW) == 0
    assert keys_left(dynamodb, fresh_table) == {"past"}
