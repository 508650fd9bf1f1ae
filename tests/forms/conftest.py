from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.forms.store import FormStore
from tests.conftest import JSON, LocalAws

# A valid definition using every field type and rule.
QUOTE: dict[str, Any] = {
    "name": "Quote request",
    "fields": [
        {"name": "name", "label": "Your name", "type": "text", "required": True},
        {"name": "email", "label": "Email", "type": "email", "required": True},
        {"name": "phone", "label": "Phone", "type": "tel"},
        {"name": "site", "label": "Your site", "type": "url", "maxLength": 300},
        {"name": "qty", "label": "How many", "type": "number", "min": 1, "max": 500},
        {"name": "by", "label": "Needed by", "type": "date"},
        {"name": "plan", "label": "Plan", "type": "select", "options": ["Basic", "Pro"]},
        {"name": "terms", "label": "I agree", "type": "checkbox", "required": True},
        {"name": "details", "label": "Details", "type": "textarea", "maxLength": 2000},
    ],
    "recipients": ["sales@example.com"],
    "replyTo": "email",
    "extraFields": "keep",
    "captcha": True,
    "autoresponse": {"subject": "We got your {{form}}",
                     "body": "Reference {{reference}}, received {{date}}."},
}
MINIMAL: dict[str, Any] = {"name": "Newsletter",
                           "fields": [{"name": "email", "label": "Email", "type": "email"}]}


@pytest.fixture
def store(local_aws: LocalAws, fresh_table: str) -> FormStore:
    return FormStore(local_aws.session.client("dynamodb"), fresh_table)


@pytest.fixture
def put_form(client: Any, as_admin: dict[str, str]) -> Callable[..., Any]:
    def put(form_id: str, body: dict[str, Any] | bytes, **headers: str) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return client.put(f"/dashboard/forms/{form_id}", headers={**as_admin, **JSON, **headers},
                          body=raw)
    return put
