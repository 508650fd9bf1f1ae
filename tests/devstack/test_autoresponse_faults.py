"""Autoresponses on the whole local stack while a third of DynamoDB's calls and
SES's sends fail (devstack/faults.py): once the faults clear, every stored post
has had its autoresponse mailed exactly once, and no refused post any."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.devstack.test_stack_faults import (
    A_THIRD_FAILING,
    MAX_ATTEMPTS,
    draining_stack,
    faults,
    id_token,
    stored_messages,
    wait_for,
)
from tests.support.local_stack import RunningStack, call, sent_mail

SUBMISSIONS = 80
READ_ONLY = ("formId", "builtIn", "version", "updatedAt")


def answer_contact_posts(stack: RunningStack, token: str) -> None:
    """The built-in contact form, given an autoresponse (POST /contact is its route)."""
    forms = stack.info["apiUrl"] + "/dashboard/forms/contact"
    admin = {"Authorization": f"Bearer {token}"}
    contact = call(forms, headers=admin).json()
    edited = {k: v for k, v in contact.items() if k not in READ_ONLY}
    edited["autoresponse"] = {"subject": "Thanks", "body": "Your reference: {{reference}}."}
    assert call(forms, "PUT", edited, admin).status == 200


def submit(stack: RunningStack, marker: str) -> Any:
    # Each from its own address: the one-a-day limit is not what is under test.
    return call(stack.info["apiUrl"] + "/contact", "POST",
                {"name": "Ada", "email": f"{marker}@example.com", "message": f"Hello {marker}"},
                {"Origin": stack.info["allowedOrigins"][0]})


def autoresponses(mails: list[dict[str, Any]], marker: str) -> list[dict[str, Any]]:
    return [mail for mail in mails
            if mail["destinations"]["ToAddresses"] == [f"{marker}@example.com"]]


def test_after_the_faults_clear_every_stored_post_is_answered_exactly_once(
        tmp_path: Path) -> None:
    with draining_stack(tmp_path) as stack:
        token = id_token(stack)
        answer_contact_posts(stack, token)
        faults(stack, "POST", A_THIRD_FAILING)
        markers = [uuid.uuid4().hex[:16] for _ in range(SUBMISSIONS)]
        with ThreadPoolExecutor(10) as pool:
            replies = dict(zip(markers, pool.map(lambda m: submit(stack, m), markers),
                               strict=True))
        accepted = {m: r.json()["id"] for m, r in replies.items() if r.status == 202}
        assert accepted and all(r.status in (202, 503) for r in replies.values())
        # Faults on until some were mailed under them, so that settles fail after
        # SES took a mail.
        assert wait_for(lambda: len(sent_mail(stack.info["awsEndpoint"]))
                        >= len(accepted) // 2, 120)
        injected = faults(stack, "GET")["injected"]
        faults(stack, "DELETE")
        assert injected.get("ses.throttle") and injected.get("dynamodb.error")

        def settled() -> bool:
            return all(m["autoresponse"]["status"] != "pending"
                       for m in stored_messages(stack, token, accepted).values())

        assert wait_for(settled, 120)
        stored = stored_messages(stack, token, accepted)
        mails = sent_mail(stack.info["awsEndpoint"])

    assert {m["message"].removeprefix("Hello "): m["id"] for m in stored.values()} == accepted
    for marker, message_id in accepted.items():
        (mail,) = autoresponses(mails, marker)
        assert mail["body"] == f"Your reference: {message_id}."
        answered = stored[message_id]["autoresponse"]
        assert answered["status"] == "sent" and 1 <= answered["attempts"] <= MAX_ATTEMPTS
    for marker in set(markers) - set(accepted):  # refused (503): stored nothing, mailed nothing
        assert autoresponses(mails, marker) == []
