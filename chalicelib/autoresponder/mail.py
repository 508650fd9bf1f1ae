"""The autoresponse mail: the form's own subject and body, with the merge tags
filled in, as plain text.

Only `{{form}}` (the form's name), `{{reference}}` (the message's id) and
`{{date}}` (when it was received, as the stage's mails show dates) are
substituted, in one pass: a value that itself reads `{{date}}` stays as it is.
Nothing a visitor typed is in the payload this is composed from, but the
address it goes to. The subject is the form's, without the stage's subject
prefix (that prefix tags the owner's mail for filtering; this one is the
site speaking to the visitor). From is the stage's sender; Reply-To the
form's first recipient, else the stage's reply-to address.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from chalicelib.contact.email import one_line
from chalicelib.forms.model import MERGE_TAGS
from chalicelib.platform.branding import DEFAULT, Branding

_TAGS = re.compile("|".join(re.escape(tag) for tag in MERGE_TAGS))


def merged(template: str, values: Mapping[str, str]) -> str:
    """`template` with each merge tag replaced by its value (keyed by the tag)."""
    return _TAGS.sub(lambda match: values[match.group(0)], template)


def tag_values(payload: Mapping[str, Any], branding: Branding = DEFAULT) -> dict[str, str]:
    return {"{{form}}": str(payload["formName"]), "{{reference}}": str(payload["reference"]),
            "{{date}}": branding.shown_at(str(payload["receivedAt"]))}


def compose(payload: Mapping[str, Any], *, sender: str, reply_to: str,
            branding: Branding = DEFAULT) -> dict[str, Any]:
    """Keyword arguments for SES SendEmail, from a delivery's payload."""
    values = tag_values(payload, branding)
    # The definition allows no line break in a subject; one_line keeps it true
    # of what was stored under another rule.
    subject = one_line(merged(str(payload["subject"]), values))
    body = merged(str(payload["body"]), values)
    return {
        "Source": sender,
        "Destination": {"ToAddresses": [str(payload["to"])]},
        "ReplyToAddresses": [str(payload.get("replyTo") or reply_to)],
        "Message": {"Subject": {"Data": subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}},
    }
