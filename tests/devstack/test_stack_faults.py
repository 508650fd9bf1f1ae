"""The whole local stack over HTTP while its AWS misbehaves: retried
transactions, a stream after a failed transaction, and a share of DynamoDB,
SES and JWKS calls failing (devstack/faults.py)."""
from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
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


def submit(stack: RunningStack, marker: str, *, key: str | None = None,
           timeout: float = 15) -> Any:
    """A visitor's post; with `key`, its Idempotency-Key (web/js/contact.js sends one)."""
    origin = stack.info["allowedOrigins"][0]
    return call(stack.info["apiUrl"] + "/contact", "POST",
                {"name": "Ada", "email": "ada@example.com", "message": f"Hello {marker}"},
                {ORIGIN_HEADER: origin, **({"Idempotency-Key": key} if key else {})},
                timeout=timeout)


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


def test_a_submission_stored_though_its_answer_was_lost_is_answered_202_and_mailed_once(
        stack: RunningStack) -> None:
    """Every answer to the storing transaction comes after the app's 5 s read
    timeout, botocore's retries too (the token answers them as the first
    success): the message is stored, and the visitor is told so, not to post
    it again."""
    faults(stack, "POST", {"rules": [{"service": "dynamodb", "kind": "stall", "stallSeconds": 5.5,
                                      "operations": ["TransactWriteItems"]}]})
    marker = uuid.uuid4().hex
    reply = submit(stack, marker, timeout=90)  # 4 timed-out attempts and botocore's backoff
    assert faults(stack, "GET")["injected"]["dynamodb.stall"] >= 4
    faults(stack, "DELETE")
    assert reply.status == 202, reply.body
    assert wait_for(lambda: mails_with(stack, marker) == 1, 30)
    (mail,) = [m for m in sent_mail(stack.info["awsEndpoint"]) if f"Hello {marker}<" in m["body"]]
    assert f"Message id: {reply.json()['id']}<" in mail["body"]


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
    """For any protected route; a stall outlasts the app's 5 s wait for the keys."""
    with running_stack(tmp_path) as fresh:  # no keys fetched and cached yet
        token = id_token(fresh)
        origin = fresh.info["allowedOrigins"][0]
        for kind, path in [("error", "/users"), ("throttle", "/users"),
                           ("error", "/dashboard/stats"), ("stall", "/dashboard/messages")]:
            faults(fresh, "POST", {"rules": [{"service": "jwks", "kind": kind,
                                              "stallSeconds": 6}]})
            refused = call(fresh.info["apiUrl"] + path, headers={
                "Authorization": f"Bearer {token}", ORIGIN_HEADER: origin})
            assert faults(fresh, "GET")["injected"] == {f"jwks.{kind}": 1}
            assert refused.status == 503, (kind, path, refused.body)
            assert refused.json()["error"]["code"] == "service_unavailable"
            assert refused.headers["Retry-After"]
            assert refused.headers["Access-Control-Allow-Origin"] == origin
        faults(fresh, "DELETE")
        assert call(fresh.info["apiUrl"] + "/users",
                    headers={"Authorization": f"Bearer {token}"}).status == 200


# 30% of DynamoDB calls and of SES sends fail, half throttled, half 500s; each
# botocore retry is a fresh draw.
A_THIRD_FAILING = {"seed": 13, "rules": [
    {"service": "dynamodb", "kind": "throttle", "share": 0.15},
    {"service": "dynamodb", "kind": "error", "share": 0.15 / 0.85},
    {"service": "ses", "kind": "throttle", "share": 0.15, "operations": ["SendEmail"]},
    {"service": "ses", "kind": "error", "share": 0.15 / 0.85, "operations": ["SendEmail"]}]}
SUBMISSIONS = 200
# The draining stacks' NOTIFY_MAX_ATTEMPTS. botocore does not retry a send, so
# at 30% of sends failing, 5 attempts all fail for 1 message in 400 (0.3 ** 5);
# 10 make that 1 in 170,000 (0.3 ** 10), and the count is what is under test.
MAX_ATTEMPTS = 10


def submit_while_failing(stack: RunningStack, plan: dict[str, Any] = A_THIRD_FAILING,
                         submissions: int = SUBMISSIONS,
                         markers: list[str] | None = None) -> dict[str, str]:
    """`submissions` contact submissions (of `markers`, if given), ten at a
    time, each with its marker as its Idempotency-Key, with the faults of
    `plan` from then on (the caller clears them). Returns {marker: id} of the
    202s; every other answer must be a 503 a browser can read and retry."""
    faults(stack, "POST", plan)
    origin = stack.info["allowedOrigins"][0]
    markers = markers or [uuid.uuid4().hex for _ in range(submissions)]
    with ThreadPoolExecutor(10) as pool:
        replies = dict(zip(markers, pool.map(lambda marker: submit(stack, marker, key=marker),
                                             markers), strict=True))
    accepted = {m: r.json()["id"] for m, r in replies.items() if r.status == 202}
    assert accepted
    for reply in replies.values():
        if reply.status == 202:
            continue
        assert reply.status == 503, reply.body
        assert reply.json()["error"]["code"] == "service_unavailable"
        assert reply.headers["Retry-After"]
        assert reply.headers["Access-Control-Allow-Origin"] == origin
    return accepted


