"""The autoresponse as a kind of delivery through the outbox (chalicelib/outbox)."""
from __future__ import annotations

from typing import Any

from chalicelib.autoresponder.decision import is_one_address
from chalicelib.autoresponder.mail import compose
from chalicelib.outbox.kind import DeliveryKind, PermanentFailure
from chalicelib.outbox.kinds import AUTORESPONSE
from chalicelib.platform.branding import DEFAULT, Branding


class Autoresponder(DeliveryKind, declared=AUTORESPONSE):
    def __init__(self, ses: Any, *, sender: str, reply_to: str,
                 branding: Branding = DEFAULT) -> None:
        self._ses = ses
        self._sender = sender
        self._reply_to = reply_to  # when the form names no recipient
        self._branding = branding

    def send(self, payload: dict[str, Any]) -> None:
        # Checked when it was requested; checked again where it becomes a recipient.
        if not is_one_address(payload.get("to")):
            raise PermanentFailure("The recipient is not one valid address")
        self._ses.send_email(**compose(payload, sender=self._sender, reply_to=self._reply_to,
                                       branding=self._branding))
