"""The stream and schedule handlers speak the domain's language: a DynamoDB
outage is DependencyUnavailable (Lambda retries the event), never an HTTP error."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.contact.notifications import OwnerNotifications
from chalicelib.core.domain_errors import DependencyUnavailable
from chalicelib.http.errors import ApiError
from chalicelib.outbox.outbox import Deliveries, Outbox
from tests.support.metrics import RecordingMetrics


class ThrottledDynamoDB:
    """A stand-in whose every call is throttled (after botocore's own retries)."""

    def __getattr__(self, operation: str) -> Any:
        def throttled(**_: Any) -> Any:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"},
                               "ResponseMetadata": {"HTTPStatusCode": 400}}, operation)
        return throttled


def deliveries() -> Deliveries:
    kind = OwnerNotifications(ses=None, sender="from@example.com", owner="owner@example.com")
    return Deliveries([Outbox(ThrottledDynamoDB(), "table", kind, metrics=RecordingMetrics())])


def test_the_schedule_handler_raises_a_domain_error_when_dynamodb_is_down() -> None:
    with pytest.raises(DependencyUnavailable) as raised:
        deliveries().retry_due()
    assert not isinstance(raised.value, ApiError)


def test_the_stream_handler_never_raises_for_one_delivery() -> None:
    image = {"type": {"S": "delivery"}, "kind": {"S": "notification"},
             "status": {"S": "pending"}, "pk": {"S": "MSG#01JD0000000000000000000000"},
             "sk": {"S": "DELIVERY#notification"}}
    deliveries().on_inserted([image])  # logged; the schedule retries it