def posted_again(stack: RunningStack, markers: Iterable[str],
                 accepted: dict[str, str]) -> dict[str, str]:
    """What a browser does with a 503: post the same again, with the same
    Idempotency-Key, until it is answered (docs/api.md). A 503 whose message was
    stored after all (its answer lost, and the check of it too) gets its first
    answer then; one that stored nothing is stored now. Returns {marker: id} of all."""
    answered = dict(accepted)
    for marker in markers:
        for _ in range(20):  # a 503 under the machine's load, not the faults, cleared
            if marker in answered:
                break
            reply = submit(stack, marker, key=marker)
            if reply.status == 202:
                answered[marker] = reply.json()["id"]
            else:
                assert reply.status == 503, reply.body
                time.sleep(1)
        assert marker in answered, marker
    return answered


def dashboard_page(stack: RunningStack, token: str, query: str) -> Any:
    """One page of the dashboard's list; a read answered 503 (the machine's load
    slowing the local AWS past the app's timeout, the faults cleared) is read again."""
    for _ in range(10):
        reply = call(stack.info["apiUrl"] + "/dashboard/messages?" + query,
                     headers={"Authorization": f"Bearer {token}"}, timeout=60)
        if reply.status != 503:
            break
        time.sleep(1)
    assert reply.status == 200, reply.body
    return reply.json()


