"""User records stored before a person's data had an index, given their place
in it: the upgrade `make deploy` runs (infra/deploy.py) after the sender
index's, once the new functions are live, with the deploying operator's
credentials.

A person's data (chalicelib/people/records.py) finds the user records with
an address in the address's GSI3 partition (chalicelib/db/keys.py
`person_record`: SENDER#<mailbox digest>, USER#<id>). Every user stored or
changed since has those keys; one stored before has none. The upgrade is a
backfill (infra/backfill.py: a resumable Scan, once): it gives each user its
keys for its email, conditional on the email it was read with (a change
meanwhile, which gives the keys itself: read again). The other records a
person's data lists need no upgrade: messages have the sender index's,
remembered answers live 24 hours, and a reply kept to be mailed after its
message was deleted used to be sent and removed within its retries.
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

MARKER = "person-index"
_ATTEMPTS = 3
_LISTED, _PASSED = "listed", "listed meanwhile or deleted"


@dataclass
class Indexed:
    users: int = 0  # given their keys

    def summary(self) -> str:
        return f"{self.users} users stored before a person's data was indexed listed by email"


class PersonIndexUpgrade:
    def __init__(self, dynamodb: Any, table: str, *, report: Report | None = None) -> None:
        self._dynamodb = dynamodb
        self._table = table
        self._report = report

    def backfill(self) -> Backfill:
        return Backfill(MARKER, attr(SK).eq(keys.user("x")[SK]) & attr(GSI3_PK).not_exists(),
                        self._index)

    def run(self) -> Indexed:
        tally = run_backfill(self._dynamodb, self._table, self.backfill(),
                             report=self._report).tally
        return Indexed(users=tally[_LISTED])

    def _index(self, item: dict[str, Any]) -> str:
        key = {PK: item[PK], SK: item[SK]}
        for _ in range(_ATTEMPTS):
            if item.get(GSI3_PK) is not None or not item.get("email"):
                return _PASSED
            listing = keys.person_record(str(item["email"]), keys.PERSON_USER, str(item["id"]))
            try:
                with aws_unavailable_mapped():
                    self._dynamodb.update_item(**update(
                        self._table, key, set=listing,
                        condition=attr(GSI3_PK).not_exists() & attr("email").eq(item["email"])))
                return _LISTED
            except self._dynamodb.exceptions.ConditionalCheckFailedException:
                found = get_item(self._dynamodb, self._table, key)
                if found is None:
                    return _PASSED
                item = found
        raise RuntimeError(f"user {item['id']} kept changing while it was listed by email; "
                           "run `make deploy` again")
