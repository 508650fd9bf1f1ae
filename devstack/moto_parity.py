"""What moto's DynamoDB lacks for a stack that runs all day, patched in one place.

moto 5.2 (CHALICE-NOTES, "moto under sustained writes"):
- TransactWriteItems deep-copies every table it touches before applying, and
  on failure puts the copies back in place of the live tables. Memory and time
  grow with the table; a stream reader holding the old table's shard goes deaf.
- Records written by a cancelled transaction stay in the stream (DynamoDB
  never emits them).
- Stream records and shard iterators are kept forever.
- A write to a table whose stream is mapped to a Lambda function runs that
  function inside the write, through Docker, and empties the stream.
- A Query whose key condition is `BETWEEN :low AND :high` with low above high
  returns nothing; DynamoDB refuses it with a ValidationException, which an
  app would answer as a 500. Here it is refused with DynamoDB's message.

Here a transaction keeps an undo journal of the items it touches (a copy of
each, before it changes) and, on failure, puts those items back into the same
table object and drops the stream records it wrote. The stream keeps a bounded
window of records, and iterators expire as DynamoDB's do (15 minutes).
Requests are already applied one at a time (devstack/moto_server.py), so the
journal needs no lock.
"""
from __future__ import annotations

import copy
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamRecord, StreamShard, Table
from moto.dynamodbstreams.models import DynamoDBStreamsBackend

from devstack import cloudformation, moto_apigateway, moto_s3

# DynamoDB keeps stream records 24 hours; a local stack keeps the newest ones,
# which at local write rates is far more than any reader lags behind.
STREAM_RECORDS_KEPT = 10_000
_TRIM_EVERY = 1_000  # trim in batches: deleting from a list's head is O(n)
ITERATOR_LIFETIME_SECONDS = 15 * 60

TRANSACT_OPERATIONS = ("ConditionCheck", "Put", "Delete", "Update")


@dataclass
class _UndoJournal:
    """Items as they were before a transaction touched them, and where each
    touched table's stream ended."""
    items: list[tuple[Table, DynamoType, DynamoType | None, Item | None]] = field(default_factory=list)
    stream_ends: dict[int, tuple[StreamShard, int]] = field(default_factory=dict)

    def remember(self, table: Table, hash_value: DynamoType, range_value: DynamoType | None,
                 current: Item | None) -> None:
        self.items.append((table, hash_value, range_value, copy.deepcopy(current)))
        shard = table.stream_shard
        if shard is not None and id(shard) not in self.stream_ends:
            self.stream_ends[id(shard)] = (shard, shard.starting_sequence_number + len(shard.items))

    def undo(self) -> None:
        for table, hash_value, range_value, before in reversed(self.items):
            _put_back(table, hash_value, range_value, before)
        for shard, end in self.stream_ends.values():
            del shard.items[max(end - shard.starting_sequence_number, 0):]


def _put_back(table: Table, hash_value: DynamoType, range_value: DynamoType | None,
              before: Item | None) -> None:
    if range_value is None:
        if before is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = before  # type: ignore[assignment]
        return
    bucket = table.items[hash_value]
    if before is None:
        bucket.pop(range_value, None)
        if not bucket:
            del table.items[hash_value]
    else:
        bucket[range_value] = before


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto's TransactWriteItems (same checks, same errors), undone by journal."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    journal = _UndoJournal()
    targets: set[tuple[str, str]] = set()
    errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        original_item: dict[str, Any] | None = None
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in TRANSACT_OPERATIONS:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            table = self.get_table(table_name)
            if op_type == "Put":
                key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = op["Item"][table.range_key_attr]
            else:
                key = op["Key"]
            target = (str(table_name), str(dict(sorted(key.items()))))
            if target in targets:
                raise MultipleTransactionsException()
            targets.add(target)

            hash_value, range_value = self.get_keys_value(table, key)
            current = table.get_item(hash_value, range_value)
            journal.remember(table, hash_value, range_value, current)
            names = op.get("ExpressionAttributeNames")
            values = op.get("ExpressionAttributeValues")
            condition = op.get("ConditionExpression")
            if condition is not None and \
                    not get_filter_expression(condition, names, values).expr(current):
                if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                    original_item = current.to_json()["Attributes"]
                raise ConditionalCheckFailed(item=original_item)
            conditions = {"condition_expression": condition, "expression_attribute_names": names,
                          "expression_attribute_values": values}
            if op_type == "Put":
                self.put_item(table_name, op["Item"], **conditions)
            elif op_type == "Delete":
                self.delete_item(table_name, key, **conditions)
            elif op_type == "Update":
                self.update_item(table_name, key, update_expression=op["UpdateExpression"],
                                 **conditions)
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            journal.undo()
            raise
        except ConditionalCheckFailed as error:
            errors.append(("ConditionalCheckFailed", str(error.message), original_item))
        except Exception as error:  # moto reports any other failure as that item's reason
            errors.append((type(error).__name__, str(error), original_item))
    if any(code is not None for code, _, _ in errors):
        journal.undo()
        raise TransactionCanceledException(errors)