def stored_messages(stack: RunningStack, token: str,
                    markers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored messages of these submissions, by id, as the dashboard lists them."""
    wanted = set(markers)
    stored: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        page = dashboard_page(stack, token, "status=new&limit=100"
                              + (f"&cursor={cursor}" if cursor else ""))
        stored.update({item["id"]: item for item in page["items"]
                       if item["message"].removeprefix("Hello ") in wanted})
        cursor = page["nextCursor"]
        if not cursor:
            return stored


def test_contact_submissions_while_a_third_of_dynamodb_and_ses_calls_fail(
        stack: RunningStack) -> None:
    """On the stack whose schedule waits an hour: what is mailed, the stream mailed."""
    accepted = submit_while_failing(stack)
    injected = faults(stack, "GET")["injected"]
    assert injected.get("dynamodb.throttle") and injected.get("dynamodb.error")
    faults(stack, "DELETE")
    token = id_token(stack)
    stored = stored_messages(stack, token, accepted)
    # Every 202 is stored, under the id it answered; nothing refused was.
    assert {m["message"].removeprefix("Hello "): m["id"] for m in stored.values()} == accepted

    def mailed_once_if_sent() -> int:
        """Checked at one instant: a message is settled as sent only after SES took
        it, so "sent" means mailed exactly once; any other state, at most once."""
        messages = stored_messages(stack, token, accepted)  # first: "sent" here was mailed before
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
                                for m in stored_messages(stack, token, accepted).values())
                    >= len(accepted) // 10, 30)
    assert mailed_once_if_sent() >= len(accepted) // 10


def draining_stack(directory: Path) -> Any:
    """A stack running the whole retry schedule in seconds (docs/deploy.md:
    OUTBOX_BACKOFF_SECONDS, OUTBOX_CLAIM_SECONDS; docs/development.md: SCHEDULE_SECONDS)."""
    return running_stack(directory, SCHEDULE_SECONDS="1", OUTBOX_BACKOFF_SECONDS="1",
                         OUTBOX_CLAIM_SECONDS="30", CONTACT_RATE_LIMIT="100000",
                         NOTIFY_MAX_ATTEMPTS=str(MAX_ATTEMPTS))


def drained(stack: RunningStack, token: str, accepted: dict[str, str]) -> dict[str, Any]:
    """Once nothing is pending: every 202 stored once under its id, and sent."""
    def nothing_pending() -> bool:
        return all(m["notification"]["status"] != "pending"
                   for m in stored_messages(stack, token, accepted).values())

    # A deadline for the background retries to finish, not a speed check.
    assert wait_for(nothing_pending, 120)
    stored = stored_messages(stack, token, accepted)
    assert {m["message"].removeprefix("Hello "): m["id"] for m in stored.values()} == accepted
    assert all(m["notification"]["status"] == "sent" for m in stored.values())
    return stored


def mails_of(mails: list[dict[str, Any]], message_id: str) -> list[dict[str, Any]]:
    return [mail for mail in mails if f"Message id: {message_id}<" in mail["body"]]


def repeats_explained(stack_log: str) -> Counter[str]:
    """By message id, the attempts the stack logged that may have mailed it once
    more (docs/data-model.md, "What can still mail a delivery twice"): a send
    whose answer came after its read timeout, SES having maybe taken the mail
    (SendEmail takes no token), and a sent delivery whose settle was given up.
    The faults injected never cause either (refused calls are not applied); the
    machine's load can, when the local AWS answers a send after 5 s."""
    explained: Counter[str] = Counter()
    for line in stack_log.splitlines():
        if "frontdesk.outbox" not in line or "kind=notification" not in line:
            continue
        lost_answer = "delivery failed" in line and "reason=ReadTimeoutError" in line
        given_up = "delivery not settled" in line and "sentTwiceThen=True" in line
        key = next((w for w in line.split() if w.startswith("key=MSG#")), None)
        if key and (lost_answer or given_up):
            explained[key.removeprefix("key=MSG#")] += 1
    return explained


def test_after_the_faults_clear_every_stored_message_is_mailed_exactly_once(
        tmp_path: Path) -> None:
    with draining_stack(tmp_path) as draining:
        token = id_token(draining)  # before the faults: signing in is not under test here
        markers = [uuid.uuid4().hex for _ in range(SUBMISSIONS)]
        accepted = submit_while_failing(draining, markers=markers)

        # The faults stay on until half the messages were mailed under them, so
        # that settles fail after SES took the mail: 1 in 81 (0.3 ** 4, after
        # botocore's retries) would then be mailed again without the outbox's
        # settle retries. Deliveries crawl meanwhile: botocore backs off from
        # each throttle, for up to a second.
        assert wait_for(lambda: len(sent_mail(draining.info["awsEndpoint"]))
                        >= len(accepted) // 2, 120)
        injected = faults(draining, "GET")["injected"]
        faults(draining, "DELETE")
        assert injected.get("dynamodb.throttle") and injected.get("dynamodb.error")
        assert injected.get("ses.throttle") and injected.get("ses.error")
        # Every submission is now stored once, whether its 503 had stored it or not.
        accepted = posted_again(draining, markers, accepted)
        stored = drained(draining, token, accepted)
        mails = sent_mail(draining.info["awsEndpoint"])
    explained = repeats_explained(draining.log.read_text())

    assert len(set(accepted.values())) == SUBMISSIONS
    for marker, message_id in accepted.items():
        mailed = mails_of(mails, message_id)
        # Once; more only as the stack logged a send whose answer was lost.
        assert 1 <= len(mailed) <= 1 + explained[message_id], (message_id, len(mailed))
        assert all(f"Hello {marker}<" in mail["body"] for mail in mailed)
        assert len(mailed) <= stored[message_id]["notification"]["attempts"] <= MAX_ATTEMPTS
    # The stack was this test's alone: no other mail.
    assert len(mails) == sum(len(mails_of(mails, i)) for i in accepted.values())


# A tenth of SES's sends answered after the app's read timeout (5 s): SES took
# the mail, the app cannot know it.
SENDS_STALLING = {"seed": 29, "rules": [
    {"service": "ses", "kind": "stall", "share": 0.1, "stallSeconds": 5.5,
     "operations": ["SendEmail"]}]}
STALLED_SUBMISSIONS = 40


def test_a_mail_sent_again_after_a_stalled_send_shows_each_attempt_within_the_bound(
        tmp_path: Path) -> None:
    """SendEmail has no idempotency token, so a stalled send may be repeated
    (docs/data-model.md): by the outbox only, each time an attempt on the record."""
    with draining_stack(tmp_path) as draining:
        token = id_token(draining)
        accepted = submit_while_failing(draining, SENDS_STALLING, STALLED_SUBMISSIONS)
        assert len(accepted) == STALLED_SUBMISSIONS  # DynamoDB is fine

        assert wait_for(lambda: len(sent_mail(draining.info["awsEndpoint"]))
                        >= STALLED_SUBMISSIONS, 120)
        stalled = faults(draining, "GET")["injected"].get("ses.stall", 0)
        faults(draining, "DELETE")
        stored = drained(draining, token, accepted)
        mails = sent_mail(draining.info["awsEndpoint"])

    assert stalled  # the seed makes some; each one was a mail SES took
    repeats = 0
    for message_id, message in stored.items():
        mailed, attempts = len(mails_of(mails, message_id)), message["notification"]["attempts"]
        assert 1 <= mailed <= attempts <= MAX_ATTEMPTS, (message_id, mailed, attempts)
        repeats += mailed - 1
    # Each stalled send was taken by SES and then sent once more by the outbox,
    # never by botocore; the stack was this test's alone.
    assert repeats == stalled
    assert len(mails) == len(accepted) + stalled
