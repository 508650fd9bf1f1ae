"""The settle after a send is the write that must land: a sent delivery whose
settle failed would be sent again once its claim expired. Transient failures
are retried within the claim; anything else is not retried at all."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from chalicelib.contact.notifications import OwnerNotifications
from chalicelib.contact.store import MessageStore
from chalicelib.core.domain_errors import DependencyUnavailable
from chalicelib.db import keys
from chalicelib.db.counters import read_counters
from chalicelib.db.items import from_item, to_item
from chalicelib.db.reads import get_item
from chalicelib.outbox.kind import SENT, Declared, DeliveryKind
from chalicelib.outbox.kinds import request
from chalicelib.outbox.outbox import Deliveries, Outbox
from chalicelib.outbox.timing import SETTLE_CLAIM_MARGIN_SECONDS, SETTLE_RETRY_WAITS
from tests.conftest import MAIL_FROM, OWNER_EMAIL, LocalAws
from tests.support.mail import accepted_mail
from tests.support.metrics import RecordingMetrics


def is_settle(request: dict[str, Any]) -> bool:
    """The write that gives the claim up (the claim itself sets it)."""
    return "REMOVE" in request.get("UpdateExpression", "") and "claim" in request.get(
        "ExpressionAttributeNames", {}).values()


THROTTLED = {"Error": {"Code": "ThrottlingException", "Message": "slow down"},
             "ResponseMetadata": {"HTTPStatusCode": 400}}
INVALID = {"Error": {"Code": "ValidationException", "Message": "no"},
           "ResponseMetadata": {"HTTPStatusCode": 400}}


class SettleFails:
    """The real DynamoDB client, except that the first `times` settle writes
    fail: refused as `error` says (what botocore raises once its own retries
    are spent), or with `applied=True` written and then their answer lost."""

    def __init__(self, client: Any, times: int, *, error: dict[str, Any] = THROTTLED,
                 applied: bool = False) -> None:
        self._client = client
        self._left = times
        self._error = error
        self._applied = applied
        self.settle_writes = 0

    def __getattr__(self, operation: str) -> Any:
        return getattr(self._client, operation)

    def fail_no_more(self) -> None:
        self._left = 0

    def update_item(self, **request: Any) -> Any:
        if is_settle(request):
            return self._settle("update_item", request)
        return self._client.update_item(**request)

    def transact_write_items(self, **request: Any) -> Any:
        if any(is_settle(entry.get("Update", {})) for entry in request["TransactItems"]):
            return self._settle("transact_write_items", request)
        return self._client.transact_write_items(**request)

    def _settle(self, operation: str, request: dict[str, Any]) -> Any:
        self.settle_writes += 1
        if self._left <= 0:
            return getattr(self._client, operation)(**request)
        self._left -= 1
        if self._applied:
            getattr(self._client, operation)(**request)
            raise ReadTimeoutError(endpoint_url="http://dynamodb.local")
        raise ClientError(self._error, operation)


@dataclass
class Clock:
    """The outbox's clock and its sleep: sleeping moves the clock on."""
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def sent_mail(message_id: str) -> list[Any]:
    """What the session's local SES accepted for one message."""
    return [mail for mail in accepted_mail() if f"Message id: {message_id}<" in mail["body"]]


def notifications(local_aws: LocalAws, dynamodb: Any, table: str, clock: Clock,
                  **options: Any) -> Outbox:
    kind = OwnerNotifications(local_aws.session.client("ses"), sender=MAIL_FROM,
                              owner=OWNER_EMAIL)
    return Outbox(dynamodb, table, kind, metrics=RecordingMetrics(), clock=clock,
                  sleep=clock.sleep, **options)


def new_message(local_aws: LocalAws, table: str) -> str:
    store = MessageStore(local_aws.session.client("dynamodb"), table)
    fields = {"name": "Ada", "email": "ada@example.com", "message": "Hello"}
    return str(store.create(fields, None)["id"])


def owner_mail(message_id: str) -> dict[str, str]:
    return keys.delivery(keys.message(message_id), "notification")


