"""A send is made once per outbox attempt: botocore never repeats SendEmail,
whose request SES may already have taken when its answer is late."""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from moto.ses.models import ses_backends

from chalicelib.outbox.timing import SEND_READ_TIMEOUT_SECONDS
from chalicelib.platform.aws import SEND_CONFIG, AwsClients
from chalicelib.platform.config import Settings
from devstack.moto_server import LocalAwsServer
from tests.conftest import LocalAws

ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalAwsServer]:
    local = LocalAwsServer("127.0.0.1", 0).start()
    yield local
    local.stop()


def faults(server: LocalAwsServer, method: str, body: Any = None) -> Any:
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/_frontdesk/faults",
                                     method=method, data=json.dumps(body).encode() if body else None)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_the_apps_ses_client_is_built_with_the_send_config(local_aws: LocalAws) -> None:
    clients = AwsClients.create(Settings.from_env({"STAGE": "local"}))
    assert clients.ses.meta.config.retries == {"mode": "standard", "total_max_attempts": 1}
    assert clients.ses.meta.config.read_timeout == SEND_READ_TIMEOUT_SECONDS
    assert clients.dynamodb.meta.config.retries["total_max_attempts"] > 1  # its writes still retry


def test_a_send_whose_answer_is_late_is_not_repeated_by_botocore(server: LocalAwsServer) -> None:
    ses = boto3.client("ses", endpoint_url=f"http://127.0.0.1:{server.port}", region_name=REGION,
                       aws_access_key_id="local", aws_secret_access_key="local",
                       config=SEND_CONFIG)
    ses.verify_email_identity(EmailAddress="from@example.com")
    before = len(ses_backends[ACCOUNT][REGION].sent_messages)
    faults(server, "POST", {"rules": [{"service": "ses", "kind": "stall", "operations": ["SendEmail"],
                                       "stallSeconds": SEND_READ_TIMEOUT_SECONDS + 0.5}]})
    try:
        with pytest.raises(ReadTimeoutError):
            ses.send_email(Source="from@example.com", Destination={"ToAddresses": ["a@example.com"]},
                           Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
        # SES took it once; the default config would have sent it three times.
        assert faults(server, "GET")["injected"] == {"ses.stall": 1}
        assert len(ses_backends[ACCOUNT][REGION].sent_messages) == before + 1
    finally:
        faults(server, "DELETE")
