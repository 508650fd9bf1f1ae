"""The local AWS (devstack/moto_server.py) behaves as DynamoDB does where moto
does not: transactions undone item by item in the same table, a bounded stream
that readers never lose, ClientRequestToken honoured, faults on request."""
from __future__ import annotations

import json
import tracemalloc
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.dynamodb.models import dynamodb_backends

from devstack import moto_parity
from devstack.moto_server import LocalAwsServer

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account


@pytest.fixture(scope="module")
def server() -> Iterator[LocalAwsServer]:
    local = LocalAwsServer("127.0.0.1", 0).start()
    yield local
    local.stop()


def client(server: LocalAwsServer, service: str, **config: Any) -> Any:
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{server.port}", region_name=REGION,
                        aws_access_key_id="local", aws_secret_access_key="local",
                        config=Config(**config))


@pytest.fixture
def table(server: LocalAwsServer, request: pytest.FixtureRequest) -> Iterator[str]:
    name = f"t-{request.node.name}"[:200].replace("[", "-").replace("]", "")
    dynamodb = client(server, "dynamodb")
    dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                          StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    yield name
    server.faults.clear()
    dynamodb.delete_table(TableName=name)


def put(name: str, pk: str, **condition: Any) -> dict[str, Any]:
    return {"Put": {"TableName": name, "Item": {"pk": {"S": pk}}, **condition}}


def must_not_exist() -> dict[str, Any]:
    return {"ConditionExpression": "attribute_not_exists(pk)"}


def add_one(name: str, pk: str) -> dict[str, Any]:
    return {"Update": {"TableName": name, "Key": {"pk": {"S": pk}}, "UpdateExpression": "ADD n :one",
                       "ExpressionAttributeValues": {":one": {"N": "1"}}}}


def stream_reader(server: LocalAwsServer, name: str) -> tuple[Any, str]:
    arn = client(server, "dynamodb").describe_table(TableName=name)["Table"]["LatestStreamArn"]
    streams = client(server, "dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    return streams, streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]


def read(streams: Any, iterator: str) -> tuple[list[str], str]:
    response = streams.get_records(ShardIterator=iterator)
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in response["Records"]]
    return keys, response["NextShardIterator"]


def test_a_cancelled_transaction_undoes_its_items_in_the_same_table(server: LocalAwsServer,
                                                                    table: str) -> None:
    dynamodb = client(server, "dynamodb")
    dynamodb.transact_write_items(TransactItems=[put(table, "taken"), put(table, "blocker"),
                                                 add_one(table, "counter")])
    live_table = dynamodb_backends[ACCOUNT][REGION].tables[table]

    with pytest.raises(ClientError) as cancelled:
        dynamodb.transact_write_items(TransactItems=[
            add_one(table, "counter"), put(table, "new"), {"Delete": {
                "TableName": table, "Key": {"pk": {"S": "taken"}}}},
            put(table, "blocker", **must_not_exist())])
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"

    assert dynamodb_backends[ACCOUNT][REGION].tables[table] is live_table
    items = {i["pk"]["S"]: i for i in dynamodb.scan(TableName=table)["Items"]}
    assert set(items) == {"taken", "blocker", "counter"}
    assert items["counter"]["n"] == {"N": "1"}


def test_a_reader_keeps_hearing_the_stream_after_a_cancelled_transaction(
        server: LocalAwsServer, table: str) -> None:
    dynamodb = client(server, "dynamodb")
    streams, iterator = stream_reader(server, table)
    dynamodb.transact_write_items(TransactItems=[put(table, "first")])
    seen, iterator = read(streams, iterator)
    assert seen == ["first"]

    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[
            put(table, "never"), put(table, "first", **must_not_exist())])
    dynamodb.transact_write_items(TransactItems=[put(table, "second")])

    seen, _ = read(streams, iterator)
    assert seen == ["second"]  # nothing from the cancelled transaction, and not deaf


