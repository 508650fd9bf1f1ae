"""The autoresponse as a kind of delivery through the outbox (chalicelib/outbox)."""
from __future__ import annotations

from typing import Any

from chalicelib.autoresponder.mail import compose
from chalicelib.outbox.kind import DeliveryKind
from chalicelib.outbox.kinds import AUTORESPONSE
from chalicelib.outbox.mail import sendable
from chalicelib.platform.branding import DEFAULT, Branding


class Autoresponder(DeliveryKind, declared=AUTORESPONSE):
    def __init__(self, ses: Any, *, sender: str, reply_to: str,
                 branding: Branding = DEFAULT) -> None:
        self._ses = ses
        self._sender = sender
        self._reply_to = reply_to  # when the form names no recipient
        self._branding = branding

    def send(self, payload: dict[str, Any]) -> None:
        # Checked when it was requested; checked again as it leaves (and the
        # form's recipient it replies to, when it has one).
        sendable(payload.get("to"), "recipient")
        if payload.get("replyTo"):
            sendable(payload["replyTo"], "Reply-To")
        self._ses.send_email(**compose(payload, sender=self._sender, reply_to=self._reply_to,
                                       branding=self._branding))
