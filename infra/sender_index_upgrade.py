"""Messages stored before the sender index, given their place in it: the
upgrade `make deploy` runs (infra/deploy.py) after the others, once the new
functions are live, with the deploying operator's credentials.

The dashboard finds one sender's messages (`GET /dashboard/messages?email=`)
on GSI3 (chalicelib/db/keys.py `sender_message_listing`: SENDER#<mailbox
digest>, sorted by status and id). Every message stored since has those keys;
one stored before has none. The upgrade is a backfill (infra/backfill.py: a
resumable Scan, once): it gives each message with an address its keys for its
status, conditional on the status it was read in (a change meanwhile: read
again). Meanwhile a status change gives a message its keys itself
(chalicelib/contact/store.py `listed_as`). A message without an address (a
form without a replyTo field) has no place in the index.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.db import keys
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import attr, update
from chalicelib.db.reads import get_item
from chalicelib.db.table import GSI3_PK, PK, SK
from infra.backfill import Backfill, Report, run_backfill

MARKER = "sender-index"
_ATTEMPTS = 3
_LISTED, _PASSED = "listed", "listed meanwhile or deleted"


@dataclass
class Indexed:
    messages: int = 0  # given their keys

    def summary(self) -> str:
        return f"{self.messages} messages stored before the sender index listed by sender"


class SenderIndexUpgrade:
    def __init__(self, dynamodb: Any, table: str, *, report: Report | None = None) -> None:
        self._dynamodb = dynamodb
        self._table = table
        self._report = report

    def backfill(self) -> Backfill:
        unlisted = attr(GSI3_PK).not_exists() & attr("email").exists()
        return Backfill(MARKER, attr(SK).eq(keys.message("x")[SK]) & unlisted, self._index)

    def run(self) -> Indexed:
        tally = run_backfill(self._dynamodb, self._table, self.backfill(),
                             report=self._report).tally
        return Indexed(messages=tally[_LISTED])

    def _index(self, item: dict[str, Any]) -> str:
        """_LISTED: this run gave the message its keys; _PASSED: it had them
        meanwhile, or has gone."""
        key = {PK: item[PK], SK: item[SK]}
        for _ in range(_ATTEMPTS):
            if item.get(GSI3_PK) is not None or not item.get("email"):
                return _PASSED
            listing = keys.sender_message_listing(str(item["email"]), str(item["status"]),
                                                  str(item["id"]))
            try:
                with aws_unavailable_mapped():
                    self._dynamodb.update_item(**update(
                        self._table, key, set=listing,
                        condition=attr(GSI3_PK).not_exists() & attr("status").eq(item["status"])))
                return _LISTED
            except self._dynamodb.exceptions.ConditionalCheckFailedException:
                found = get_item(self._dynamodb, self._table, key)
                if found is None:
                    return _PASSED  # deleted meanwhile: nothing to list
                item = found
        raise RuntimeError(f"message {item['id']} kept changing while it was listed by sender; "
                           "run `make deploy` again")
