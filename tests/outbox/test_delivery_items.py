"""Every delivery the stores request is stored in the one shape, whatever its
kind, before and after it is sent; and a kind declared in kinds.py (one more,
or the same in another order) is requested, sent, summarised and deleted with
its message with no change anywhere else."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from chalicelib.autoresponder.sender import Autoresponder
from chalicelib.contact.chat import ChatNotifications
from chalicelib.contact.model import Message
from chalicelib.contact.notifications import OwnerNotifications
from chalicelib.contact.store import MessageStore
from chalicelib.dashboard.reply_mail import ReplyMail
from chalicelib.dashboard.reply_store import ReplyStore
from chalicelib.db import keys
from chalicelib.db.counters import read_counters
from chalicelib.db.items import from_item
from chalicelib.db.rate_limit import RateLimiter
from chalicelib.db.reads import get_item
from chalicelib.db.table import GSI2_PK, GSI2_SK, TTL_ATTRIBUTE
from chalicelib.forms.builtin import contact_form
from chalicelib.forms.model import Autoresponse, Form
from chalicelib.outbox import kinds
from chalicelib.outbox.kind import Declared, DeliveryKind
from chalicelib.outbox.kinds import Requested, request
from chalicelib.outbox.outbox import Deliveries, Outbox
from tests.conftest import MAIL_FROM, OWNER_EMAIL, LocalAws
from tests.outbox.test_kinds import PENDING_SHAPE
from tests.support.metrics import RecordingMetrics

# As stored: every delivery expires with its message (chalicelib/core/retention.py).
STORED_SHAPE = PENDING_SHAPE | {TTL_ATTRIBUTE}
SENT_SHAPE = STORED_SHAPE - {"nextAt", GSI2_PK, GSI2_SK} | {"sentAt"}
FIELDS = {"name": "Ada", "email": "ada@example.com", "subject": "Hi", "message": "Hello"}


class Answered:
    """The webhook's answer: 204."""
    status = 204

    def __enter__(self) -> Answered:
        return self

    def __exit__(self, *_: Any) -> None:
        return None


def chat_kind() -> ChatNotifications:
    return ChatNotifications(lambda: "https://chat.example/hook", fmt="json",
                             opener=lambda request, timeout: Answered())


def deliveries_of(dynamodb: Any, table: str, message_id: str) -> dict[str, dict[str, Any]]:
    items = dynamodb.query(TableName=table, KeyConditionExpression="pk = :pk",
                           ExpressionAttributeValues={":pk": {"S": f"MSG#{message_id}"}})["Items"]
    return {item["kind"]: item for item in map(from_item, items)
            if item["sk"].startswith(keys.DELIVERY_PREFIX)}


def outboxes(local_aws: LocalAws, table: str, senders: list[DeliveryKind]) -> Deliveries:
    later = datetime.now(UTC) + timedelta(minutes=1)
    return Deliveries(Outbox(local_aws.session.client("dynamodb"), table, sender,
                             metrics=RecordingMetrics(), clock=lambda: later)
                      for sender in senders)


def test_each_kind_s_delivery_is_one_item_of_the_same_shape_pending_and_sent(
        local_aws: LocalAws, fresh_table: str) -> None:
    dynamodb, ses = local_aws.session.client("dynamodb"), local_aws.session.client("ses")
    chat = chat_kind()
    contact = contact_form()
    answered = Form(id=contact.id, version=2, updated_at="2026-12-07T10:00:00.000Z",
                    definition=msgspec.structs.replace(contact.definition, autoresponse=Autoresponse(
                        subject="Thanks", body="Reference {{reference}}")))
    message_id = MessageStore(dynamodb, fresh_table, companions=[chat]).create(
        FIELDS, None, form=answered)["id"]
    ReplyStore(dynamodb, fresh_table).create(
        message_id, body="Thanks", author="admin@example.com", request=None,
        charge=RateLimiter(dynamodb, fresh_table, scope="reply", limit=5,
                           window_seconds=60).charge("admin"))

    pending = deliveries_of(dynamodb, fresh_table, message_id)
    assert set(pending) == {"notification", "reply", "chat", "autoresponse"}
    assert {kind: set(item) for kind, item in pending.items()} == dict.fromkeys(
        pending, STORED_SHAPE)
    assert len({item[TTL_ATTRIBUTE] for item in pending.values()}) == 1  # the message's

    senders = [OwnerNotifications(ses, sender=MAIL_FROM, owner=OWNER_EMAIL),
               ReplyMail(dynamodb, ses, fresh_table, sender=MAIL_FROM, reply_to=OWNER_EMAIL), chat,
               Autoresponder(ses, sender=MAIL_FROM, reply_to=OWNER_EMAIL)]
    assert outboxes(local_aws, fresh_table, senders).retry_due() == 4
    sent = deliveries_of(dynamodb, fresh_table, message_id)
    assert {kind: set(item) for kind, item in sent.items()} == dict.fromkeys(sent, SENT_SHAPE)
    assert {item["status"] for item in sent.values()} == {"sent"}


POSTCARD = Declared("postcard", "NotificationsSent", "NotificationsFailed",
                    summary_prefix="postcard")


class Postcards(DeliveryKind, declared=POSTCARD):
    """A kind only this test declares: requested by each new message, as the chat post is."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def new_delivery(self, message: Message) -> Requested:
        return request(POSTCARD, keys.message(message.id), delivery_id=message.id,
                       due=message.created_at, payload=message.payload())

    def send(self, payload: dict[str, Any]) -> None:
        self.sent.append(str(payload["id"]))


@pytest.fixture
def postcards_declared(monkeypatch: pytest.MonkeyPatch) -> Postcards:
    """kinds.py as edited to add the postcard (and with its kinds reordered)."""
    monkeypatch.setattr(kinds, "KINDS", (POSTCARD, *reversed(kinds.KINDS)))
    return Postcards()


def test_a_kind_declared_in_kinds_py_is_sent_summarised_and_deleted_with_its_message(
        local_aws: LocalAws, fresh_table: str, postcards_declared: Postcards) -> None:
    dynamodb, ses = local_aws.session.client("dynamodb"), local_aws.session.client("ses")
    store = MessageStore(dynamodb, fresh_table, companions=[postcards_declared])
    message_id = store.create(FIELDS, None)["id"]
    assert set(deliveries_of(dynamodb, fresh_table, message_id)["postcard"]) == STORED_SHAPE

    owner = OwnerNotifications(ses, sender=MAIL_FROM, owner=OWNER_EMAIL)
    assert outboxes(local_aws, fresh_table, [owner, postcards_declared]).retry_due() == 2
    assert postcards_declared.sent == [message_id]
    stored = get_item(dynamodb, fresh_table, keys.message(message_id))
    assert stored is not None
    assert (stored["postcardStatus"], stored["postcardAttempts"]) == ("sent", 1)
    assert store.get(message_id).notification.status == "sent"

    store.delete(message_id)
    assert deliveries_of(dynamodb, fresh_table, message_id) == {}
    counters = read_counters(dynamodb, fresh_table)
    assert (counters["notificationsPending"], counters["notificationsFailed"]) == (0, 0)
