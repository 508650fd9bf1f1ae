"""Messages stored before the sender index, given their place in it: the
upgrade `make deploy` runs (infra/deploy.py) after the others, once the new
functions are live, with the deploying operator's credentials. No function
runs it (its Scan is no grant of theirs).

The dashboard finds one sender's messages (`GET /dashboard/messages?email=`)
on GSI3 (chalicelib/db/keys.py `sender_message_listing`: SENDER#<mailbox
digest>, sorted by status and id). Every message stored since has those keys;
one stored before has none. The upgrade finds those by a Scan, whose progress
a marker item keeps (a run cut short resumes where it stopped; once done, no
run scans again), and gives each with an address its keys for its status,
conditional on the status it was read in (a change meanwhile: read again).
Meanwhile a status change gives a message its keys itself
(chalicelib/contact/store.py `listed_as`). A message without an address
(a form without a replyTo field) has no place in the index.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.db import keys
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import attr, put, update
from chalicelib.db.items import from_item, to_value
from chalicelib.db.reads import get_item
from chalicelib.db.table import GSI3_PK, PK, SK

MARKER = "sender-index"
_ATTEMPTS = 3


@dataclass
class Indexed:
    messages: int = 0  # given their keys

    def summary(self) -> str:
        return f"{self.messages} messages stored before the sender index listed by sender"


class SenderIndexUpgrade:
    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self._table = table

    def run(self) -> Indexed:
        done = Indexed()
        marker = get_item(self._dynamodb, self._table, keys.upgrade_marker(MARKER)) or {}
        if marker.get("done"):
            return done
        scan: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": "#sk = :msg AND attribute_not_exists(#g3) "
                                "AND attribute_exists(#email)",
            "ExpressionAttributeNames": {"#sk": SK, "#g3": GSI3_PK, "#email": "email"},
            "ExpressionAttributeValues": {":msg": to_value(keys.message("x")[SK])}}
        if marker.get("scanFrom"):
            scan["ExclusiveStartKey"] = json.loads(str(marker["scanFrom"]))
        while True:
            with aws_unavailable_mapped():
                page = self._dynamodb.scan(**scan)
            for typed in page["Items"]:
                if self._index(from_item(typed)):
                    done.messages += 1
            last = page.get("LastEvaluatedKey")
            if last:
                self._mark(scanFrom=json.dumps(last))
                scan["ExclusiveStartKey"] = last
                continue
            self._mark(done=True)
            return done

    def _index(self, item: dict[str, Any]) -> bool:
        """Whether this run gave the message its keys (False: it had them, or has gone)."""
        key = {PK: item[PK], SK: item[SK]}
        for _ in range(_ATTEMPTS):
            if item.get(GSI3_PK) is not None or not item.get("email"):
                return False
            listing = keys.sender_message_listing(str(item["email"]), str(item["status"]),
                                                  str(item["id"]))
            try:
                with aws_unavailable_mapped():
                    self._dynamodb.update_item(**update(
                        self._table, key, set=listing,
                        condition=attr(GSI3_PK).not_exists() & attr("status").eq(item["status"])))
                return True
            except self._dynamodb.exceptions.ConditionalCheckFailedException:
                found = get_item(self._dynamodb, self._table, key)
                if found is None:
                    return False  # deleted meanwhile: nothing to list
                item = found
        raise RuntimeError(f"message {item['id']} kept changing while it was listed by sender; "
                           "run `make deploy` again")

    def _mark(self, **values: Any) -> None:
        with aws_unavailable_mapped():
            self._dynamodb.put_item(**put(self._table, {**keys.upgrade_marker(MARKER),
                                                        "type": "upgrade", **values}))
