"""What AWS would trigger for a deployed stage, done locally: the table's
stream invokes the notifier, and a ticker stands in for the EventBridge
schedule. Records are read from moto's real DynamoDB stream and handed to the
app's own handlers (`app.handler_map`), shaped like Lambda's stream events.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from chalice import Chalice
from chalice.local import LambdaContext

log = logging.getLogger("frontdesk.devstack")


def invoke(app: Chalice, function_name: str, event: dict[str, Any]) -> Any:
    return app.handler_map[function_name](event, LambdaContext(function_name, memory_size=128))


def scheduled_event() -> dict[str, Any]:
    """What EventBridge sends a scheduled function."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
            "source": "aws.events", "account": "000000000000",
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:000000000000:rule/local"], "detail": {}}


# Lambda's batch size for the notifier (app.py, notify_owner): records are
# handed over ten at a time, as deployed.
BATCH_SIZE = 10


class StreamPump:
    """Reads a DynamoDB table's stream from the start and forwards new records."""

    def __init__(self, session: Any, table_name: str,
                 handler: Callable[[dict[str, Any]], Any], *, batch_size: int = BATCH_SIZE,
                 stopping: threading.Event | None = None) -> None:
        self._batch_size = batch_size
        self._stopping = stopping or threading.Event()
        self._dynamodb = session.client("dynamodb")
        self._streams = session.client("dynamodbstreams")
        self._table = table_name
        self._handler = handler
        self._stream_arn: str | None = None
        self._iterators: dict[str, str] = {}
        self._last_sequence: dict[str, str] = {}

    def poll_once(self) -> int:
        """Forward whatever arrived since the last poll; returns how many records."""
        arn = self._dynamodb.describe_table(TableName=self._table)["Table"]["LatestStreamArn"]
        if arn != self._stream_arn:  # first poll, or the table was recreated
            self._stream_arn, self._iterators, self._last_sequence = arn, {}, {}
        shards = self._streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        forwarded = 0
        for shard in shards:
            shard_id = shard["ShardId"]
            try:
                response = self._streams.get_records(
                    ShardIterator=self._iterators.get(shard_id) or self._new_iterator(arn, shard_id))
            except ClientError:
                # An iterator lives 15 minutes (a laptop asleep outlives it):
                # carry on after the last record forwarded.
                response = self._streams.get_records(ShardIterator=self._new_iterator(arn, shard_id))
            self._iterators[shard_id] = response["NextShardIterator"]
            records = [self._as_lambda_record(record, arn) for record in response["Records"]]
            for start in range(0, len(records), self._batch_size):
                if self._stopping.is_set():  # a backlog must not hold up Ctrl-C
                    return forwarded
                batch = records[start:start + self._batch_size]
                try:
                    self._handler({"Records": batch})
                except Exception:
                    # As Lambda does: the batch again, from its first record, next time.
                    self._iterators.pop(shard_id, None)
                    raise
                self._last_sequence[shard_id] = batch[-1]["dynamodb"]["SequenceNumber"]
                forwarded += len(batch)
        return forwarded

    def _new_iterator(self, arn: str, shard_id: str) -> str:
        last = self._last_sequence.get(shard_id)
        position: dict[str, str] = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                                     "SequenceNumber": last} if last
                                    else {"ShardIteratorType": "TRIM_HORIZON"})
        return str(self._streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                                    **position)["ShardIterator"])

    @staticmethod
    def _as_lambda_record(record: dict[str, Any], arn: str) -> dict[str, Any]:
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):  # boto3 parsed it; Lambda sends epoch seconds
            dynamodb["ApproximateCreationDateTime"] = created.timestamp()
        dynamodb.setdefault("SizeBytes", 0)
        dynamodb.setdefault("StreamViewType", "NEW_AND_OLD_IMAGES")
        lambda_record = {**record, "dynamodb": dynamodb, "eventSourceARN": arn}
        identity = record.get("userIdentity")
        if identity:  # GetRecords' PrincipalId and Type, as Lambda's event spells them
            lambda_record["userIdentity"] = {"type": identity.get("Type"),
                                             "principalId": identity.get("PrincipalId")}
        return lambda_record


class Triggers:
    """Background threads: poll the stream often, run the schedule now and then."""

    def __init__(self, app: Chalice, session: Any, table_name: str, *,
                 poll_seconds: float = 0.5, schedule_seconds: float = 30) -> None:
        self._stop = threading.Event()
        self._pump = StreamPump(session, table_name,
                                lambda event: invoke(app, "notify_owner", event),
                                stopping=self._stop)
        self._app = app
        self._threads = [
            threading.Thread(target=self._every, args=(poll_seconds, self._pump.poll_once), daemon=True),
            threading.Thread(target=self._every, args=(schedule_seconds, self._tick), daemon=True),
        ]

    def _tick(self) -> None:
        invoke(self._app, "retry_notifications", scheduled_event())

    def _every(self, seconds: float, action: Callable[[], Any]) -> None:
        while not self._stop.wait(seconds):
            try:
                action()
            except Exception:
                log.exception("local trigger failed")

    def start(self) -> Triggers:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, wait_seconds: float = 2.0) -> None:
        """Let a delivery under way finish, within `wait_seconds` in all."""
        self._stop.set()
        deadline = time.monotonic() + wait_seconds
        for thread in self._threads:
            thread.join(timeout=max(deadline - time.monotonic(), 0))
