"""Issue 13.4: no message blocks the queue. A notification that cannot be
composed is failed at once, with its reason, and counted; the retries move on."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.db import keys
from chalicelib.db.counters import read_counters
from chalicelib.db.items import to_item
from chalicelib.db.reads import get_item
from chalicelib.outbox.kinds import NOTIFICATION, request
from chalicelib.platform.ids import UlidGenerator
from tests.conftest import LocalAws
from tests.contact.conftest import VALID
from tests.support.metrics import RecordingMetrics


def plant_poisoned(local_aws: LocalAws, table: str, count: int) -> list[str]:
    """Pending notifications due long ago whose payloads are not readable messages,
    each with its message (as `request` writes them, minus the message's text)."""
    dynamodb = local_aws.session.client("dynamodb")
    ids = UlidGenerator(clock_ms=lambda: 946_684_800_000)  # 2000-01-01
    planted = []
    for n in range(count):
        message_id = ids()
        due = f"2000-01-01T00:00:{n % 60:02d}.000Z"
        broken = request(NOTIFICATION, keys.message(message_id), delivery_id=message_id,
                         due=due, payload={"id": message_id})
        record = {**keys.message(message_id), "type": "message", "id": message_id,
                  **broken.summary}
        dynamodb.put_item(TableName=table, Item=to_item(record))
        dynamodb.put_item(TableName=table, Item=to_item(broken.delivery))
        planted.append(message_id)
    return planted


def test_150_poisoned_messages_ahead_of_a_good_one_do_not_stop_it(
        submit: Callable[..., Any], make_notifier: Any, sent_mail: Any, local_aws: LocalAws,
        fresh_table: str) -> None:
    poisoned = plant_poisoned(local_aws, fresh_table, 150)
    good = submit(VALID).json_body["id"]
    later = datetime.now(UTC) + timedelta(minutes=1)
    metrics = RecordingMetrics()
    assert make_notifier(clock=lambda: later, metrics=metrics).retry_due() == 1  # the next run
    assert len(sent_mail(good)) == 1
    assert metrics.counts.count(("NotificationsFailed", 1)) == 150
    dynamodb = local_aws.session.client("dynamodb")
    for message_id in poisoned[:3] + poisoned[-3:]:
        item = get_item(dynamodb, fresh_table, keys.message(message_id))
        assert item is not None
        assert item["notifyStatus"] == "failed"
        assert item["notifyAttempts"] == 1
        assert item["notifyLastError"] == "Unreadable: KeyError"
        assert "notifyNextAt" not in item
        delivery = get_item(dynamodb, fresh_table, keys.delivery(keys.message(message_id),
                                                                 "notification"))
        assert delivery is not None and delivery["status"] == "failed"
        assert "gsi2pk" not in delivery  # out of the pending index: never claimed again
    assert read_counters(dynamodb, fresh_table)["notificationsFailed"] == 150
    assert make_notifier(clock=lambda: later).retry_due() == 0
