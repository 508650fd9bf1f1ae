"""The site owner's email for each stored message: one kind of delivery
through the outbox (chalicelib/outbox), to the form's recipients as they were
when the message came, or the stage's owner."""
from __future__ import annotations

from typing import Any

from chalicelib.contact.email import compose
from chalicelib.contact.model import Message
from chalicelib.outbox.kind import DeliveryKind
from chalicelib.outbox.kinds import NOTIFICATION
from chalicelib.outbox.mail import sendable
from chalicelib.platform.branding import DEFAULT, Branding


class OwnerNotifications(DeliveryKind, declared=NOTIFICATION):
    def __init__(self, ses: Any, *, sender: str, owner: str,
                 branding: Branding = DEFAULT, dashboard_url: str | None = None) -> None:
        self._ses = ses
        self._sender = sender
        self._owner = owner
        self._branding = branding
        self._dashboard_url = dashboard_url

    def send(self, payload: dict[str, Any]) -> None:
        message = Message.from_payload(payload)
        # Stored addresses, checked again as they leave: the form's recipients
        # and the visitor's (Reply-To).
        recipients = [sendable(r, "recipient") for r in payload.get("recipients") or ()]
        if message.email:
            sendable(message.email, "Reply-To")
        mail = compose(message, sender=self._sender, owner=self._owner,
                       branding=self._branding, recipients=recipients,
                       dashboard_url=self._dashboard_url)
        self._ses.send_email(**mail)
