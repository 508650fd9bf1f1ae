"""The limiter and idempotency records against a controllable clock."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.contact.store import MessageStore
from chalicelib.core.domain_errors import IdempotencyKeyReused, KeyInUse, RateExceeded
from chalicelib.core.idempotency import IdempotencyStore, IdempotentRequest
from chalicelib.db.rate_limit import RateLimiter
from tests.conftest import LocalAws


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def epoch(self) -> float:
        return self.now.timestamp()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limiter(local_aws: LocalAws, fresh_table: str, clock: Clock) -> RateLimiter:
    return RateLimiter(local_aws.session.client("dynamodb"), fresh_table, scope="contact", limit=3,
                       window_seconds=600, clock=clock.epoch)


def test_the_limit_is_per_client_ip(limiter: RateLimiter) -> None:
    for _ in range(3):
        limiter.hit("198.51.100.1")
    with pytest.raises(RateExceeded) as refused:
        limiter.hit("198.51.100.1")
    assert refused.value.retry_after_seconds == 600
    limiter.hit("198.51.100.2")  # another client is unaffected


def test_the_limit_resets_with_the_next_window(limiter: RateLimiter, clock: Clock) -> None:
    for _ in range(3):
        limiter.hit("198.51.100.1")
    clock.now += timedelta(seconds=450)
    with pytest.raises(RateExceeded) as refused:
        limiter.hit("198.51.100.1")
    assert refused.value.retry_after_seconds == 150
    clock.now += timedelta(seconds=150)
    limiter.hit("198.51.100.1")


def test_limiter_counters_expire_by_ttl(limiter: RateLimiter, local_aws: LocalAws,
                                        fresh_table: str, clock: Clock) -> None:
    limiter.hit("198.51.100.1")
    items = local_aws.session.client("dynamodb").scan(TableName=fresh_table)["Items"]
    (counter,) = [i for i in items if i["pk"]["S"].startswith("RATE#")]
    assert "198.51.100.1" not in str(counter)  # the address is hashed
    assert int(counter["expiresAt"]["N"]) > clock.epoch()


def test_idempotency_keys_expire_after_24_hours(local_aws: LocalAws, fresh_table: str,
                                                clock: Clock) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    store = MessageStore(dynamodb, fresh_table, clock=clock)
    keys = IdempotencyStore(dynamodb, fresh_table, clock=clock)
    fields = {"name": "Ada", "email": "ada@example.com", "message": "Hi"}
    request = IdempotentRequest("POST /contact", "key-12345678", fields)
    first = store.create(fields, request)
    assert keys.replay(request) == first
    with pytest.raises(IdempotencyKeyReused):
        keys.replay(IdempotentRequest("POST /contact", "key-12345678", {**fields, "message": "Other"}))
    assert keys.replay(IdempotentRequest("POST /users", "key-12345678", fields)) is None
    clock.now += timedelta(hours=24, seconds=1)
    # TTL may not have deleted the record yet; it is expired all the same.
    assert keys.replay(request) is None
    second = store.create(fields, request)
    assert second["id"] != first["id"]


def test_a_charge_refused_in_the_storing_transaction_stores_nothing(
        local_aws: LocalAws, fresh_table: str, clock: Clock) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    store = MessageStore(dynamodb, fresh_table, clock=clock)
    limiter = RateLimiter(dynamodb, fresh_table, scope="contact", limit=2, window_seconds=600,
                          clock=clock.epoch)
    fields = {"name": "Ada", "email": "ada@example.com", "message": "Hi"}
    for _ in range(2):
        assert store.create(fields, None, limiter.charge("198.51.100.7"))["id"]
    with pytest.raises(RateExceeded):
        store.create(fields, None, limiter.charge("198.51.100.7"))
    page, _ = store.list(status="new", limit=10)
    assert len(page) == 2


def test_concurrent_replays_store_once_and_count_once(
        local_aws: LocalAws, fresh_table: str, clock: Clock) -> None:
    import threading

    dynamodb = local_aws.session.client("dynamodb")
    store = MessageStore(dynamodb, fresh_table, clock=clock)
    limiter = RateLimiter(dynamodb, fresh_table, scope="contact", limit=3, window_seconds=600,
                          clock=clock.epoch)
    fields = {"name": "Ada", "email": "ada@example.com", "message": "Hi"}
    keys = IdempotencyStore(dynamodb, fresh_table, clock=clock)
    request = IdempotentRequest("POST /contact", "same-key-123", fields)
    start = threading.Barrier(8)
    stored: list[dict[str, Any]] = []
    replayed: list[dict[str, Any]] = []

    def submit() -> None:
        start.wait()
        try:
            stored.append(store.create(fields, request, limiter.charge("198.51.100.8")))
        except KeyInUse:
            replayed.append(keys.replay_raced(request))

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stored) == 1 and len(replayed) == 7
    assert {answer["id"] for answer in stored + replayed} == {stored[0]["id"]}
    for _ in range(2):  # only the one stored submission used the budget of 3
        limiter.hit("198.51.100.8")
    with pytest.raises(RateExceeded):
        limiter.hit("198.51.100.8")
