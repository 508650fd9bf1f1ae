"""The test world: an offline guard, one moto server for the session, provisioned
exactly as `make dev` provisions it, the app imported against it, a Chalice
test client behind the parity gateway, and real Cognito tokens.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from tests.support import aws_calls, offline
from tests.support.client import parity_client
from tests.support.cognito import Tokens, demo_role

offline.install()
# Records every AWS call of the session for tests/iam (before any boto3 session exists).
aws_calls.install()


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    aws_calls.order_conformance_last(config, items)

TEST_ORIGIN = "http://localhost:8080"
OTHER_ALLOWED_ORIGIN = "https://app.example.test"
DISALLOWED_ORIGIN = "https://evil.example.test"
TEST_API_KEY = "test-api-key-0123456789"
MAIL_FROM = "frontdesk@example.com"
OWNER_EMAIL = "owner@example.com"
CONTACT_RATE_LIMIT = 5


@dataclass(frozen=True)
class LocalAws:
    endpoint: str
    session: Any
    table_name: str
    user_pool_id: str
    user_pool_client_id: str
    users: list[dict[str, Any]]


@pytest.fixture(scope="session")
def local_aws() -> Iterator[LocalAws]:
    from chalicelib.platform.config import files_key_parameter
    from chalicelib.platform.parameters import SsmSecret
    from devstack.files import files_server
    from devstack.moto_server import LocalAwsServer
    from devstack.provision import provision
    from devstack.stack import local_aws_environment

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = LocalAwsServer("127.0.0.1", 0).start()
    endpoint = f"http://127.0.0.1:{server.port}"
    os.environ.update(local_aws_environment(endpoint))
    session = boto3.Session()
    resources = provision(session, web_origins=(TEST_ORIGIN, OTHER_ALLOWED_ORIGIN))
    # make dev's stand-in for the files distribution, where downloads are sent.
    files = files_server("127.0.0.1", 0, s3=session.client("s3"),
                         bucket=resources.outputs["AttachmentsBucketName"],
                         key=SsmSecret(session.client("ssm"), files_key_parameter("local")))
    threading.Thread(target=files.serve_forever, daemon=True).start()
    # Everything app.py reads at import must be in os.environ before it is imported.
    os.environ.update({
        "STAGE": "local",
        "TABLE_NAME": resources.table_name,
        "ATTACHMENTS_BUCKET": resources.outputs["AttachmentsBucketName"],
        "FILES_URL": f"http://127.0.0.1:{files.server_address[1]}",
        "ALLOWED_ORIGINS": f"{TEST_ORIGIN},{OTHER_ALLOWED_ORIGIN}",
        "SITE_URL": f"{TEST_ORIGIN}/",  # the site's address, as deploy and `make dev` set it
        "USER_POOL_ID": resources.user_pool_id,
        "USER_POOL_CLIENT_ID": resources.user_pool_client_id,
        "COGNITO_JWKS_URL": f"{endpoint}/{resources.user_pool_id}/.well-known/jwks.json",
        "LOCAL_API_KEY": TEST_API_KEY,
        "MAIL_FROM": MAIL_FROM,
        "OWNER_EMAIL": OWNER_EMAIL,
        "CONTACT_RATE_LIMIT": str(CONTACT_RATE_LIMIT),
    })
    yield LocalAws(endpoint, session, resources.table_name, resources.user_pool_id,
                   resources.user_pool_client_id, resources.users)
    files.shutdown()
    files.server_close()
    server.stop()


@pytest.fixture(scope="session")
def frontdesk_app(local_aws: LocalAws) -> Any:
    import app as app_module

    return app_module.app


@pytest.fixture(scope="session")
def tokens(local_aws: LocalAws) -> Tokens:
    return Tokens(local_aws.session.client("cognito-idp"), local_aws.user_pool_id,
                  local_aws.user_pool_client_id)


@pytest.fixture(scope="session")
def demo_users(local_aws: LocalAws) -> dict[str, dict[str, Any]]:
    return {demo_role(u): u for u in local_aws.users}


@pytest.fixture
def fresh_table(local_aws: LocalAws) -> str:
    """An empty table for each test that asks for one, as the template defines it."""
    from devstack.provision import recreate_table

    recreate_table(local_aws.session.client("dynamodb"), local_aws.table_name)
    return local_aws.table_name


@pytest.fixture
def client(frontdesk_app: Any, fresh_table: str) -> Any:
    with parity_client(frontdesk_app) as http:
        yield http


@pytest.fixture(scope="session")
def admin_token(tokens: Tokens, demo_users: dict[str, dict[str, Any]]) -> str:
    return tokens.id_token(demo_users["admin"]["username"], demo_users["admin"]["password"])


@pytest.fixture(scope="session")
def user_token(tokens: Tokens, demo_users: dict[str, dict[str, Any]]) -> str:
    return tokens.id_token(demo_users["user"]["username"], demo_users["user"]["password"])


@pytest.fixture
def as_admin(admin_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_token}", "Origin": TEST_ORIGIN}


@pytest.fixture
def as_service() -> dict[str, str]:
    return {"X-Api-Key": TEST_API_KEY, "Origin": TEST_ORIGIN}


JSON = {"Content-Type": "application/json"}