def mapped_function(server: LocalAwsServer, table: str) -> str:
    """A Lambda function subscribed to the table's stream, as `chalice deploy` subscribes one."""
    import io
    import zipfile

    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    role = client(server, "iam").create_role(
        RoleName=f"r-{table}"[:64], AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    lambdas = client(server, "lambda")
    function = lambdas.create_function(
        FunctionName=f"f-{table}"[:64], Runtime="python3.13", Handler="handler.handle",
        Role=role["Role"]["Arn"], Code={"ZipFile": code.getvalue()})["FunctionArn"]
    stream = client(server, "dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    lambdas.create_event_source_mapping(EventSourceArn=stream, FunctionName=function,
                                        StartingPosition="TRIM_HORIZON")
    return str(function)


def test_a_write_runs_no_mapped_function_and_the_stream_keeps_its_records(
        server: LocalAwsServer, table: str) -> None:
    mapped_function(server, table)
    streams, iterator = stream_reader(server, table)
    dynamodb = client(server, "dynamodb")

    dynamodb.put_item(TableName=table, Item={"pk": {"S": "one"}})
    dynamodb.transact_write_items(TransactItems=[put(table, "two")])

    seen, _ = read(streams, iterator)
    assert seen == ["one", "two"]  # moto ran the function (Docker) and emptied the stream


def test_a_transaction_copies_the_items_it_touches_not_the_table(server: LocalAwsServer,
                                                                 table: str) -> None:
    dynamodb = client(server, "dynamodb")
    for start in range(0, 2000, 100):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": f"item-{n}"}, "body": {"S": "x" * 500}}}}
            for n in range(start, start + 100)])
    backend = dynamodb_backends[ACCOUNT][REGION]
    doomed = [add_one(table, "item-1"), put(table, "item-2", **must_not_exist())]
    with pytest.raises(Exception, match="TransactionCanceled"):
        backend.transact_write_items(doomed)  # once first: moto imports its parsers lazily

    peaks = []
    for _ in range(3):  # the least of three: another thread may allocate meanwhile
        tracemalloc.start()
        try:
            with pytest.raises(Exception, match="TransactionCanceled"):
                backend.transact_write_items(doomed)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    peak = min(peaks)
    # The table holds over 1 MB; a deep copy of it allocated several times that.
    assert peak < 200_000


def test_the_stream_keeps_a_bounded_window_and_old_iterators_still_read(
        server: LocalAwsServer, table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto_parity, "STREAM_RECORDS_KEPT", 10)
    monkeypatch.setattr(moto_parity, "_TRIM_EVERY", 5)
    dynamodb = client(server, "dynamodb")
    streams, oldest = stream_reader(server, table)
    for n in range(40):
        dynamodb.put_item(TableName=table, Item={"pk": {"S": f"k{n:02}"}})

    shard = dynamodb_backends[ACCOUNT][REGION].tables[table].stream_shard
    assert shard is not None and len(shard.items) < 15
    seen, iterator = read(streams, oldest)  # from before the window: its oldest record on
    assert seen == [f"k{n:02}" for n in range(40 - len(seen), 40)]
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "after"}})
    assert read(streams, iterator)[0] == ["after"]


def test_shard_iterators_expire(server: LocalAwsServer, table: str,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    streams, iterator = stream_reader(server, table)
    for _ in range(20):
        _, iterator = read(streams, iterator)
    backend = dynamodbstreams_backends[ACCOUNT][REGION]
    assert len(backend.shard_iterators) >= 20
    monkeypatch.setattr(moto_parity, "ITERATOR_LIFETIME_SECONDS", 0)
    read(streams, iterator)
    assert len(backend.shard_iterators) <= 1


def test_a_repeated_client_request_token_answers_without_applying_again(
        server: LocalAwsServer, table: str) -> None:
    dynamodb = client(server, "dynamodb")
    items = [add_one(table, "counter"), put(table, "once", **must_not_exist())]
    dynamodb.transact_write_items(TransactItems=items, ClientRequestToken="token-1")
    dynamodb.transact_write_items(TransactItems=items, ClientRequestToken="token-1")
    counter = dynamodb.get_item(TableName=table, Key={"pk": {"S": "counter"}})["Item"]
    assert counter["n"] == {"N": "1"}

    with pytest.raises(ClientError) as mismatch:
        dynamodb.transact_write_items(TransactItems=[add_one(table, "counter")],
                                      ClientRequestToken="token-1")
    assert mismatch.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"


def test_a_cancelled_transaction_is_applied_afresh_on_retry(server: LocalAwsServer,
                                                           table: str) -> None:
    dynamodb = client(server, "dynamodb")
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "blocker"}})
    items = [put(table, "blocker", **must_not_exist())]
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=items, ClientRequestToken="token-2")
    dynamodb.delete_item(TableName=table, Key={"pk": {"S": "blocker"}})
    dynamodb.transact_write_items(TransactItems=items, ClientRequestToken="token-2")
    assert "Item" in dynamodb.get_item(TableName=table, Key={"pk": {"S": "blocker"}})


