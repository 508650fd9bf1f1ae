"""Chat notifications: each stored contact message also posted to a webhook
(Slack, Discord, or any URL that takes JSON), as a delivery kind of the outbox.

The post is a delivery of its own (chalicelib/outbox/kind.py), requested in
the transaction that stores the message, so it has its own status, attempts
and backoff: a failing webhook never holds back the owner's email, nor the
email the webhook. It carries the message's text and the stage's format as
they were when it was requested; it is deleted with its message.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from chalicelib.contact.model import Message
from chalicelib.core.domain_errors import DependencyUnavailable
from chalicelib.db import keys
from chalicelib.forms.builtin import CONTACT_ID
from chalicelib.outbox.kind import DeliveryKind, TemporaryFailure
from chalicelib.outbox.kinds import CHAT, Requested, request
from chalicelib.platform.config import CHAT_FORMATS

FORMATS = CHAT_FORMATS
POST_TIMEOUT_SECONDS = 3.0
# Discord cuts a message's content at 2,000 characters; Slack's text at 40,000.
DISCORD_LIMIT = 2000


class WebhookFailed(TemporaryFailure):
    """The webhook did not take the post (unreachable, timed out, non-2xx): retried."""


def slack_escape(text: str) -> str:
    # Slack's mrkdwn treats only these three as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_mailto(address: str) -> str:
    """A Slack link `<mailto:…|label>` to `address`, showing it. The first `|`
    ends a link's URL, and the email rule allows `|` in an address
    (`a|evil.example@x.io` would show `evil.example@x.io` as the label): so
    the URL is percent-encoded (all but `@`; mail programs decode a mailto
    URL, RFC 6068), and the label escaped."""
    return f"<mailto:{urllib.parse.quote(address, safe='@')}|{slack_escape(address)}>"


_DISCORD_MARKUP = re.compile(r"([\\*_~`|>\[\]()#-])")


def discord_escape(text: str) -> str:
    """Markdown escaped, and every @ broken with a zero-width space so that
    `@everyone`, `@here` and `<@id>` mentions are text (allowed_mentions says
    the same to Discord itself)."""
    return _DISCORD_MARKUP.sub(r"\\\1", text).replace("@", "@\u200b")


def _form_payload(message: Message, fmt: str) -> dict[str, Any]:
    """A post to a form other than contact: its form named, every field with its label."""
    form = message.form_name or message.form_id
    if fmt == "json":
        return {"type": "form_message", "id": message.id, "formId": message.form_id,
                "formName": form, "email": message.email, "subject": message.subject,
                "fields": [f.to_item() for f in message.shown_fields],
                "extra": dict(message.extra), "createdAt": message.created_at}
    escape = slack_escape if fmt == "slack" else discord_escape
    who = message.name or message.email or "someone"
    lines = [f"New message to the form {escape(form)} from {escape(who)}"]
    if message.subject:
        lines.append(f"*{escape(message.subject)}*" if fmt == "slack"
                     else f"**{escape(message.subject)}**")
    for field in message.shown_fields:
        value = field.value if isinstance(field.value, str) else ("yes" if field.value else "no")
        lines.append(f"{escape(field.label)}: {escape(value)}")
    lines += [f"{escape(name)}: {escape(value)}" for name, value in message.extra.items()]
    content = "\n".join(lines)
    if fmt == "slack":
        return {"text": content}
    if len(content) > DISCORD_LIMIT:
        content = content[:DISCORD_LIMIT - 1] + "…"
    return {"content": content, "allowed_mentions": {"parse": []}}


def payload(message: Message, fmt: str) -> dict[str, Any]:
    if message.form_id != CONTACT_ID:
        return _form_payload(message, fmt)
    subject = message.subject or "(no subject)"
    name, email, text = message.name or "", message.email or "", message.message or ""
    if fmt == "slack":
        return {"text": f"New contact message from {slack_escape(name)} "
                        f"{slack_mailto(email) if email else ''}\n"
                        f"*{slack_escape(subject)}*\n{slack_escape(text)}"}
    if fmt == "discord":
        content = (f"New contact message from {discord_escape(name)} "
                   f"({discord_escape(email)})\n**{discord_escape(subject)}**\n"
                   f"{discord_escape(text)}")
        if len(content) > DISCORD_LIMIT:
            content = content[:DISCORD_LIMIT - 1] + "…"
        return {"content": content, "allowed_mentions": {"parse": []}}
    return {"type": "contact_message", "id": message.id, "name": message.name,
            "email": message.email, "subject": message.subject, "message": message.message,
            "createdAt": message.created_at}


Opener = Callable[..., Any]


class ChatNotifications(DeliveryKind, declared=CHAT):
    def __init__(self, webhook_url: Callable[[], str], *, fmt: str,
                 opener: Opener = urllib.request.urlopen,
                 timeout_seconds: float = POST_TIMEOUT_SECONDS) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"chat format must be one of {', '.join(FORMATS)}, got {fmt!r}")
        self._webhook_url = webhook_url
        self.format = fmt
        self._open = opener
        self._timeout = min(timeout_seconds, POST_TIMEOUT_SECONDS)

    def new_delivery(self, message: Message) -> Requested:
        """`message` to be posted, due now."""
        return request(CHAT, keys.message(message.id), delivery_id=message.id,
                       due=message.created_at, payload={**message.payload(), "format": self.format})

    def send(self, carried: dict[str, Any]) -> None:
        message = Message.from_payload(carried)
        body = json.dumps(payload(message, str(carried.get("format", self.format)))).encode()
        try:
            url = self._webhook_url()
        except DependencyUnavailable as exc:  # SSM busy, or the parameter not created yet
            raise WebhookFailed("the webhook URL could not be read") from exc
        if not url.startswith(("https://", "http://")):  # never file: or another scheme
            raise WebhookFailed("the webhook URL is not an http(s) URL")
        request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 (http(s) only)
                                         headers={"Content-Type": "application/json",
                                                  "User-Agent": "Frontdesk"})
        try:
            with self._open(request, timeout=self._timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise WebhookFailed(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise WebhookFailed(type(exc).__name__) from exc
        if not 200 <= status < 300:
            raise WebhookFailed(f"HTTP {status}")