def test_a_sent_notification_whose_settle_is_throttled_is_settled_by_retrying_not_mailed_again(
        local_aws: LocalAws, fresh_table: str) -> None:
    message_id = new_message(local_aws, fresh_table)
    dynamodb = SettleFails(local_aws.session.client("dynamodb"), times=4)
    clock = Clock()
    outbox = notifications(local_aws, dynamodb, fresh_table, clock)

    assert outbox.deliver(owner_mail(message_id)) == SENT
    assert clock.slept == list(SETTLE_RETRY_WAITS[:4]) and dynamodb.settle_writes == 5
    stored = get_item(local_aws.session.client("dynamodb"), fresh_table, keys.message(message_id))
    assert stored is not None and stored["notifyStatus"] == "sent"
    delivery = get_item(local_aws.session.client("dynamodb"), fresh_table, owner_mail(message_id))
    assert delivery is not None and delivery["status"] == "sent"
    assert "claim" not in delivery and "gsi2pk" not in delivery
    counters = read_counters(local_aws.session.client("dynamodb"), fresh_table)
    assert counters["notificationsPending"] == 0  # moved once, by the settle that landed

    clock.now += timedelta(hours=2)  # every claim long expired: nothing is due again
    assert outbox.retry_due() == 0
    assert len(sent_mail(message_id)) == 1


def test_settle_retries_end_before_the_claim_does(
        local_aws: LocalAws, fresh_table: str) -> None:
    message_id = new_message(local_aws, fresh_table)
    dynamodb = SettleFails(local_aws.session.client("dynamodb"), times=1000)
    clock = Clock()
    claimed_at = clock.now
    outbox = notifications(local_aws, dynamodb, fresh_table, clock, claim_seconds=10)

    with pytest.raises(DependencyUnavailable):
        outbox.deliver(owner_mail(message_id))
    # Every try started while the claim had its margin left; the next would not have.
    assert clock.now + timedelta(seconds=SETTLE_CLAIM_MARGIN_SECONDS) < claimed_at + timedelta(
        seconds=10)
    assert clock.slept == list(SETTLE_RETRY_WAITS[:len(clock.slept)])
    assert dynamodb.settle_writes == len(clock.slept) + 1 < len(SETTLE_RETRY_WAITS) + 1


def test_settle_retries_go_on_until_the_invocation_has_no_time_left_for_one(
        local_aws: LocalAws, fresh_table: str) -> None:
    message_id = new_message(local_aws, fresh_table)
    dynamodb = SettleFails(local_aws.session.client("dynamodb"), times=1000)
    clock = Clock()
    started = clock.now

    def time_left() -> float:  # a 60 s invocation, started with the delivery
        return 60 - (clock.now - started).total_seconds()

    with pytest.raises(DependencyUnavailable):
        notifications(local_aws, dynamodb, fresh_table, clock).deliver(
            owner_mail(message_id), time_left=time_left)
    waits = len(SETTLE_RETRY_WAITS)
    assert clock.slept[:waits] == list(SETTLE_RETRY_WAITS)
    assert set(clock.slept[waits:]) == {SETTLE_RETRY_WAITS[-1]}  # the last wait repeats
    # It stopped only when one more wait and the call's margin no longer fit.
    assert time_left() <= SETTLE_RETRY_WAITS[-1] + SETTLE_CLAIM_MARGIN_SECONDS < 60 - sum(
        clock.slept[:-1])
    assert dynamodb.settle_writes == len(clock.slept) + 1 > 15


def test_a_delivery_whose_settles_never_land_is_sent_at_most_max_attempts_times_all_counted(
        local_aws: LocalAws, fresh_table: str) -> None:
    """Past the invocation's time the claim expires and the delivery is attempted
    again: each repeat is an attempt on its record, and none goes past the bound."""
    message_id = new_message(local_aws, fresh_table)
    dynamodb = SettleFails(local_aws.session.client("dynamodb"), times=1000)
    clock = Clock()
    outbox = notifications(local_aws, dynamodb, fresh_table, clock, max_attempts=2,
                           claim_seconds=30)
    for attempt in (1, 2):
        with pytest.raises(DependencyUnavailable):
            outbox.deliver(owner_mail(message_id))
        clock.now += timedelta(seconds=30)  # the claim expires
        delivery = get_item(local_aws.session.client("dynamodb"), fresh_table,
                            owner_mail(message_id))
        assert delivery is not None and delivery["attempts"] == attempt
        assert len(sent_mail(message_id)) == attempt
    dynamodb.fail_no_more()
    assert outbox.deliver(owner_mail(message_id)) == "failed"  # not sent a third time
    stored = get_item(local_aws.session.client("dynamodb"), fresh_table, keys.message(message_id))
    assert stored is not None and stored["notifyStatus"] == "failed"
    assert stored["notifyAttempts"] == 3  # the third, which found the bound reached
    assert stored["notifyLastError"] == "Attempts exhausted" and "notifyNextAt" not in stored
    delivery = get_item(local_aws.session.client("dynamodb"), fresh_table, owner_mail(message_id))
    assert delivery is not None and "gsi2pk" not in delivery
    assert len(sent_mail(message_id)) == 2
    counters = read_counters(local_aws.session.client("dynamodb"), fresh_table)
    assert (counters["notificationsPending"], counters["notificationsFailed"]) == (0, 1)