def control(server: LocalAwsServer, method: str, body: Any = None) -> Any:
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/_frontdesk/faults",
                                     method=method, data=json.dumps(body).encode() if body else None)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_a_transaction_retried_after_a_read_timeout_succeeds_once(server: LocalAwsServer,
                                                                  table: str) -> None:
    """botocore times out, retries with the same token; DynamoDB (and now the
    local AWS) answers the retry with the first success."""
    control(server, "POST", {"rules": [{"service": "dynamodb", "kind": "stall", "stallSeconds": 1.0,
                                        "operations": ["TransactWriteItems"], "count": 1}]})
    impatient = client(server, "dynamodb", read_timeout=0.3,
                       retries={"mode": "standard", "max_attempts": 3})
    impatient.transact_write_items(TransactItems=[add_one(table, "counter"),
                                                  put(table, "created", **must_not_exist())])
    assert control(server, "GET")["injected"] == {"dynamodb.stall": 1}
    counter = impatient.get_item(TableName=table, Key={"pk": {"S": "counter"}})["Item"]
    assert counter["n"] == {"N": "1"}


@pytest.mark.parametrize("kind,code", [("throttle", "ThrottlingException"),
                                       ("error", "InternalServerError")])
def test_dynamodb_faults_answer_as_dynamodb_does(server: LocalAwsServer, table: str, kind: str,
                                                 code: str) -> None:
    control(server, "POST", {"seed": 1, "rules": [{"service": "dynamodb", "kind": kind}]})
    once = client(server, "dynamodb", retries={"mode": "standard", "total_max_attempts": 1})
    with pytest.raises(ClientError) as failed:
        once.get_item(TableName=table, Key={"pk": {"S": "x"}})
    assert failed.value.response["Error"]["Code"] == code
    control(server, "DELETE")
    assert "Item" not in once.get_item(TableName=table, Key={"pk": {"S": "x"}})


def test_a_share_of_calls_fails_repeatably_for_a_seed(server: LocalAwsServer, table: str) -> None:
    once = client(server, "dynamodb", retries={"mode": "standard", "total_max_attempts": 1})

    def outcomes() -> list[bool]:
        control(server, "POST", {"seed": 42, "rules": [{"service": "dynamodb", "kind": "throttle",
                                                        "share": 0.3}]})
        results = []
        for _ in range(60):
            try:
                once.get_item(TableName=table, Key={"pk": {"S": "x"}})
                results.append(True)
            except ClientError:
                results.append(False)
        return results

    first = outcomes()
    assert 8 <= first.count(False) <= 30
    assert outcomes() == first


def test_ses_throttling_is_the_ses_error(server: LocalAwsServer) -> None:
    control(server, "POST", {"rules": [{"service": "ses", "kind": "throttle",
                                        "operations": ["SendEmail"]}]})
    try:
        ses = client(server, "ses", retries={"mode": "standard", "total_max_attempts": 1})
        ses.verify_email_identity(EmailAddress="from@example.com")  # another operation: untouched
        with pytest.raises(ClientError) as failed:
            ses.send_email(Source="from@example.com", Destination={"ToAddresses": ["a@example.com"]},
                           Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
        assert failed.value.response["Error"]["Code"] == "Throttling"
    finally:
        control(server, "DELETE")


def test_an_invalid_fault_rule_is_refused(server: LocalAwsServer) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        control(server, "POST", {"rules": [{"service": "s3", "kind": "throttle"}]})
    assert refused.value.code == 400


def test_the_stream_pump_carries_on_after_its_iterator_expired(
        server: LocalAwsServer, table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    from devstack.triggers import StreamPump

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.port}")
    session = boto3.Session(aws_access_key_id="local", aws_secret_access_key="local",
                            region_name=REGION)
    forwarded: list[str] = []
    pump = StreamPump(session, table, lambda event: forwarded.extend(
        r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]))
    dynamodb = client(server, "dynamodb")
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "before"}})
    pump.poll_once()
    dynamodbstreams_backends[ACCOUNT][REGION].shard_iterators.clear()  # all expired
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "after"}})
    pump.poll_once()
    assert forwarded == ["before", "after"]
