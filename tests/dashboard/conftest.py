from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.api.services import Services
from chalicelib.platform.config import Settings
from tests.conftest import JSON, LocalAws
from tests.contact.conftest import VALID, make_notifier, pump, sent_mail, ses_outage, submit
from tests.support.mail import accepted_mail
from tests.support.metrics import RecordingMetrics

__all__ = ["make_notifier", "pump", "sent_mail", "ses_outage", "submit"]


@pytest.fixture
def visitor() -> str:
    """A sender address of this test's own: moto keeps sent mail across tests."""
    return f"visitor-{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture
def message_id(submit: Callable[..., Any], visitor: str) -> str:
    response = submit({**VALID, "email": visitor, "subject": "Pricing",
                       "message": "Hello!\nHow much is it?"})
    assert response.status_code == 202
    return str(response.json_body["id"])


@pytest.fixture
def reply(client: Any, as_admin: dict[str, str]) -> Callable[..., Any]:
    def post(message_id: str, body: Any, key: str | None = None) -> Any:
        headers = {**as_admin, **JSON, **({"Idempotency-Key": key} if key else {})}
        raw = body if isinstance(body, bytes) else json.dumps({"body": body}).encode()
        return client.post(f"/dashboard/messages/{message_id}/replies", headers=headers, body=raw)
    return post


@pytest.fixture
def thread(client: Any, as_admin: dict[str, str]) -> Callable[[str], dict[str, Any]]:
    def get(message_id: str) -> dict[str, Any]:
        response = client.get(f"/dashboard/messages/{message_id}", headers=as_admin)
        assert response.status_code == 200
        return dict(response.json_body)
    return get


@pytest.fixture
def mails_to(local_aws: LocalAws) -> Callable[[str], list[dict[str, Any]]]:
    """Mail SES accepted (moto keeps it) for one recipient."""
    def sent(address: str) -> list[dict[str, Any]]:
        return [mail for mail in accepted_mail() if address in mail["destinations"]["ToAddresses"]]
    return sent


@pytest.fixture
def services(local_aws: LocalAws, fresh_table: str, frontdesk_app: Any) -> Services:
    """The app's services, built again on the test table (for work outside HTTP)."""
    return Services.create(Settings.from_env(), RecordingMetrics())
