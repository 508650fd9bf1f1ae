"""No log line carries what a visitor wrote, their name or their address
(issue 25, section 4): a hostile message is walked through every path that
logs (the post, a refused post, a form post with an autoresponse, the stream's
first attempts, SES refusing a reply with the visitor's address in its error,
the retry schedule, the dashboard, TTL expiry) and everything the app wrote
to stdout, where Lambda's log comes from, is searched for it."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.dashboard.reply_mail import ReplyMail
from chalicelib.http.log import without_addresses
from chalicelib.outbox.outbox import Outbox
from devstack.triggers import StreamPump
from tests.conftest import JSON, MAIL_FROM, OWNER_EMAIL, LocalAws
from tests.support.metrics import RecordingMetrics

MARK = uuid.uuid4().hex[:10]
NAME = f"Zed{MARK} Quux"
ADDRESS = f"zed.{MARK}@visitor.example.org"
TEXT = f"My secret{MARK} is in here; call me at {ADDRESS}"
SUBJECT = f"Private{MARK} matter"


class RefusingSes:
    """SES in its sandbox: the refusal names the unverified recipient."""

    def send_email(self, **kwargs: Any) -> Any:
        to = kwargs["Destination"]["ToAddresses"][0]
        raise ClientError({"Error": {"Code": "MessageRejected", "Message": (
            "Email address is not verified. The following identities failed the check in "
            f"region US-EAST-1: {to}")}}, "SendEmail")


def test_a_line_that_names_an_address_says_address_instead() -> None:
    assert without_addresses(f"failed for {ADDRESS} and <b@c.io>") == \
        "failed for <address> and <<address>>"


@pytest.mark.usefixtures("fresh_table")
def test_no_log_line_carries_the_visitor_s_text_name_or_address(
        client: Any, as_admin: dict[str, str], submit: Callable[..., Any], pump: StreamPump,
        ses_outage: Callable[[], None], put_form: Callable[..., Any],
        sweep_ttl: Callable[[float], int], local_aws: LocalAws, fresh_table: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    hostile = {"name": NAME, "email": ADDRESS, "subject": SUBJECT, "message": TEXT}
    message_id = submit(hostile).json_body["id"]
    # Refused posts: too long, a bad address, a header injection, a bad body.
    assert submit({**hostile, "message": TEXT * 400}).status_code in (400, 413)
    assert submit({**hostile, "email": f"{NAME} {ADDRESS}"}).status_code == 400
    assert submit({**hostile, "name": f"{NAME}\r\nBcc: {ADDRESS}"}).status_code == 400
    assert client.post("/contact", headers=JSON, body=f'{{"name": "{NAME}'.encode()).status_code \
        == 400
    # A form with an autoresponse to the visitor.
    put_form("quote", {"name": "Quote", "replyTo": "email", "fields": [
        {"name": "name", "label": "Name", "type": "text"},
        {"name": "email", "label": "Email", "type": "email"},
        {"name": "message", "label": "Message", "type": "textarea"}],
        "autoresponse": {"subject": "Thanks", "body": "We got it."}})
    form_post = client.post("/forms/quote", headers=JSON, body=json.dumps(
        {"name": NAME, "email": ADDRESS, "message": TEXT}).encode())
    assert form_post.status_code == 202
    pump.poll_once()  # SES is out: every first attempt fails, and is logged
    ses_outage()
    pump.poll_once()
    # The dashboard: read, reply (SES refusing the visitor's address), list, export.
    assert client.get(f"/dashboard/messages/{message_id}", headers=as_admin).status_code == 200
    reply = client.post(f"/dashboard/messages/{message_id}/replies",
                        headers={**as_admin, **JSON},
                        body=json.dumps({"body": f"Dear {NAME}, about {TEXT}"}).encode())
    assert reply.status_code == 202
    dynamodb = local_aws.session.client("dynamodb")
    refusing = Outbox(dynamodb, fresh_table, ReplyMail(dynamodb, RefusingSes(), fresh_table,
                                                       sender=MAIL_FROM, reply_to=OWNER_EMAIL),
                      metrics=RecordingMetrics(),
                      clock=lambda: datetime.now(UTC) + timedelta(hours=2))
    refusing.retry_due()  # its refusal, naming the visitor, is logged
    assert client.get("/dashboard/messages?status=all", headers=as_admin).status_code == 200
    assert client.get("/dashboard/messages/export", headers=as_admin).status_code == 200
    client.patch(f"/dashboard/messages/{message_id}", headers={**as_admin, **JSON},
                 body=b'{"status": "archived"}')
    # Expiry: TTL deletes it all, and the stream counts it out.
    sweep_ttl((datetime.now(UTC) + timedelta(days=400)).timestamp())
    pump.poll_once()

    logged = capsys.readouterr()
    written = logged.out + logged.err
    refused = [json.loads(line) for line in written.splitlines()
               if line.startswith("{") and '"kind":"reply"' in line]
    assert refused and refused[0]["reason"] == "MessageRejected"  # the code, not SES's text
    for secret in (MARK, ADDRESS, NAME, TEXT, SUBJECT):
        assert secret not in written, f"a log line carries {secret!r}"
