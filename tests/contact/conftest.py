from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib.contact.notifications import OwnerNotifications
from chalicelib.outbox.outbox import Outbox
from devstack.triggers import StreamPump, invoke
from tests.conftest import JSON, MAIL_FROM, OWNER_EMAIL, LocalAws
from tests.support.mail import accepted_mail
from tests.support.metrics import RecordingMetrics


@pytest.fixture
def submit(client: Any) -> Callable[..., Any]:
    def post(body: dict[str, Any] | bytes, key: str | None = None, **headers: str) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        extra = {"Idempotency-Key": key} if key is not None else {}
        return client.post("/contact", headers={**JSON, **extra, **headers}, body=raw)
    return post


@pytest.fixture
def pump(local_aws: LocalAws, frontdesk_app: Any, fresh_table: str) -> StreamPump:
    """The table's stream, delivered to the app's notify_owner handler on demand."""
    return StreamPump(local_aws.session, fresh_table,
                      lambda event: invoke(frontdesk_app, "notify_owner", event))


@pytest.fixture
def sent_mail(local_aws: LocalAws) -> Callable[[str], list[dict[str, Any]]]:
    """Mail SES accepted (moto keeps it), for one message id."""
    def sent(message_id: str) -> list[dict[str, Any]]:
        return [mail for mail in accepted_mail() if message_id in mail["body"]]
    return sent


@pytest.fixture
def ses_outage(local_aws: LocalAws) -> Iterator[Callable[[], None]]:
    """SES refuses to send (MessageRejected) until the sender is verified again."""
    ses = local_aws.session.client("ses")
    ses.delete_identity(Identity=MAIL_FROM)
    yield lambda: ses.verify_email_identity(EmailAddress=MAIL_FROM)
    ses.verify_email_identity(EmailAddress=MAIL_FROM)


VALID = {"name": "Ada", "email": "ada@example.com", "message": "Hello!"}


@pytest.fixture
def make_notifier(local_aws: LocalAws, fresh_table: str) -> Callable[..., Outbox]:
    """The owner notifications' outbox on the test table; override the clock,
    attempts or metrics."""
    def make(**overrides: Any) -> Outbox:
        options: dict[str, Any] = {"metrics": RecordingMetrics(), **overrides}
        kind = OwnerNotifications(local_aws.session.client("ses"), sender=MAIL_FROM,
                                  owner=OWNER_EMAIL)
        return Outbox(local_aws.session.client("dynamodb"), fresh_table, kind, **options)
    return make
