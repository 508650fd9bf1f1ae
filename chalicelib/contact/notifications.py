"""The site owner's email for each stored contact message: one kind of
delivery through the outbox (chalicelib/outbox)."""
from __future__ import annotations

from typing import Any

from chalicelib.contact.email import compose
from chalicelib.contact.model import Message
from chalicelib.db import keys
from chalicelib.metrics import NOTIFICATIONS_FAILED, NOTIFICATIONS_SENT, OLDEST_PENDING_NOTIFICATION_AGE
from chalicelib.outbox.kind import DeliveryFields, DeliveryKind


class OwnerNotifications(DeliveryKind):
    name = "notification"
    item_type = "message"
    fields = DeliveryFields("notify")
    pending_partition = keys.PENDING_NOTIFICATIONS
    pending_counter = "notificationsPending"
    failed_counter = "notificationsFailed"
    sent_metric = NOTIFICATIONS_SENT
    failed_metric = NOTIFICATIONS_FAILED
    age_metric = OLDEST_PENDING_NOTIFICATION_AGE

    def __init__(self, ses: Any, *, sender: str, owner: str) -> None:
        self._ses = ses
        self._sender = sender
        self._owner = owner

    def send(self, item: dict[str, Any]) -> None:
        mail = compose(Message.from_item(item), sender=self._sender, owner=self._owner)
        self._ses.send_email(**mail)
