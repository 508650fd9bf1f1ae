"""The email the site owner receives for a message.

Plain text first, with an HTML part in which every field is escaped. The
subject carries the stage's prefix (its branding; a setting that can hold no
line break); the submitter goes in Reply-To, never in From
(SES only sends from verified identities, and From must not be forgeable).
SES takes the addresses and the subject as fields of the request, never as
header lines, and every value that reaches one is made one line here too.

The contact form's mail is as it always was (From, Subject, the message); any
other form's lists every field with its label, then the extra fields it keeps,
then its attachments by name and size with a link to the message in the
dashboard: never the files themselves (they are downloaded there, signed in).
"""
from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from chalicelib.attachments.model import readable_size
from chalicelib.contact.model import Message
from chalicelib.core import text
from chalicelib.forms.builtin import CONTACT_ID
from chalicelib.forms.submission import FieldValue
from chalicelib.platform.branding import DEFAULT, Branding

_CONTROL = re.compile(f"[{text.CONTROLS}]+")


def one_line(value: str) -> str:
    """Validation already refuses control characters; this keeps it true here too,
    for anything stored before a rule changed."""
    return _CONTROL.sub(" ", value).strip()


def subject_for(message: Message, branding: Branding = DEFAULT) -> str:
    """`_subject` if the post had one; else the contact form's subject, or who
    wrote; else the form's name."""
    topic = one_line(message.topic or "")
    if not topic and message.form_id == CONTACT_ID:
        topic = one_line(message.subject or "") or f"Message from {one_line(message.name or '')}"
    topic = topic or one_line(message.form_name or "") or f"Message to the form {message.form_id}"
    return branding.subject(topic[:150])  # the cap too, for the same reason


def _shown(value: FieldValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def message_link(dashboard_url: str | None, message_id: str) -> str | None:
    """The message in the dashboard (admin.html opens the one it names)."""
    return f"{dashboard_url}?message={message_id}#messages" if dashboard_url else None


def _form_bodies(message: Message, form_name: str, received: str,
                 dashboard_url: str | None = None) -> tuple[str, str]:
    """Every field with its label, the extra fields, then when and which: text and HTML."""
    e = html.escape
    text: list[str] = [f"Form: {form_name}", ""]
    rows: list[str] = []
    for field in message.shown_fields:
        value = _shown(field.value)
        multi_line = "\n" in value
        text.append(f"{field.label}:\n{value}\n" if multi_line else f"{field.label}: {value}")
        rows.append(f"<p><strong>{e(field.label)}</strong><br>" + (
            f"<span style=\"white-space: pre-wrap\">{e(value)}</span></p>"))
    if message.extra:
        text += ["", "Other fields:"]
        rows.append("<p><strong>Other fields</strong></p>")
        for name, value in message.extra.items():
            text.append(f"{name}: {value}")
            rows.append(f"<p>{e(name)}<br><span style=\"white-space: pre-wrap\">"
                        f"{e(value)}</span></p>")
    if message.attachments:
        link = message_link(dashboard_url, message.id)
        where = f"open the message: {link}" if link else "open the message in the dashboard"
        text += ["", f"Attachments (to download them, {where}):"]
        items = []
        for attachment in message.attachments:
            shown = f"{one_line(attachment.filename)} ({readable_size(attachment.size)})"
            text.append(f"- {shown}")
            items.append(f"<li>{e(shown)}</li>")
        anchor = f'<a href="{e(link)}">open the message</a>' if link else \
            "open the message in the dashboard"
        rows.append(f"<p><strong>Attachments</strong> (to download them, {anchor}):</p>"
                    f"<ul>{''.join(items)}</ul>")
    text += ["", f"Received: {received}", f"Message id: {message.id}"]
    html_body = (f"<p><strong>Form:</strong> {e(form_name)}</p>" + "".join(rows)
                 + f"<p><small>Received: {e(received)}<br>Message id: {e(message.id)}"
                   "</small></p>")
    return "\n".join(text) + "\n", html_body


def compose(message: Message, *, sender: str, owner: str, branding: Branding = DEFAULT,
            recipients: Sequence[str] = (), dashboard_url: str | None = None) -> dict[str, Any]:
    """Keyword arguments for SES SendEmail: to the form's `recipients`, or the
    stage's `owner` when it names none. `dashboard_url`: the dashboard's page
    (admin.html on the site), which the mail links a message with attachments to."""
    mail: dict[str, Any] = {
        "Source": sender,
        "Destination": {"ToAddresses": list(recipients) or [owner]},
        "Message": {"Subject": {"Data": subject_for(message, branding),
                                "Charset": "UTF-8"}},
    }
    if message.email:  # checked as an address when it was posted
        mail["ReplyToAddresses"] = [one_line(message.email)]
    received = branding.shown_at(message.created_at)
    if message.form_id != CONTACT_ID:
        text_body, html_body = _form_bodies(message, one_line(message.form_name or message.form_id),
                                            received, dashboard_url)
        mail["Message"]["Body"] = {"Text": {"Data": text_body, "Charset": "UTF-8"},
                                   "Html": {"Data": html_body, "Charset": "UTF-8"}}
        return mail
    subject = one_line(message.subject or "")
    name, email, body = message.name or "", message.email or "", message.message or ""
    text = (f"From: {name} <{email}>\n"
            + (f"Subject: {subject}\n" if subject else "")
            + f"Received: {received}\nMessage id: {message.id}\n\n{body}\n")
    e = html.escape
    html_body = (
        f"<p><strong>From:</strong> {e(name)} &lt;{e(email)}&gt;</p>"
        + (f"<p><strong>Subject:</strong> {e(subject)}</p>" if subject else "")
        + f"<p><strong>Received:</strong> {e(received)}</p>"
        f"<pre style=\"white-space: pre-wrap; font-family: inherit\">{e(body)}</pre>"
        f"<p><small>Message id: {e(message.id)}</small></p>")
    mail["Message"]["Body"] = {"Text": {"Data": text, "Charset": "UTF-8"},
                               "Html": {"Data": html_body, "Charset": "UTF-8"}}
    return mail
