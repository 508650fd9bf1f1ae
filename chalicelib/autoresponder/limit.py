"""At most one autoresponse per address per form in 24 hours, exact under
concurrency.

The limit is an expiring claim (chalicelib/db/claims.py) per form and
address (chalicelib/db/keys.py `autoresponse_claim`), put in the transaction
that stores the message. Of concurrent posts from one address, one
transaction holds it; the others fail that part, and are stored again
without an autoresponse (plan.py).

The key holds a digest of the address, normalised so that one mailbox is one
key (chalicelib/core/addresses.py: `ada+1@example.com` and `Ada@example.com`
share a limit), so a tag cannot lift the limit.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core.addresses import address_digest
from chalicelib.db import keys
from chalicelib.db.claims import claim as expiring_claim

WINDOW_SECONDS = 24 * 60 * 60
CLAIM_PART = "autoresponseClaim"  # its name in the message's transaction


def claim(table: str, form_id: str, address: str, *, message_id: str,
          now: datetime) -> dict[str, Any]:
    """The transaction part taking the limit for `address` on `form_id` until
    24 hours from `now`; it fails its condition while an earlier claim holds."""
    return expiring_claim(table, keys.autoresponse_claim(form_id, address_digest(address)),
                          {"type": "autoresponseClaim", "formId": form_id,
                           "messageId": message_id}, now=now, seconds=WINDOW_SECONDS)