def _add_and_trim(self: StreamShard, old: Item | None, new: Item | None) -> None:
    # moto's add also runs every Lambda function mapped to the stream inside
    # the write (through Docker), and empties the stream when that answers
    # anything, "error running docker" included. DynamoDB never runs a function
    # inside a write; Lambda's poller reads the stream on its own. So a record
    # is only recorded here, for whoever reads the stream.
    view = str(self.table.stream_specification["StreamViewType"])  # type: ignore[index]
    event = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    self.items.append(StreamRecord(self.table, view, event, old, new,
                                   self.starting_sequence_number + len(self.items)))
    excess = len(self.items) - STREAM_RECORDS_KEPT
    if excess >= _TRIM_EVERY:
        del self.items[:excess]
        # Sequence numbers stay what they were: the window's start moves up.
        self.starting_sequence_number += excess


def _get_within_window(self: StreamShard, start: int, quantity: int) -> list[dict[str, Any]]:
    # An iterator older than the window reads from its oldest record, as
    # TRIM_HORIZON would (moto asserts instead: a 500 for the reader).
    offset = max(start - self.starting_sequence_number, 0)
    return [record.to_json() for record in self.items[offset:offset + quantity]]


_original_get_shard_iterator = DynamoDBStreamsBackend.get_shard_iterator
_original_get_records = DynamoDBStreamsBackend.get_records


def _iterator_births(backend: DynamoDBStreamsBackend) -> OrderedDict[str, float]:
    births: OrderedDict[str, float] | None = getattr(backend, "_frontdesk_births", None)
    if births is None:
        births = OrderedDict()
        backend._frontdesk_births = births  # type: ignore[attr-defined]
    return births


def _expire_iterators(backend: DynamoDBStreamsBackend) -> None:
    """Register iterators created since the last call; forget those past their lifetime."""
    births = _iterator_births(backend)
    now = time.monotonic()
    for arn in backend.shard_iterators.keys() - births.keys():
        births[arn] = now
    while births:
        arn, born = next(iter(births.items()))
        if now - born < ITERATOR_LIFETIME_SECONDS:
            break
        births.popitem(last=False)
        backend.shard_iterators.pop(arn, None)


def _get_shard_iterator(self: DynamoDBStreamsBackend, *args: Any, **kwargs: Any) -> Any:
    iterator = _original_get_shard_iterator(self, *args, **kwargs)
    _expire_iterators(self)
    return iterator


def _get_records(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
    if iterator_arn not in self.shard_iterators:  # moto: KeyError, a 500
        raise JsonRESTError("ExpiredIteratorException", "Iterator expired.")
    records: dict[str, Any] = _original_get_records(self, iterator_arn, limit)
    _expire_iterators(self)
    return records


_original_query = DynamoDBBackend.query


def _operand(value: DynamoType) -> str:
    return f"AttributeValue: {{{value.type}:{value.value}}}"


def _query(self: DynamoDBBackend, table_name: str, hash_key_dict: dict[str, Any] | None,
           range_comparison: str | None, range_value_dicts: list[dict[str, Any]],
           *args: Any, **kwargs: Any) -> Any:
    """moto's Query, refusing a BETWEEN whose bounds are the wrong way round."""
    conditions = kwargs.get("range_key_conditions") or [("", range_comparison or "",
                                                         range_value_dicts)]
    for _name, comparison, values in conditions:
        if comparison.upper() != "BETWEEN" or len(values) != 2:
            continue
        low, high = DynamoType(values[0]), DynamoType(values[1])
        if low.type == high.type and low > high:
            raise MockValidationException(
                "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to "
                "be greater than or equal to lower bound; lower bound operand: "
                f"{_operand(low)}, upper bound operand: {_operand(high)}")
    return _original_query(self, table_name, hash_key_dict, range_comparison,
                           range_value_dicts, *args, **kwargs)


def install() -> None:
    """Patch moto's classes (every backend, every account and region). Idempotent."""
    cloudformation.install()  # the resource types infra/resources.yaml uses
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    DynamoDBBackend.query = _query  # type: ignore[method-assign]
    StreamShard.add = _add_and_trim  # type: ignore[method-assign]
    StreamShard.get = _get_within_window  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_shard_iterator = _get_shard_iterator  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_records = _get_records  # type: ignore[method-assign]
    moto_apigateway.install()
    moto_s3.install()
