"""The whole local stack over HTTP while its AWS misbehaves: retried
transactions, a stream after a failed transaction, and a share of DynamoDB,
SES and JWKS calls failing (devstack/faults.py)."""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.support.local_stack import RunningStack, call, running_stack, sent_mail

ORIGIN_HEADER = "Origin"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    # The schedule runs every second only where a test says so (below); here
    # an hour, so what is mailed was mailed from the stream.
    with running_stack(tmp_path_factory.mktemp("stack"), SCHEDULE_SECONDS="3600",
                       CONTACT_RATE_LIMIT="100000") as running:
        yield running


def faults(stack: RunningStack, method: str, body: Any = None) -> Any:
    return call(f"{stack.info['awsEndpoint']}/_frontdesk/faults", method, body).json()


@pytest.fixture(autouse=True)
def no_faults_after(stack: RunningStack) -> Iterator[None]:
    yield
    faults(stack, "DELETE")


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """A deadline for something that happens in the background, not a speed check."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def new_user(stack: RunningStack, email: str) -> Any:
    return call(stack.info["apiUrl"] + "/service/users", "POST",
                {"name": "Retry Test", "email": email}, {"X-Api-Key": stack.info["apiKey"]})


def submit(stack: RunningStack, marker: str) -> Any:
    origin = stack.info["allowedOrigins"][0]
    return call(stack.info["apiUrl"] + "/contact", "POST",
                {"name": "Ada", "email": "ada@example.com", "message": f"Hello {marker}"},
                {ORIGIN_HEADER: origin})


def mails_with(stack: RunningStack, marker: str) -> int:
    return sum(f"Hello {marker}<" in mail["body"] for mail in sent_mail(stack.info["awsEndpoint"]))


def test_a_create_whose_answer_timed_out_is_answered_as_created(stack: RunningStack) -> None:
    """The app's client gives up after 5 s and retries with the same
    ClientRequestToken; the local AWS, as DynamoDB, answers the first success."""
    faults(stack, "POST", {"rules": [{"service": "dynamodb", "kind": "stall", "stallSeconds": 5.5,
                                      "operations": ["TransactWriteItems"], "count": 1}]})
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    created = new_user(stack, email)
    assert faults(stack, "GET")["injected"] == {"dynamodb.stall": 1}
    assert created.status == 201, created.body
    assert new_user(stack, email).status == 409  # stored once, and only once


def test_a_message_after_a_failed_transaction_is_mailed_from_the_stream(stack: RunningStack) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    assert new_user(stack, email).status == 201
    assert new_user(stack, email).status == 409  # a cancelled transaction
    marker = uuid.uuid4().hex
    assert submit(stack, marker).status == 202
    assert wait_for(lambda: mails_with(stack, marker) == 1, 10)


def id_token(stack: RunningStack) -> str:
    # The admin without MFA (a TOTP-enrolled demo account answers with a challenge).
    admin = next(u for u in stack.info["users"]
                 if "admin" in u["groups"] and "totpSecret" not in u)
    cognito = boto3.client("cognito-idp", endpoint_url=stack.info["awsEndpoint"],
                           region_name=stack.info["region"], aws_access_key_id="local",
                           aws_secret_access_key="local")
    result = cognito.initiate_auth(ClientId=stack.info["userPoolClientId"],
                                   AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": admin["username"],
                                                   "PASSWORD": admin["password"]})
    return str(result["AuthenticationResult"]["IdToken"])


def test_signing_keys_unreachable_is_503_not_401(tmp_path: Path) -> None:
    with running_stack(tmp_path) as fresh:  # no keys fetched and cached yet
        token = id_token(fresh)
        origin = fresh.info["allowedOrigins"][0]
        for kind in ("error", "throttle"):
            faults(fresh, "POST", {"rules": [{"service": "jwks", "kind": kind}]})
            refused = call(fresh.info["apiUrl"] + "/users", headers={
                "Authorization": f"Bearer {token}", ORIGIN_HEADER: origin})
            assert refused.status == 503, (kind, refused.body)
            assert refused.json()["error"]["code"] == "service_unavailable"
            assert refused.headers["Retry-After"]
            assert refused.headers["Access-Control-Allow-Origin"] == origin
        faults(fresh, "DELETE")
        assert call(fresh.info["apiUrl"] + "/users",
                    headers={"Authorization": f"Bearer {token}"}).status == 200


def test_contact_submissions_while_a_third_of_dynamodb_and_ses_calls_fail(
        stack: RunningStack) -> None:
    faults(stack, "POST", {"seed": 13, "rules": [
        {"service": "dynamodb", "kind": "throttle", "share": 0.15},
        {"service": "dynamodb", "kind": "error", "share": 0.15 / 0.85},
        {"service": "ses", "kind": "throttle", "share": 0.3, "operations": ["SendEmail"]}]})
    origin = stack.info["allowedOrigins"][0]
    markers = [uuid.uuid4().hex for _ in range(200)]
    with ThreadPoolExecutor(8) as pool:
        replies = dict(zip(markers, pool.map(lambda marker: submit(stack, marker), markers), strict=True))
    injected = faults(stack, "GET")["injected"]
    faults(stack, "DELETE")

    accepted = {m: r.json()["id"] for m, r in replies.items() if r.status == 202}
    refused = [r for r in replies.values() if r.status != 202]
    assert injected.get("dynamodb.throttle") and injected.get("dynamodb.error")
    assert len(accepted) + len(refused) == 200 and accepted
    for reply in refused:
        assert reply.status == 503, reply.body
        assert reply.json()["error"]["code"] == "service_unavailable"
        assert reply.headers["Retry-After"]
        assert reply.headers["Access-Control-Allow-Origin"] == origin

    token = id_token(stack)

    def stored_messages() -> dict[str, dict[str, Any]]:
        stored: dict[str, dict[str, Any]] = {}
        cursor = None
        while True:
            page = call(stack.info["apiUrl"] + "/dashboard/messages?status=new&limit=100"
                        + (f"&cursor={cursor}" if cursor else ""),
                        headers={"Authorization": f"Bearer {token}"}).json()
            stored.update({item["id"]: item for item in page["items"]
                           if item["message"].removeprefix("Hello ") in replies})
            cursor = page["nextCursor"]
            if not cursor:
                return stored

    stored = stored_messages()
    # Every 202 is stored, under the id it answered; nothing refused was.
    assert {m["message"].removeprefix("Hello "): m["id"] for m in stored.values()} == accepted

    def mailed_once_if_sent() -> int:
        """Checked at one instant: a message is settled as sent only after SES took
        it, so "sent" means mailed exactly once; any other state, at most once."""
        messages = stored_messages()  # first: whatever is "sent" here was mailed before
        mails = sent_mail(stack.info["awsEndpoint"])
        sent = 0
        for message in messages.values():
            mailed = sum(f"Message id: {message['id']}<" in mail["body"] for mail in mails)
            if message["notification"]["status"] == "sent":
                sent += 1
                assert mailed == 1, message
            else:  # pending: the stream has not reached it yet, or the schedule retries it
                assert mailed <= 1, message
        return sent

    # The stream keeps delivering after hundreds of failed and cancelled calls.
    assert wait_for(lambda: sum(m["notification"]["status"] == "sent"
                                for m in stored_messages().values()) >= len(accepted) // 10, 30)
    assert mailed_once_if_sent() >= len(accepted) // 10
