"""Deliver each pending delivery of one kind exactly once.

Every delivery is an item of one shape (chalicelib/outbox/kind.py). The first
attempt comes from the table's stream (a newly inserted delivery item),
retries from a schedule (due deliveries, via the kind's partition of the
sparse GSI2). Either way one delivery is:

1. claim: a conditional update that succeeds only for a pending delivery that
   nobody holds a live claim on, counting the attempt;
2. send (the kind composes and sends);
3. settle, conditional on still holding the claim: sent; or due again later
   with backoff; or failed, after the last attempt or at once when the kind
   says no retry can help (a poisoned item), with the counters moved and the
   summary on the record that caused it brought up to date in the same
   transaction.

The claim is what keeps the stream and the schedule (or two schedule runs)
from sending twice. The settle is retried on transient errors for as long as
the claim lasts (chalicelib/outbox/timing.py), so a sent delivery is not sent
again because one write failed; docs/data-model.md ("The outbox: exactly once,
and where not") lists what can still repeat one.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.domain_errors import DependencyUnavailable
from chalicelib.db import keys
from chalicelib.db.clock import iso, utc_now
from chalicelib.db.counters import counter_update
from chalicelib.db.errors import aws_unavailable_mapped, error_code
from chalicelib.db.expressions import attr, update
from chalicelib.db.items import from_item, to_value
from chalicelib.db.table import GSI2, GSI2_PK, GSI2_SK, PK, SK
from chalicelib.db.transactions import ConditionFailed, transact_write
from chalicelib.outbox.kind import (
    ATTEMPTS,
    CLAIM,
    CLAIM_UNTIL,
    DELIVERY_TYPE,
    FAILED,
    KIND,
    LAST_ERROR,
    NEXT_AT,
    PAYLOAD,
    PENDING,
    RECORD,
    SENT,
    SENT_AT,
    STATUS,
    DeliveryKind,
    DeliveryState,
    PermanentFailure,
    TemporaryFailure,
)
from chalicelib.outbox.timing import (
    BACKOFF_SECONDS,
    CLAIM_SECONDS,
    FUNCTION_TIMEOUT_SECONDS,
    RUN_SECONDS,
    SETTLE_CLAIM_MARGIN_SECONDS,
    SETTLE_RETRY_WAITS,
)
from chalicelib.platform.metrics import MetricsSink

log = logging.getLogger("frontdesk.outbox")

# SES answers these for a request that will never succeed as sent. (Not
# MessageRejected: SES also says that for an unverified sender, which the
# operator fixes, so it is retried.)
PERMANENT_CODES = frozenset({"InvalidParameterValue", "ValidationError"})
SKIPPED = "skipped"


class Outbox:
    def __init__(self, dynamodb: Any, table_name: str, kind: DeliveryKind, *,
                 metrics: MetricsSink, max_attempts: int = 5,
                 backoff_seconds: Sequence[int] = BACKOFF_SECONDS,
                 claim_seconds: int = CLAIM_SECONDS,
                 clock: Callable[[], datetime] = utc_now,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._dynamodb = dynamodb
        self._table = table_name
        self.kind = kind
        self.declared = kind.declared
        self._metrics = metrics
        self._max_attempts = max_attempts
        self._backoff = tuple(backoff_seconds)
        self._claim_seconds = claim_seconds
        self._clock = clock
        self._sleep = sleep

    def retry_due(self, budget: int = 500, *, time_is_up: Callable[[], bool] = lambda: False,
                  time_left: Callable[[], float] | None = None) -> int:
        """Schedule handler: attempt up to `budget` due deliveries, oldest due
        first, paging through the index, and none once `time_is_up()`; returns
        how many were sent. A poisoned item is failed on its first attempt, so
        none can hold up those after it."""
        now = iso(self._clock())
        query: dict[str, Any] = {
            "TableName": self._table, "IndexName": GSI2,
            "KeyConditionExpression": "#pk = :pending AND #sk <= :due",
            "ExpressionAttributeNames": {"#pk": GSI2_PK, "#sk": GSI2_SK},
            "ExpressionAttributeValues": {":pending": to_value(self.declared.due_partition),
                                          ":due": to_value(f"{now}#~")}}
        sent = attempted = 0
        while attempted < budget and not time_is_up():
            with aws_unavailable_mapped():
                response = self._dynamodb.query(**query, Limit=min(100, budget - attempted))
            for item in response["Items"]:
                if time_is_up():  # the rest wait for the next run
                    break
                attempted += 1
                key = {PK: item[PK]["S"], SK: item[SK]["S"]}
                try:
                    sent += self.deliver(key, time_left=time_left) == SENT
                except Exception:  # one bad item must not hold up the ones due after it
                    log.exception("retry failed", extra={"fields": {
                        "kind": self.kind.name, "key": key[PK]}})
            if "LastEvaluatedKey" not in response:
                break
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        if self.declared.age_metric:
            self._metrics.age(self.declared.age_metric, self.oldest_pending_age())
        return sent

    def oldest_pending_age(self) -> float:
        """Seconds since the oldest still-pending delivery was requested; 0 when none is.
        Reads the kind's whole (sparse, normally near-empty) pending partition:
        it is ordered by next attempt, not by age."""
        oldest: str | None = None
        query: dict[str, Any] = {
            "TableName": self._table, "IndexName": GSI2,
            "KeyConditionExpression": "#pk = :pending", "ProjectionExpression": "#created",
            "ExpressionAttributeNames": {"#pk": GSI2_PK, "#created": "createdAt"},
            "ExpressionAttributeValues": {":pending": to_value(self.declared.due_partition)}}
        while True:
            with aws_unavailable_mapped():
                page = self._dynamodb.query(**query)
            for item in page["Items"]:
                created = str(from_item(item).get("createdAt", ""))
                if created and (oldest is None or created < oldest):  # ISO strings sort by time
                    oldest = created
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        if oldest is None:
            return 0.0
        waited = self._clock() - datetime.fromisoformat(oldest.replace("Z", "+00:00"))
        return max(waited.total_seconds(), 0.0)

    def deliver(self, key: dict[str, str], *, time_left: Callable[[], float] | None = None) -> str:
        """One attempt. Returns the resulting status, or "skipped" if someone
        else holds the delivery or it is no longer pending. `time_left`: the
        seconds left in the invocation, which bound the settle's retries."""
        claim = uuid.uuid4().hex
        claimed_until = self._clock() + timedelta(seconds=self._claim_seconds)
        item = self._claim(key, claim, claimed_until)
        if item is None:
            return SKIPPED
        attempts = _whole_number(item.get(ATTEMPTS), default=self._max_attempts)
        settle = _Settle(key, item, claim, claimed_until, time_left)
        if attempts > self._max_attempts:
            # The last attempt's settle never landed (the invocation ended, or
            # DynamoDB refused it throughout): no send beyond the bound.
            log.error("delivery failed: attempts exhausted", extra={"fields": {
                "kind": self.kind.name, "key": key[PK], "attempt": attempts}})
            self._settle(settle, FAILED, {LAST_ERROR: "Attempts exhausted"})
            return FAILED
        try:
            self.kind.send(item[PAYLOAD])
        except Exception as exc:  # judged: retried later, or failed at once
            reason, permanent = self._judge(exc)
            log.warning("delivery failed", extra={"fields": {
                "kind": self.kind.name, "key": key[PK], "attempt": attempts,
                "reason": reason, "permanent": permanent}})
            # Counted per failed attempt, so an outage shows within minutes.
            self._metrics.count(self.declared.failed_metric)
            if permanent or attempts >= self._max_attempts:
                self._settle(settle, FAILED, {LAST_ERROR: reason})
                return FAILED
            wait = self._backoff[min(attempts, len(self._backoff)) - 1]
            next_at = iso(self._clock() + timedelta(seconds=wait))
            self._settle(settle, PENDING, {LAST_ERROR: reason, NEXT_AT: next_at})
            return PENDING
        self._metrics.count(self.declared.sent_metric)
        self._settle(settle, SENT, {SENT_AT: iso(self._clock())})
        return SENT

    @staticmethod
    def _judge(exc: Exception) -> tuple[str, bool]:
        """(reason, permanent) for a failed send."""
        if isinstance(exc, PermanentFailure):
            return exc.reason, True
        if isinstance(exc, TemporaryFailure):
            return exc.reason, False
        if isinstance(exc, ClientError):
            code = error_code(exc)
            return code, code in PERMANENT_CODES
        if isinstance(exc, BotoCoreError):
            return type(exc).__name__, False
        # The item could not be composed (a field missing or of the wrong
        # type): retrying reads the same item again.
        return f"Unreadable: {type(exc).__name__}", True

    # -- steps -----------------------------------------------------------------

    def _claim(self, key: dict[str, str], claim: str,
               until: datetime) -> dict[str, Any] | None:
        now = self._clock()
        try:
            with aws_unavailable_mapped():
                claimed_until = attr(CLAIM_UNTIL)
                response = self._dynamodb.update_item(
                    **update(self._table, key, set={CLAIM: claim, CLAIM_UNTIL: iso(until)},
                             add={ATTEMPTS: 1},
                             condition=attr(STATUS).eq(PENDING)
                             & (claimed_until.not_exists() | claimed_until.lt(iso(now)))),
                    ReturnValues="ALL_NEW")
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return from_item(response["Attributes"])

    def _settle(self, settle: _Settle, status: str, set_values: dict[str, str]) -> None:
        key, item, claim = settle.key, settle.item, settle.claim
        removed = [CLAIM, CLAIM_UNTIL]
        if status == PENDING:  # due again later: its place in the sparse index moves
            set_values = {**set_values, GSI2_SK: keys.pending_delivery(
                self.declared.due_partition, set_values[NEXT_AT], str(item.get("id", key[PK])))[
                    GSI2_SK]}
        else:  # leaves the sparse index of pending work
            removed += [GSI2_PK, GSI2_SK, NEXT_AT]
        parts: dict[str, dict[str, Any]] = {"delivery": {"Update": update(
            self._table, key, set={STATUS: status, **set_values}, remove=removed,
            condition=attr(CLAIM).eq(claim))}}
        summary = self._summary_update(key, item, status, set_values)
        if summary is not None:
            parts["summary"] = {"Update": summary}
        counters = self._counter_moves(status)
        if counters:
            parts["counters"] = counter_update(self._table, **counters)
        waits = iter(SETTLE_RETRY_WAITS)
        wait = SETTLE_RETRY_WAITS[0]
        retried = False
        while True:
            try:
                self._write(parts)
                break
            except ConditionFailed as exc:
                if not exc.failed("delivery") and "summary" in parts:
                    # The record is gone (deleted while its delivery was still
                    # sent, or expired first): the delivery is settled without
                    # it, and without its counts, which the record's going took
                    # out (chalicelib/contact/expired.py).
                    parts.pop("summary")
                    parts.pop("counters", None)
                    continue
                if retried:
                    # Nobody else can claim it while our claim lasts, so an
                    # earlier try of ours landed and only its answer was lost
                    # (or the item was deleted meanwhile).
                    log.info("settled by an earlier try", extra={"fields": {
                        "kind": self.kind.name, "key": key[PK], "status": status}})
                    break
                self._log_lost_claim(key)
                return
            except DependencyUnavailable:
                wait = next(waits, wait)  # the last wait repeats
                if not settle.may_retry_after(wait, self._clock()):
                    log.error("delivery not settled: attempted again once its claim expires",
                              extra={"fields": {"kind": self.kind.name, "key": key[PK],
                                                "status": status,
                                                "sentTwiceThen": status == SENT}})
                    raise
                self._sleep(wait)
                retried = True
        if status != PENDING:
            self.kind.settled(item, status)

    def _write(self, parts: dict[str, dict[str, Any]]) -> None:
        if len(parts) > 1:
            transact_write(self._dynamodb, parts)
            return
        try:
            with aws_unavailable_mapped():
                self._dynamodb.update_item(**parts["delivery"]["Update"])
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                raise ConditionFailed(frozenset({"delivery"})) from exc
            raise

    def _summary_update(self, key: dict[str, str], item: dict[str, Any], status: str,
                        set_values: dict[str, str]) -> dict[str, Any] | None:
        """The update bringing the record's summary to the delivery's new state,
        on a record that still exists."""
        summary = self.declared.summary
        record = item.get(RECORD)
        if summary is None or not isinstance(record, str):
            return None
        state = DeliveryState(status, _whole_number(item.get(ATTEMPTS), default=0),
                              next_attempt_at=set_values.get(NEXT_AT),
                              last_error=set_values.get(LAST_ERROR, item.get(LAST_ERROR)),
                              sent_at=set_values.get(SENT_AT))
        values = summary.attributes(state)
        return update(self._table, {PK: key[PK], SK: record},
                      set={name: value for name, value in values.items() if value is not None},
                      remove=[name for name, value in values.items() if value is None],
                      condition=attr(PK).exists())

    def _counter_moves(self, status: str) -> dict[str, int]:
        moves: dict[str, int] = {}
        if status == PENDING:
            return moves
        if self.declared.pending_counter:
            moves[self.declared.pending_counter] = -1
        if status == FAILED and self.declared.failed_counter:
            moves[self.declared.failed_counter] = 1
        return moves

    def _log_lost_claim(self, key: dict[str, str]) -> None:
        log.info("item deleted or re-claimed during delivery",
                 extra={"fields": {"kind": self.kind.name, "key": key[PK]}})


