"""The email a visitor receives when an admin replies to their message.

SES's SendEmail takes the addresses and subject as separate fields, never as
raw header lines; the one free-text field that reaches a header (the
subject) is cut to one line, and the recipient was checked as an address
when the message was submitted. The reply goes as plain text, with the
stage's signature (its branding) and the quoted original below it, plus an
HTML part in which everything is escaped.
"""
from __future__ import annotations

import html
from typing import Any

from chalicelib.contact.email import one_line
from chalicelib.dashboard.replies import Reply
from chalicelib.platform.branding import DEFAULT, Branding

FALLBACK_SUBJECT = "Your message"


def subject_for(reply: Reply) -> str:
    return "Re: " + (one_line(reply.subject or "") or FALLBACK_SUBJECT)[:150]


def compose_reply(reply: Reply, *, sender: str, reply_to: str,
                  branding: Branding = DEFAULT) -> dict[str, Any]:
    """Keyword arguments for SES SendEmail."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in reply.quoted.split("\n"))
    attribution = (f"On {branding.shown_to_people(reply.quoted_at)}, "
                   f"{one_line(reply.to_name)} wrote:")
    # RFC 3676's "-- " line: mail programs know what follows is a signature.
    signature = f"-- \n{branding.reply_signature}" if branding.reply_signature else ""
    plain = f"{reply.body}\n\n" + (f"{signature}\n\n" if signature else "") \
        + f"{attribution}\n{quoted}\n"
    e = html.escape
    html_body = (
        f"<div style=\"white-space: pre-wrap\">{e(reply.body)}</div>"
        + (f"<div style=\"white-space: pre-wrap\">{e(signature)}</div>" if signature else "")
        + f"<p>{e(attribution)}</p>"
        "<blockquote style=\"margin: 0 0 0 .8ex; border-left: 1px solid #ccc; padding-left: 1ex; "
        f"white-space: pre-wrap\">{e(reply.quoted)}</blockquote>")
    return {
        "Source": sender,
        "Destination": {"ToAddresses": [reply.to]},
        "ReplyToAddresses": [reply_to],
        "Message": {
            "Subject": {"Data": subject_for(reply), "Charset": "UTF-8"},
            "Body": {"Text": {"Data": plain, "Charset": "UTF-8"},
                     "Html": {"Data": html_body, "Charset": "UTF-8"}},
        },
    }
