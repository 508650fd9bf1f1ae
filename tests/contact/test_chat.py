"""Chat notifications: each stored message also posted to a webhook through the
outbox, as its own delivery, against devstack's webhook receiver."""
from __future__ import annotations

import html
import json
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.api.services import Services
from chalicelib.contact.chat import ChatNotifications, discord_escape, payload, slack_escape
from chalicelib.contact.model import Message, Notification
from chalicelib.db.clock import utc_now
from chalicelib.outbox.outbox import Outbox
from chalicelib.platform.aws import AwsClients
from chalicelib.platform.config import Settings, chat_webhook_parameter
from chalicelib.platform.parameters import SsmSecret
from devstack.fakes import FakeServices
from tests.conftest import MAIL_FROM, OWNER_EMAIL, LocalAws
from tests.contact.conftest import VALID
from tests.support.metrics import RecordingMetrics


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakeServices]:
    server = FakeServices().start()
    yield server
    server.stop()


@pytest.fixture
def chat_services(local_aws: LocalAws, fresh_table: str, fakes: FakeServices
                  ) -> Callable[..., Services]:
    """The app's services on a stage with chat notifications, posting to `webhook`."""
    def build(fmt: str = "slack", webhook: str = "local", **env: str) -> Services:
        fakes.webhook_posts.clear()
        session = local_aws.session
        session.client("ssm").put_parameter(Name=chat_webhook_parameter("local"),
                                            Value=fakes.webhook_url(webhook),
                                            Type="SecureString", Overwrite=True)
        settings = Settings.from_env({
            "STAGE": "local", "TABLE_NAME": fresh_table, "MAIL_FROM": MAIL_FROM,
            "OWNER_EMAIL": OWNER_EMAIL, "CHAT_FORMAT": fmt, "CONTACT_RATE_LIMIT": "50", **env})
        clients = AwsClients(dynamodb=session.client("dynamodb"), ses=session.client("ses"),
                             ssm=session.client("ssm"))
        return Services.create(settings, RecordingMetrics(), clients)
    return build


def submit(services: Services, **fields: str) -> str:
    response = services.contact_api.submit({**VALID, **fields}, None, "203.0.113.7")
    assert response.status_code == 202
    return str(response.body.id)


def received(fakes: FakeServices) -> list[dict[str, Any]]:
    """What the receiver recorded, read over HTTP as a developer would."""
    with urllib.request.urlopen(fakes.url + "/webhooks", timeout=5) as answer:
        return list(json.load(answer))


def message(text: str, name: str = "Ada", subject: str | None = "Hi",
            email: str = "ada@example.com") -> Message:
    return Message(id="01J00000000000000000000000", name=name, email=email,
                   subject=subject, message=text, status="new",
                   created_at="2026-11-23T10:00:00.000Z", updated_at="2026-11-23T10:00:00.000Z",
                   notification=Notification("pending"))


# -- formats -------------------------------------------------------------------

def test_slack_text_escapes_its_three_control_characters() -> None:
    assert slack_escape("a < b && c > <!channel>") == "a &lt; b &amp;&amp; c &gt; &lt;!channel&gt;"
    text = payload(message("<@U123> <!here> & <https://evil.example|click>"), "slack")["text"]
    assert "<!here>" not in text and "<@U123>" not in text and "<https://evil" not in text
    assert "&lt;!here&gt;" in text


_SLACK_TOKEN = re.compile(r"<([^<>]*)>")


def slack_links(text: str) -> list[tuple[str, str]]:
    """The links Slack reads in mrkdwn: <url|label>, split at the first |."""
    links = []
    for token in _SLACK_TOKEN.findall(text):
        url, _, label = token.partition("|")
        links.append((url, html.unescape(label)))
    return links


# The email rule allows | (and stored addresses may predate a rule): none may
# make Slack read another link, URL or label than the visitor's own address.
@pytest.mark.parametrize("address", [
    "a|evil.example@x.io", "a|<https://evil.example|click>@x.io", "x>y@x.io", "a&b@x.io",
    "a%7Cb@x.io", "plain@example.com",
])
def test_a_slack_link_to_the_sender_is_their_whole_address(address: str) -> None:
    text = payload(message("Hello", email=address), "slack")["text"]
    ((url, label),) = slack_links(text)
    assert url == "mailto:" + urllib.parse.quote(address, safe="@")
    assert "|" not in url and urllib.parse.unquote(url.removeprefix("mailto:")) == address
    assert label == address


def test_the_address_with_a_pipe_is_taken_and_posted_intact(
        chat_services: Callable[..., Services], fakes: FakeServices) -> None:
    services = chat_services("slack")
    submit(services, email="a|evil.example@x.io")
    services.deliveries.retry_due()
    (post,) = received(fakes)
    ((url, label),) = slack_links(post["body"]["text"])
    assert (url, label) == ("mailto:a%7Cevil.example@x.io", "a|evil.example@x.io")


def test_discord_and_json_carry_an_address_with_a_pipe_as_text() -> None:
    address = "a|evil.example@x.io"
    content = payload(message("Hello", email=address), "discord")["content"]
    # | escaped (no spoiler markup), @ broken (no mention)
    assert "(a\\|evil.example@\u200bx.io)" in content
    assert payload(message("Hello", email=address), "json")["email"] == address


