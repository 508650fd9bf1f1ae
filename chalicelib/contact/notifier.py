"""Mail each stored contact message to the site owner, exactly once.

The first attempt comes from the table's stream (a new message), retries from
a schedule (due pending notifications, via the sparse GSI2). Either way one
delivery is:

1. claim: a conditional update that succeeds only for a pending message that
   nobody holds a live claim on, counting the attempt;
2. send through SES;
3. settle, conditional on still holding the claim: sent, or due again later
   with backoff, or failed after the last attempt, with the counters moved in
   the same transaction.

The claim is what keeps the stream and the schedule (or two schedule runs)
from mailing one message twice. Only a crash between SES accepting the mail
and step 3 could repeat it, once the claim expires.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.contact.email import compose
from chalicelib.contact.model import NOTIFY_FAILED, NOTIFY_PENDING, NOTIFY_SENT, Message
from chalicelib.db import keys
from chalicelib.db.clock import iso, utc_now
from chalicelib.db.counters import counter_update
from chalicelib.db.errors import aws_unavailable_as_503, error_code
from chalicelib.db.items import from_item, to_item, to_value
from chalicelib.db.table import GSI2, GSI2_PK, GSI2_SK
from chalicelib.db.transactions import ConditionFailed, transact_write
from chalicelib.metrics import (
    NOTIFICATIONS_FAILED,
    NOTIFICATIONS_SENT,
    OLDEST_PENDING_NOTIFICATION_AGE,
    MetricsSink,
)

log = logging.getLogger("frontdesk.notifier")

CLAIM_SECONDS = 120
# Wait before attempt 2, 3, 4, 5 ...; the schedule runs every few minutes.
BACKOFF_MINUTES = (1, 5, 15, 60)


class Notifier:
    def __init__(self, dynamodb: Any, ses: Any, table_name: str, *, sender: str, owner: str,
                 metrics: MetricsSink, max_attempts: int = 5,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self._dynamodb = dynamodb
        self._ses = ses
        self._table = table_name
        self._sender = sender
        self._owner = owner
        self._metrics = metrics
        self._max_attempts = max_attempts
        self._clock = clock

    def on_new_messages(self, new_images: Iterable[dict[str, Any] | None]) -> None:
        """Stream handler: try each newly inserted message once, right away.
        Images come in DynamoDB's typed form. Nothing here raises for one bad
        message: a stream batch that failed would be retried, blocking the shard."""
        for typed in new_images:
            image = from_item(typed or {})
            if image.get("type") != "message" or image.get("notifyStatus") != NOTIFY_PENDING:
                continue
            try:
                self.deliver(image["id"])
            except Exception:  # the schedule retries whatever is still pending
                log.exception("delivery from the stream failed",
                              extra={"fields": {"messageId": image.get("id")}})

    def retry_due(self, limit: int = 100) -> int:
        """Schedule handler: deliver pending notifications that are due, then
        report how long the oldest one still pending has waited."""
        now = iso(self._clock())
        with aws_unavailable_as_503():
            response = self._dynamodb.query(
                TableName=self._table, IndexName=GSI2,
                KeyConditionExpression="#pk = :pending AND #sk <= :due",
                ExpressionAttributeNames={"#pk": GSI2_PK, "#sk": GSI2_SK},
                ExpressionAttributeValues={":pending": to_value(keys.PENDING_NOTIFICATIONS),
                                           ":due": to_value(f"{now}#~")},
                Limit=limit)
        sent = 0
        for item in response["Items"]:
            message_id = from_item(item).get("id")
            try:
                sent += self.deliver(str(message_id)) == NOTIFY_SENT
            except Exception:  # one bad item must not hold up the ones due after it
                log.exception("retry failed", extra={"fields": {"messageId": message_id}})
        self._metrics.age(OLDEST_PENDING_NOTIFICATION_AGE, self.oldest_pending_age())
        return sent

    def oldest_pending_age(self) -> float:
        """Seconds since the oldest still-pending message arrived; 0 when none is.
        Reads the whole (sparse, normally near-empty) pending index: its order
        is by next attempt, not by age."""
        oldest: str | None = None
        query: dict[str, Any] = {
            "TableName": self._table, "IndexName": GSI2,
            "KeyConditionExpression": "#pk = :pending", "ProjectionExpression": "#created",
            "ExpressionAttributeNames": {"#pk": GSI2_PK, "#created": "createdAt"},
            "ExpressionAttributeValues": {":pending": to_value(keys.PENDING_NOTIFICATIONS)}}
        while True:
            with aws_unavailable_as_503():
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

    def deliver(self, message_id: str) -> str:
        """One attempt. Returns the resulting status, or "skipped" if someone
        else holds the message or it is no longer pending."""
        claim = uuid.uuid4().hex
        message = self._claim(message_id, claim)
        if message is None:
            return "skipped"
        try:
            self._ses.send_email(**compose(message, sender=self._sender, owner=self._owner))
        except (ClientError, BotoCoreError) as exc:
            reason = error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
            log.warning("notification failed", extra={"fields": {
                "messageId": message_id, "attempt": message.notification.attempts,
                "reason": reason}})
            # Counted per failed attempt, so an SES outage shows within minutes.
            self._metrics.count(NOTIFICATIONS_FAILED)
            return self._settle_failure(message, claim, reason)
        self._metrics.count(NOTIFICATIONS_SENT)
        self._settle(message, claim, NOTIFY_SENT, counters={"notificationsPending": -1},
                     set_values={"notifySentAt": iso(self._clock())})
        return NOTIFY_SENT

    # -- steps -----------------------------------------------------------------

    def _claim(self, message_id: str, claim: str) -> Message | None:
        now = self._clock()
        try:
            with aws_unavailable_as_503():
                response = self._dynamodb.update_item(
                    TableName=self._table, Key=to_item(keys.message(message_id)),
                    UpdateExpression="SET #claim = :claim, #until = :until "
                                     "ADD #attempts :one",
                    ConditionExpression="#status = :pending AND "
                                        "(attribute_not_exists(#until) OR #until < :now)",
                    ExpressionAttributeNames={"#claim": "notifyClaim", "#until": "notifyClaimUntil",
                                              "#attempts": "notifyAttempts",
                                              "#status": "notifyStatus"},
                    ExpressionAttributeValues={
                        ":claim": to_value(claim), ":one": to_value(1),
                        ":until": to_value(iso(now + timedelta(seconds=CLAIM_SECONDS))),
                        ":now": to_value(iso(now)), ":pending": to_value(NOTIFY_PENDING)},
                    ReturnValues="ALL_NEW")
        except ClientError as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return None
            raise
        return Message.from_item(from_item(response["Attributes"]))

    def _settle_failure(self, message: Message, claim: str, reason: str) -> str:
        attempts = message.notification.attempts
        if attempts >= self._max_attempts:
            self._settle(message, claim, NOTIFY_FAILED,
                         counters={"notificationsPending": -1, "notificationsFailed": 1},
                         set_values={"notifyLastError": reason})
            return NOTIFY_FAILED
        wait = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
        next_at = iso(self._clock() + timedelta(minutes=wait))
        self._settle(message, claim, NOTIFY_PENDING, counters={},
                     set_values={"notifyLastError": reason, "notifyNextAt": next_at,
                                 GSI2_SK: keys.pending_notification(next_at, message.id)[GSI2_SK]})
        return NOTIFY_PENDING

    def _settle(self, message: Message, claim: str, status: str, *, counters: dict[str, int],
                set_values: dict[str, str]) -> None:
        values = {"notifyStatus": status, **set_values}
        names = {f"#{name}": name for name in values}
        names.update({"#claim": "notifyClaim", "#until": "notifyClaimUntil"})
        removed = ["#claim", "#until"]
        if status != NOTIFY_PENDING:  # leaves the sparse index of pending work
            names.update({"#gsi2pk": GSI2_PK, "#gsi2sk": GSI2_SK, "#nextAt": "notifyNextAt"})
            removed += ["#gsi2pk", "#gsi2sk", "#nextAt"]
        update = {
            "TableName": self._table, "Key": to_item(keys.message(message.id)),
            "UpdateExpression": "SET " + ", ".join(f"#{n} = :{n}" for n in values)
                                + " REMOVE " + ", ".join(removed),
            "ConditionExpression": "#claim = :mine",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {**{f":{n}": to_value(v) for n, v in values.items()},
                                          ":mine": to_value(claim)},
        }
        try:
            if counters:
                transact_write(self._dynamodb, [{"Update": update},
                                                counter_update(self._table, **counters)])
            else:
                with aws_unavailable_as_503():
                    self._dynamodb.update_item(**update)
        except ConditionFailed:
            self._log_lost_claim(message.id)
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            self._log_lost_claim(message.id)

    @staticmethod
    def _log_lost_claim(message_id: str) -> None:
        log.info("message deleted or re-claimed during delivery",
                 extra={"fields": {"messageId": message_id}})
