"""The email the site owner receives for a contact message.

Plain text first, with an HTML part in which every field is escaped. The
subject carries the stage's prefix (its branding; a setting that can hold no
line break); the submitter goes in Reply-To, never in From
(SES only sends from verified identities, and From must not be forgeable).
"""
from __future__ import annotations

import html
import re
from typing import Any

from chalicelib.contact.model import Message
from chalicelib.core import text
from chalicelib.platform.branding import DEFAULT, Branding

_CONTROL = re.compile(f"[{text.CONTROLS}]+")


def one_line(value: str) -> str:
    """Validation already refuses control characters; this keeps it true here too,
    for anything stored before a rule changed."""
    return _CONTROL.sub(" ", value).strip()


def subject_for(message: Message, branding: Branding = DEFAULT) -> str:
    topic = one_line(message.subject or "") or f"Message from {one_line(message.name)}"
    return branding.subject(topic[:150])  # the cap too, for the same reason


def compose(message: Message, *, sender: str, owner: str,
            branding: Branding = DEFAULT) -> dict[str, Any]:
    """Keyword arguments for SES SendEmail."""
    subject = one_line(message.subject or "")
    received = branding.shown_at(message.created_at)
    text = (f"From: {message.name} <{message.email}>\n"
            + (f"Subject: {subject}\n" if subject else "")
            + f"Received: {received}\nMessage id: {message.id}\n\n{message.message}\n")
    e = html.escape
    html_body = (
        f"<p><strong>From:</strong> {e(message.name)} &lt;{e(message.email)}&gt;</p>"
        + (f"<p><strong>Subject:</strong> {e(subject)}</p>" if subject else "")
        + f"<p><strong>Received:</strong> {e(received)}</p>"
        f"<pre style=\"white-space: pre-wrap; font-family: inherit\">{e(message.message)}</pre>"
        f"<p><small>Message id: {e(message.id)}</small></p>")
    return {
        "Source": sender,
        "Destination": {"ToAddresses": [owner]},
        "ReplyToAddresses": [message.email],
        "Message": {
            "Subject": {"Data": subject_for(message, branding), "Charset": "UTF-8"},
            "Body": {"Text": {"Data": text, "Charset": "UTF-8"},
                     "Html": {"Data": html_body, "Charset": "UTF-8"}},
        },
    }
