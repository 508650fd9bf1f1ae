"""Counters spread over shards: no single hot item, counts still exact, and
the conflict and throttling paths on the counter writes actually run.

Faults come from a fake client wrapped around the real (moto) one: it fails the
first calls that touch a counters shard the way DynamoDB does, then lets calls
through."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.api.users import UsersApi
from chalicelib.audit.entry import Actor
from chalicelib.audit.log import AuditLog
from chalicelib.contact.store import MessageStore
from chalicelib.core.domain_errors import DependencyUnavailable
from chalicelib.core.idempotency import IdempotencyStore
from chalicelib.db import keys
from chalicelib.db.counters import SHARDS, counter_update, read_counters
from chalicelib.db.items import to_item
from chalicelib.db.table import PK
from chalicelib.http.error_map import api_error_of
from chalicelib.users.model import UserCreate
from chalicelib.users.store import UserStore
from tests.conftest import LocalAws
from tests.contact.conftest import VALID


def is_counter_item(entry: dict[str, Any]) -> bool:
    key = next(iter(entry.values())).get("Key", {})
    return str(key.get(PK, {}).get("S", "")).startswith("STATS")


class FlakyDynamoDB:
    """The real client, except that the next `times` transactions touching a
    counters shard fail with `failure` (a reason code inside a cancellation, or
    a top-level error code), and BatchGetItem can leave keys unprocessed."""

    def __init__(self, real: Any, failure: str = "TransactionConflict", times: int = 0,
                 unprocessed_reads: int = 0) -> None:
        self._real = real
        self.failure = failure
        self.times = times
        self.unprocessed_reads = unprocessed_reads
        self.failed = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def transact_write_items(self, **kwargs: Any) -> Any:
        items = kwargs["TransactItems"]
        if self.times and any(is_counter_item(item) for item in items):
            self.times -= 1
            self.failed += 1
            if self.failure in ("TransactionConflict", "ThrottlingError"):
                reasons = [{"Code": self.failure if is_counter_item(i) else "None"} for i in items]
                raise ClientError({"Error": {"Code": "TransactionCanceledException",
                                             "Message": "Transaction cancelled"},
                                   "CancellationReasons": reasons}, "TransactWriteItems")
            raise ClientError({"Error": {"Code": self.failure, "Message": "Rate exceeded"},
                               "ResponseMetadata": {"HTTPStatusCode": 400}}, "TransactWriteItems")
        return self._real.transact_write_items(**kwargs)

    def batch_get_item(self, **kwargs: Any) -> Any:
        if not self.unprocessed_reads:
            return self._real.batch_get_item(**kwargs)
        self.unprocessed_reads -= 1
        ((table, request),) = kwargs["RequestItems"].items()
        first, rest = request["Keys"][:1], request["Keys"][1:]
        answer = self._real.batch_get_item(RequestItems={table: {**request, "Keys": first}})
        answer["UnprocessedKeys"] = {table: {**request, "Keys": rest}} if rest else {}
        return answer


@pytest.fixture
def dynamodb(local_aws: LocalAws, fresh_table: str) -> Any:
    return local_aws.session.client("dynamodb")


def everything(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    return list(dynamodb.scan(TableName=table, ConsistentRead=True)["Items"])


def kinds(dynamodb: Any, table: str) -> list[str]:
    return sorted(item["pk"]["S"].split("#")[0] for item in everything(dynamodb, table)
                  if not item["pk"]["S"].startswith("STATS"))


def test_writes_spread_over_the_shards_and_the_sum_stays_exact(dynamodb: Any,
                                                               fresh_table: str) -> None:
    store = UserStore(dynamodb, fresh_table)
    users = [store.create(UserCreate(name=f"User {n}", email=f"u{n}@example.com"))
             for n in range(30)]
    for user in users[:7]:
        store.delete(user.id)
    shards = [i for i in everything(dynamodb, fresh_table) if i["pk"]["S"].startswith("STATS")]
    assert len(shards) > 1  # 37 writes on one of 10 shards each: never all on one
    assert {s["pk"]["S"] for s in shards} <= {keys.stats_shard(n)[PK] for n in range(SHARDS)}
    assert read_counters(dynamodb, fresh_table)["users"] == 23


def test_counts_kept_in_the_single_stats_item_before_sharding_still_count(
        dynamodb: Any, fresh_table: str) -> None:
    dynamodb.put_item(TableName=fresh_table, Item=to_item({**keys.STATS, "users": 5,
                                                           "messagesNew": 2}))
    dynamodb.transact_write_items(TransactItems=[counter_update(fresh_table, shard=7, users=1)])
    counts = read_counters(dynamodb, fresh_table)
    assert counts["users"] == 6 and counts["messagesNew"] == 2 and counts["messagesRead"] == 0


@pytest.mark.parametrize("failure", ["TransactionConflict", "ThrottlingError"])
def test_a_create_whose_counter_write_conflicts_succeeds_after_retry(
        dynamodb: Any, fresh_table: str, failure: str) -> None:
    flaky = FlakyDynamoDB(dynamodb, failure, times=3)
    user = UserStore(flaky, fresh_table).create(UserCreate(name="Patient", email="p@example.com"))
    assert flaky.failed == 3
    assert UserStore(dynamodb, fresh_table).get(user.id) == user
    assert kinds(dynamodb, fresh_table) == ["EMAIL", "USER"]
    assert read_counters(dynamodb, fresh_table)["users"] == 1


@pytest.mark.parametrize("failure,times", [("TransactionConflict", 100), ("ThrottlingError", 100),
                                           ("ThrottlingException", 1),
                                           ("ProvisionedThroughputExceededException", 1)])
def test_a_create_that_keeps_failing_is_503_with_nothing_half_done(
        dynamodb: Any, fresh_table: str, failure: str, times: int) -> None:
    flaky = FlakyDynamoDB(dynamodb, failure, times=times)
    api = UsersApi(UserStore(flaky, fresh_table), IdempotencyStore(flaky, fresh_table))
    admin = AuditLog(flaky, fresh_table).by(Actor("admin-sub"), "request-1")
    with pytest.raises(DependencyUnavailable) as refused:
        api.create({"name": "Unlucky", "email": "u@example.com"}, "retry-me-later-1", admin)
    answer = api_error_of(refused.value)
    assert answer.status == 503 and answer.headers["Retry-After"]
    assert flaky.failed == min(times, 5)  # transactions are retried 5 times, throttles not
    assert everything(dynamodb, fresh_table) == []  # no user, claim, record, count or entry
    # The same key later, once the fault clears: created once, as if first sent now.
    api = UsersApi(UserStore(dynamodb, fresh_table), IdempotencyStore(dynamodb, fresh_table))
    admin = AuditLog(dynamodb, fresh_table).by(Actor("admin-sub"), "request-2")
    assert api.create({"name": "Unlucky", "email": "u@example.com"},
                      "retry-me-later-1", admin).status_code == 201
    assert read_counters(dynamodb, fresh_table)["users"] == 1


def test_message_writes_retry_their_counter_conflicts(dynamodb: Any, fresh_table: str) -> None:
    flaky = FlakyDynamoDB(dynamodb, "TransactionConflict", times=2)
    messages = MessageStore(flaky, fresh_table)
    stored = messages.create(dict(VALID), None)
    flaky.times = 2
    messages.set_status(stored["id"], "read")
    counts = read_counters(dynamodb, fresh_table)
    assert (counts["messagesNew"], counts["messagesRead"], counts["notificationsPending"]) == (0, 1, 1)
    flaky.times = 100
    with pytest.raises(DependencyUnavailable):
        messages.delete(stored["id"])
    assert MessageStore(dynamodb, fresh_table).get(stored["id"]).status == "read"
    assert read_counters(dynamodb, fresh_table)["messagesRead"] == 1


def test_a_read_with_unprocessed_shards_asks_again_and_sums_them_all(
        dynamodb: Any, fresh_table: str) -> None:
    for shard in range(SHARDS):
        dynamodb.transact_write_items(
            TransactItems=[counter_update(fresh_table, shard=shard, users=1)])
    assert read_counters(FlakyDynamoDB(dynamodb, unprocessed_reads=3), fresh_table)["users"] == SHARDS
    with pytest.raises(DependencyUnavailable):
        read_counters(FlakyDynamoDB(dynamodb, unprocessed_reads=100), fresh_table)