def test_discord_mentions_are_never_pinged() -> None:
    body = payload(message("@everyone @here <@123> <@&456>", name="@everyone"), "discord")
    assert body["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in body["content"] and "@here" not in body["content"]
    assert "<@123>" not in body["content"]
    assert discord_escape("**bold**") == "\\*\\*bold\\*\\*"


def test_discord_content_stays_within_its_limit() -> None:
    assert len(payload(message("x" * 5000), "discord")["content"]) == 2000


def test_json_is_the_message_as_fields() -> None:
    body = payload(message("Hello <b>"), "json")
    assert body["message"] == "Hello <b>" and body["email"] == "ada@example.com"
    assert body["type"] == "contact_message"


def test_the_post_never_waits_more_than_three_seconds() -> None:
    seen: list[float] = []

    def opener(request: Any, timeout: float) -> Any:
        seen.append(timeout)
        raise TimeoutError()

    kind = ChatNotifications(lambda: "http://chat.invalid/hook", fmt="json", opener=opener,
                             timeout_seconds=60)
    payload = {**kind.new_delivery(message("hi")).delivery["payload"], "format": "json"}
    with pytest.raises(Exception, match="TimeoutError"):
        kind.send(payload)
    assert seen == [3.0]


# -- through the outbox ----------------------------------------------------------

def test_each_stored_message_is_posted_once_beside_its_email(
        chat_services: Callable[..., Services], fakes: FakeServices, client: Any,
        as_admin: dict[str, str]) -> None:
    services = chat_services("slack")
    message_id = submit(services, message="Hello <team> & all")
    assert services.deliveries.retry_due() == 2  # the email and the chat post
    assert services.deliveries.retry_due() == 0  # nothing twice
    (post,) = received(fakes)
    assert post["webhook"] == "local" and post["contentType"] == "application/json"
    assert "Hello &lt;team&gt; &amp; all" in post["body"]["text"]
    detail = client.get(f"/dashboard/messages/{message_id}", headers=as_admin).json_body
    assert detail["notification"]["status"] == "sent"
    assert detail["chat"]["status"] == "sent" and detail["chat"]["attempts"] == 1
    stats = client.get("/dashboard/stats", headers=as_admin).json_body
    assert stats["deliveries"]["chat"] == {"pending": 0, "failed": 0}


def test_a_failing_webhook_is_retried_with_backoff_and_never_holds_up_the_email(
        chat_services: Callable[..., Services], fakes: FakeServices, client: Any,
        as_admin: dict[str, str], local_aws: LocalAws, fresh_table: str) -> None:
    services = chat_services("discord", webhook="fail-always", NOTIFY_MAX_ATTEMPTS="2")
    message_id = submit(services)
    assert services.deliveries.retry_due() == 1  # only the email
    detail = client.get(f"/dashboard/messages/{message_id}", headers=as_admin).json_body
    assert detail["notification"]["status"] == "sent"
    chat = detail["chat"]
    assert (chat["status"], chat["attempts"], chat["lastError"]) == ("pending", 1, "HTTP 500")
    assert chat["nextAttemptAt"] > detail["createdAt"]
    stats = client.get("/dashboard/stats", headers=as_admin).json_body
    assert stats["deliveries"] == {"email": {"pending": 0, "failed": 0},
                                   "chat": {"pending": 1, "failed": 0}}
    assert services.deliveries.retry_due() == 0  # not due yet: backoff
    later = utc_now() + timedelta(hours=2)
    chat_outbox = Outbox(local_aws.session.client("dynamodb"), fresh_table, ChatNotifications(
        SsmSecret(local_aws.session.client("ssm"), chat_webhook_parameter("local")),
        fmt="discord"), metrics=RecordingMetrics(), max_attempts=2, clock=lambda: later)
    assert chat_outbox.retry_due() == 0
    detail = client.get(f"/dashboard/messages/{message_id}", headers=as_admin).json_body
    assert detail["chat"]["status"] == "failed" and detail["chat"]["attempts"] == 2
    stats = client.get("/dashboard/stats", headers=as_admin).json_body
    assert stats["deliveries"]["chat"] == {"pending": 0, "failed": 1}
    assert len(received(fakes)) == 2


def test_deleting_a_message_deletes_its_waiting_chat_post(
        chat_services: Callable[..., Services], fakes: FakeServices, client: Any,
        as_admin: dict[str, str]) -> None:
    services = chat_services("json")
    message_id = submit(services)
    assert client.delete(f"/dashboard/messages/{message_id}",
                         headers=as_admin).status_code == 204
    assert services.deliveries.retry_due() == 0
    assert received(fakes) == []
    stats = client.get("/dashboard/stats", headers=as_admin).json_body
    assert stats["deliveries"]["chat"] == {"pending": 0, "failed": 0}
    assert stats["notifications"] == {"pending": 0, "failed": 0}


def test_without_chat_no_chat_delivery_is_stored(client: Any, as_admin: dict[str, str]) -> None:
    response = client.post("/contact", headers={"Content-Type": "application/json"},
                           body=json.dumps(VALID).encode())
    detail = client.get(f"/dashboard/messages/{response.json_body['id']}",
                        headers=as_admin).json_body
    assert "chat" not in detail


def test_settings_refuse_an_unknown_chat_format() -> None:
    from chalicelib.platform.config import ConfigError

    with pytest.raises(ConfigError, match="CHAT_FORMAT"):
        Settings.from_env({"STAGE": "local", "CHAT_FORMAT": "teams"})
    assert Settings.from_env({"STAGE": "dev", "CHAT_FORMAT": "Slack"}).chat_webhook_parameter \
        == "/frontdesk/dev/chat-webhook"