class _Settle:
    """What a settle writes against, and until when it may be retried."""

    def __init__(self, key: dict[str, str], item: dict[str, Any], claim: str,
                 claimed_until: datetime, time_left: Callable[[], float] | None) -> None:
        self.key, self.item, self.claim = key, item, claim
        self._claimed_until = claimed_until
        self._time_left = time_left

    def may_retry_after(self, wait: float, now: datetime) -> bool:
        """Whether a try after `wait` seconds still leaves the margin for its
        call, both of the claim and of the invocation."""
        needed = wait + SETTLE_CLAIM_MARGIN_SECONDS
        if now + timedelta(seconds=needed) >= self._claimed_until:
            return False
        return self._time_left is None or needed < self._time_left()


def _whole_number(value: Any, *, default: int) -> int:
    """An attempt count as stored; anything unreadable counts as the last attempt."""
    return int(value) if isinstance(value, (int, float)) else default


class Deliveries:
    """Every kind's outbox, for the two handlers that drive them all. Each
    handler call starts deliveries only during its first `run_seconds`, so
    none is cut off by the function timeout between its send and its settle."""

    def __init__(self, outboxes: Iterable[Outbox], *, run_seconds: float = RUN_SECONDS,
                 function_timeout: float = FUNCTION_TIMEOUT_SECONDS,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self._by_kind = {outbox.kind.name: outbox for outbox in outboxes}
        self._run_seconds = run_seconds
        self._function_timeout = function_timeout
        self._timer = timer

    def _time_is_up(self) -> Callable[[], bool]:
        stop_at = self._timer() + self._run_seconds
        return lambda: self._timer() >= stop_at

    def _time_left(self) -> Callable[[], float]:
        """Seconds left until the function times out (a handler is called as
        its invocation starts)."""
        ends_at = self._timer() + self._function_timeout
        return lambda: ends_at - self._timer()

    def on_inserted(self, new_images: Iterable[dict[str, Any] | None]) -> None:
        """Stream handler: try each newly inserted pending delivery once, right
        away. Images come in DynamoDB's typed form. Nothing here raises for one
        bad item: a stream batch that failed would be retried, blocking the shard.
        Those left when time is up stay pending, due: the schedule sends them."""
        time_is_up, time_left = self._time_is_up(), self._time_left()
        for typed in new_images:
            if time_is_up():
                log.warning("stream batch left to the schedule: out of time")
                return
            image = from_item(typed or {})
            if image.get("type") != DELIVERY_TYPE or image.get(STATUS) != PENDING:
                continue
            outbox = self._by_kind.get(str(image.get(KIND)))
            if outbox is None:  # a kind this stage does not send (chat, unconfigured)
                continue
            try:
                outbox.deliver({PK: image[PK], SK: image[SK]}, time_left=time_left)
            except Exception:  # the schedule retries whatever is still pending
                log.exception("delivery from the stream failed", extra={"fields": {
                    "kind": outbox.kind.name, "key": image.get(PK)}})

    def retry_due(self) -> int:
        """Schedule handler: each kind's due deliveries, one kind after another."""
        time_is_up, time_left = self._time_is_up(), self._time_left()
        return sum(outbox.retry_due(time_is_up=time_is_up, time_left=time_left)
                   for outbox in self._by_kind.values())
