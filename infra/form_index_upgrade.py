"""Messages stored before forms were, given their place in the lists by form:
the upgrade `make deploy` runs (infra/deploy.py) after the delivery upgrade,
once the new functions are live, with the deploying operator's credentials.
No function runs it (its Scan is no grant of theirs).

The dashboard lists one form's messages from GSI2 (chalicelib/db/keys.py
`form_message_listing`: FORMMSGS#<form>#<status>, sorted by id). Every
message stored since has those keys; one stored before has none, and no
`formId`: it is a contact message. The upgrade is a backfill
(infra/backfill.py: a resumable Scan, once): it gives each the contact
form's keys for its status, conditional on the status it was read in (a
change meanwhile: read again). A message whose GSI2 still holds its owner mail pending in the shape
before deliveries had items of their own is not this upgrade's: the delivery
upgrade gives it its keys as it rewrites the mail (infra/delivery_upgrade.py),
this deploy or, for one an old function wrote while the deploy ran, the next.
Meanwhile a status change gives a message its keys itself
(chalicelib/contact/store.py `listed_as`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.db import keys
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import attr, update
from chalicelib.db.reads import get_item
from chalicelib.db.table import GSI2_PK, PK, SK
from chalicelib.forms.builtin import CONTACT_ID
from infra.backfill import Backfill, Report, run_backfill

MARKER = "form-index"
_ATTEMPTS = 3
_LISTED, _LEFT = "listed", "left to the delivery upgrade"


@dataclass
class Indexed:
    messages: int = 0  # given their keys
    left: int = 0  # left to the delivery upgrade: their owner mail is of the old shape

    def summary(self) -> str:
        return (f"{self.messages} messages stored before forms listed by form"
                + (f" ({self.left} listed as their pending mail is rewritten)"
                   if self.left else ""))


class FormIndexUpgrade:
    def __init__(self, dynamodb: Any, table: str, *, report: Report | None = None) -> None:
        self._dynamodb = dynamodb
        self._table = table
        self._report = report

    def backfill(self) -> Backfill:
        unlisted = attr(GSI2_PK).not_exists() | ~attr(GSI2_PK).begins_with(
            keys.FORM_MESSAGES_PREFIX)
        return Backfill(MARKER, attr(SK).eq(keys.message("x")[SK]) & unlisted, self._index)

    def run(self) -> Indexed:
        tally = run_backfill(self._dynamodb, self._table, self.backfill(),
                             report=self._report).tally
        return Indexed(messages=tally[_LISTED], left=tally[_LEFT])

    def _index(self, item: dict[str, Any]) -> str:
        """_LISTED: the message now has its keys (or has gone); _LEFT: not yet."""
        key = {PK: item[PK], SK: item[SK]}
        for _ in range(_ATTEMPTS):
            if item.get(GSI2_PK) is not None:
                # Its keys already (a status change gave them), or an owner
                # mail pending in the old shape: the delivery upgrade's.
                return _LISTED if str(item[GSI2_PK]).startswith(keys.FORM_MESSAGES_PREFIX) \
                    else _LEFT
            listing = keys.form_message_listing(str(item.get("formId", CONTACT_ID)),
                                                str(item["status"]), str(item["id"]))
            try:
                with aws_unavailable_mapped():
                    self._dynamodb.update_item(**update(
                        self._table, key, set=listing,
                        condition=attr(GSI2_PK).not_exists()
                        & attr("status").eq(item["status"])))
                return _LISTED
            except self._dynamodb.exceptions.ConditionalCheckFailedException:
                found = get_item(self._dynamodb, self._table, key)
                if found is None:
                    return _LISTED  # deleted meanwhile: nothing to list
                item = found
        raise RuntimeError(f"message {item['id']} kept changing while it was listed by form; "
                           "run `make deploy` again")
