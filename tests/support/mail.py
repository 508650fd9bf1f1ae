"""Mail the test session's local SES accepted.

The session's local AWS (tests/conftest.py, `local_aws`) runs in this process,
so its SES backend is read directly. Not through `/moto-api/data.json`: moto
builds that dump from every model instance it ever made, and once tests/infra
has deleted an S3 bucket under `mock_aws`, a stale key of that bucket makes
the whole dump a 500.
"""
from __future__ import annotations

from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from devstack.stack import REGION


def accepted_mail() -> list[dict[str, Any]]:
    """Every message SES accepted, oldest first, in data.json's shape."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    return [{"id": m.id, "source": m.source, "subject": m.subject, "body": m.body,
             "destinations": m.destinations} for m in backend.sent_messages]
