"""At most one autoresponse per address per form in 24 hours, exact under
concurrency.

The limit is a claim item per form and address (chalicelib/db/keys.py
`autoresponse_claim`), put in the transaction that stores the message on
condition that it is absent or expired. Of concurrent posts from one address,
one transaction holds it; the others fail that part, and are stored again
without an autoresponse (plan.py). The item carries the table's TTL attribute,
so DynamoDB removes it in time; until then its `expiresAt` is what counts.

The key holds a digest of the address, normalised so that one mailbox is one
key (chalicelib/core/addresses.py: `ada+1@example.com` and `Ada@example.com`
share a limit), so a tag cannot lift the limit.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.core.addresses import address_digest
from chalicelib.db import keys
from chalicelib.db.expressions import attr, put
from chalicelib.db.table import PK, TTL_ATTRIBUTE

WINDOW_SECONDS = 24 * 60 * 60
CLAIM_PART = "autoresponseClaim"  # its name in the message's transaction


def claim(table: str, form_id: str, address: str, *, message_id: str,
          now: datetime) -> dict[str, Any]:
    """The transaction part taking the limit for `address` on `form_id` until
    24 hours from `now`; it fails its condition while an earlier claim holds."""
    now_epoch = int(now.timestamp())
    item = {**keys.autoresponse_claim(form_id, address_digest(address)),
            "type": "autoresponseClaim", "formId": form_id, "messageId": message_id,
            # Whole seconds: a claim at 10.9 s expires at 86,410 and is free from
            # 86,411 on, so the window is never shorter than 24 hours.
            TTL_ATTRIBUTE: now_epoch + WINDOW_SECONDS}
    return {"Put": put(table, item,
                       condition=attr(PK).not_exists() | attr(TTL_ATTRIBUTE).lt(now_epoch))}
