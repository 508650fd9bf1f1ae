"""The local AWS refuses a key condition DynamoDB refuses: BETWEEN with its
lower bound above its upper bound (moto alone answers it with no items)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from devstack.moto_server import LocalAwsServer


@pytest.fixture(scope="module")
def dynamodb() -> Iterator[Any]:
    server = LocalAwsServer("127.0.0.1", 0).start()
    client = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{server.port}",
                          region_name="us-east-1", aws_access_key_id="local",
                          aws_secret_access_key="local")
    client.create_table(
        TableName="ranges", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t}
                              for n, t in (("pk", "S"), ("sk", "S"), ("g", "S"), ("n", "N"))],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "byN", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "n", "KeyType": "RANGE"}]}])
    for sk, n in (("a", "1"), ("b", "4"), ("c", "5")):
        client.put_item(TableName="ranges", Item={"pk": {"S": "p"}, "sk": {"S": sk},
                                                  "g": {"S": "g"}, "n": {"N": n}})
    yield client
    server.stop()


def between(dynamodb: Any, low: dict[str, str], high: dict[str, str], *, index: bool = False,
            keyword: str = "BETWEEN") -> list[str]:
    extra: dict[str, Any] = {"IndexName": "byN"} if index else {}
    response = dynamodb.query(
        TableName="ranges", **extra,
        KeyConditionExpression=f"#h = :h AND #r {keyword} :low AND :high",
        ExpressionAttributeNames={"#h": "g" if index else "pk", "#r": "n" if index else "sk"},
        ExpressionAttributeValues={":h": {"S": "g" if index else "p"}, ":low": low, ":high": high})
    return [item["sk"]["S"] for item in response["Items"]]


def test_a_between_the_wrong_way_round_is_dynamodbs_validation_exception(dynamodb: Any) -> None:
    with pytest.raises(ClientError) as raised:
        between(dynamodb, {"S": "b"}, {"S": "a"})
    error = raised.value.response["Error"]
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
        "greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, "
        "upper bound operand: AttributeValue: {S:a}")


def test_on_an_index_and_for_numbers_too(dynamodb: Any) -> None:
    with pytest.raises(ClientError) as raised:
        between(dynamodb, {"N": "5"}, {"N": "4"}, index=True, keyword="between")
    assert raised.value.response["Error"]["Message"].endswith(
        "lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:4}")
    # Numbers compare as numbers, not as text: 10 is above 9.
    assert between(dynamodb, {"N": "4"}, {"N": "10"}, index=True) == ["b", "c"]


def test_a_between_the_right_way_round_still_answers(dynamodb: Any) -> None:
    assert between(dynamodb, {"S": "a"}, {"S": "b"}) == ["a", "b"]
    assert between(dynamodb, {"S": "b"}, {"S": "b"}) == ["b"]  # equal bounds are allowed
    assert between(dynamodb, {"S": "x"}, {"S": "z"}) == []
