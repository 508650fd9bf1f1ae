"""What the transaction storing a new message writes for its autoresponse.

- Send: the delivery (pending, due now; its payload the form's subject and
  body as they were, the form's name, the message's id and time, the address
  and the Reply-To), its summary on the message, and the limit's claim
  (limit.py). Should the claim be held, the store writes the message again
  with `refused()`: skipped, `recently_sent`, and no delivery.
- Skip: the summary only, `skipped` with its reason; no delivery item.
- A form without an autoresponse: nothing (`plan` answers None).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.autoresponder.decision import Send, Skip, SkipReason, Verdict, decide
from chalicelib.autoresponder.limit import CLAIM_PART, claim
from chalicelib.db import keys
from chalicelib.db.clock import iso
from chalicelib.db.transactions import ConditionFailed
from chalicelib.forms.model import Form
from chalicelib.outbox.kinds import AUTORESPONSE, request, skipped

DELIVERY_PART = f"{AUTORESPONSE.name} delivery"


@dataclass(frozen=True)
class Planned:
    """The message's summary, and the named transaction parts, of its autoresponse."""
    summary: dict[str, Any]
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    def refused_by(self, failure: ConditionFailed) -> bool:
        """Whether the transaction failed because the limit is held."""
        return CLAIM_PART in self.parts and failure.failed(CLAIM_PART)

    def refused(self) -> Planned:
        """What to write instead once the limit refused it."""
        return skipped_plan("recently_sent")


def skipped_plan(reason: SkipReason) -> Planned:
    return Planned(skipped(AUTORESPONSE, reason))


def plan(table: str, form: Form, values: Mapping[str, object], verdict: Verdict, *,
         message_id: str, received_at: datetime,
         expires_at: int | None = None) -> Planned | None:
    """`expires_at`: the message's expiry, which its delivery shares."""
    decision = decide(form.definition, values, verdict)
    if decision is None:
        return None
    if isinstance(decision, Skip):
        return skipped_plan(decision.reason)
    assert isinstance(decision, Send)  # noqa: S101 (the only other answer)
    definition = form.definition
    autoresponse = definition.autoresponse
    assert autoresponse is not None  # noqa: S101 (decide answered None otherwise)
    now = iso(received_at)
    requested = request(AUTORESPONSE, keys.message(message_id), delivery_id=message_id, due=now,
                        payload={"to": decision.address, "subject": autoresponse.subject,
                                 "body": autoresponse.body, "formName": definition.name,
                                 "reference": message_id, "receivedAt": now,
                                 "replyTo": definition.recipients[0] if definition.recipients
                                 else None})
    return Planned(requested.summary, {
        DELIVERY_PART: requested.put(table, expires_at=expires_at),
        CLAIM_PART: claim(table, form.id, decision.address, message_id=message_id,
                          now=received_at)}, requested.counters)