def test_a_settle_refused_for_a_reason_no_retry_fixes_is_not_retried(
        local_aws: LocalAws, fresh_table: str) -> None:
    message_id = new_message(local_aws, fresh_table)
    dynamodb = SettleFails(local_aws.session.client("dynamodb"), times=1, error=INVALID)
    clock = Clock()
    with pytest.raises(ClientError):
        notifications(local_aws, dynamodb, fresh_table, clock).deliver(owner_mail(message_id))
    assert clock.slept == [] and dynamodb.settle_writes == 1


# -- the mechanism, whatever the kind: one without counters (plain UpdateItem) --

POSTCARD = Declared("postcard", "NotificationsSent", "NotificationsFailed")


class Postcards(DeliveryKind, declared=POSTCARD):
    """A delivery kind for these tests, with no summary and no counters:
    sending appends to a list."""

    def __init__(self, on_send: Any = None) -> None:
        self.sent: list[str] = []
        self.settled_as: list[str] = []
        self._on_send = on_send

    def send(self, payload: dict[str, Any]) -> None:
        self.sent.append(str(payload["number"]))
        if self._on_send:
            self._on_send()

    def settled(self, item: dict[str, Any], status: str) -> None:
        self.settled_as.append(status)


def put_postcards(dynamodb: Any, table: str, count: int, due: datetime) -> list[dict[str, str]]:
    postcard_keys = []
    for number in range(count):
        requested = request(POSTCARD, {"pk": f"POSTCARD#{number}", "sk": "POSTCARD"},
                            delivery_id=str(number), due=due.isoformat(),
                            payload={"number": number})
        dynamodb.put_item(TableName=table, Item=to_item(requested.delivery))
        postcard_keys.append({key: requested.delivery[key] for key in ("pk", "sk")})
    return postcard_keys


def test_a_settle_whose_answer_was_lost_counts_as_settled_by_that_try(
        local_aws: LocalAws, fresh_table: str) -> None:
    """Its retry finds its own write in place (the claim gone): settled, not lost."""
    client = local_aws.session.client("dynamodb")
    (key,) = put_postcards(client, fresh_table, 1, datetime.now(UTC))
    dynamodb = SettleFails(client, times=1, applied=True)
    clock = Clock()
    kind = Postcards()
    outbox = Outbox(dynamodb, fresh_table, kind, metrics=RecordingMetrics(), clock=clock,
                    sleep=clock.sleep)

    assert outbox.deliver(key) == SENT
    assert dynamodb.settle_writes == 2 and kind.settled_as == [SENT]
    stored = from_item(client.get_item(TableName=fresh_table, Key=to_item(key))["Item"])
    assert stored["status"] == SENT and "claim" not in stored
    clock.now += timedelta(hours=2)
    assert outbox.deliver(key) == "skipped" and kind.sent == ["0"]


@dataclass
class Timer:
    seconds: float = 0.0

    def __call__(self) -> float:
        return self.seconds


def test_a_schedule_run_starts_no_delivery_once_its_time_is_up(
        local_aws: LocalAws, fresh_table: str) -> None:
    """The rest stay due for the next run: none is cut off by the function
    timeout between its send and its settle."""
    client = local_aws.session.client("dynamodb")
    put_postcards(client, fresh_table, 5, datetime.now(UTC) - timedelta(minutes=1))
    timer = Timer()
    kind = Postcards(on_send=lambda: setattr(timer, "seconds", timer.seconds + 10))
    deliveries = Deliveries([Outbox(client, fresh_table, kind, metrics=RecordingMetrics())],
                            run_seconds=30, timer=timer)

    assert deliveries.retry_due() == 3  # started at 0, 10 and 20 s
    assert deliveries.retry_due() == 2
    assert sorted(kind.sent) == ["0", "1", "2", "3", "4"]


def test_a_stream_batch_leaves_what_it_has_no_time_for_to_the_schedule(
        local_aws: LocalAws, fresh_table: str) -> None:
    client = local_aws.session.client("dynamodb")
    postcard_keys = put_postcards(client, fresh_table, 4, datetime.now(UTC))
    timer = Timer()
    kind = Postcards(on_send=lambda: setattr(timer, "seconds", timer.seconds + 20))
    deliveries = Deliveries([Outbox(client, fresh_table, kind, metrics=RecordingMetrics())],
                            run_seconds=30, timer=timer)
    images = [client.get_item(TableName=fresh_table, Key=to_item(key))["Item"]
              for key in postcard_keys]

    deliveries.on_inserted(images)
    assert kind.sent == ["0", "1"]  # started at 0 and 20 s
    assert deliveries.retry_due() == 2  # the others were left pending, and due
