"""Messages stored before forms were, given their place in the lists by form:
the upgrade `make deploy` runs (infra/deploy.py) after the delivery upgrade,
once the new functions are live, with the deploying operator's credentials.
No function runs it (its Scan is no grant of theirs).

The dashboard lists one form's messages from GSI2 (chalicelib/db/keys.py
`form_message_listing`: FORMMSGS#<form>#<status>, sorted by id). Every
message stored since has those keys; one stored before has none, and no
`formId`: it is a contact message. The upgrade finds those by a Scan, whose
progress a marker item keeps (a run cut short resumes where it stopped; once
done, no run scans again), and gives each the contact form's keys for its
status, conditional on the status it was read in (a change meanwhile: read
again). A message whose GSI2 still holds its owner mail pending in the shape
before deliveries had items of their own is not this upgrade's: the delivery
upgrade gives it its keys as it rewrites the mail (infra/delivery_upgrade.py),
this deploy or, for one an old function wrote while the deploy ran, the next.
Meanwhile a status change gives a message its keys itself
(chalicelib/contact/store.py `listed_as`).
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
from chalicelib.db.table import GSI2_PK, PK, SK
from chalicelib.forms.builtin import CONTACT_ID

MARKER = "form-index"
_ATTEMPTS = 3


@dataclass
class Indexed:
    messages: int = 0  # given their keys
    left: int = 0  # left to the delivery upgrade: their owner mail is of the old shape

    def summary(self) -> str:
        return (f"{self.messages} messages stored before forms listed by form"
                + (f" ({self.left} listed as their pending mail is rewritten)"
                   if self.left else ""))


class FormIndexUpgrade:
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
            "FilterExpression": "#sk = :msg AND (attribute_not_exists(#g2) "
                                "OR NOT begins_with(#g2, :ours))",
            "ExpressionAttributeNames": {"#sk": SK, "#g2": GSI2_PK},
            "ExpressionAttributeValues": {":msg": to_value(keys.message("x")[SK]),
                                          ":ours": to_value(keys.FORM_MESSAGES_PREFIX)}}
        if marker.get("scanFrom"):
            scan["ExclusiveStartKey"] = json.loads(str(marker["scanFrom"]))
        while True:
            with aws_unavailable_mapped():
                page = self._dynamodb.scan(**scan)
            for typed in page["Items"]:
                if self._index(from_item(typed)):
                    done.messages += 1
                else:
                    done.left += 1
            last = page.get("LastEvaluatedKey")
            if last:
                self._mark(scanFrom=json.dumps(last))
                scan["ExclusiveStartKey"] = last
                continue
            self._mark(done=True)
            return done

    def _index(self, item: dict[str, Any]) -> bool:
        """Whether the message now has its keys (or has gone)."""
        key = {PK: item[PK], SK: item[SK]}
        for _ in range(_ATTEMPTS):
            if item.get(GSI2_PK) is not None:
                # Its keys already (a status change gave them), or an owner
                # mail pending in the old shape: the delivery upgrade's.
                return str(item[GSI2_PK]).startswith(keys.FORM_MESSAGES_PREFIX)
            listing = keys.form_message_listing(str(item.get("formId", CONTACT_ID)),
                                                str(item["status"]), str(item["id"]))
            try:
                with aws_unavailable_mapped():
                    self._dynamodb.update_item(**update(
                        self._table, key, set=listing,
                        condition=attr(GSI2_PK).not_exists()
                        & attr("status").eq(item["status"])))
                return True
            except self._dynamodb.exceptions.ConditionalCheckFailedException:
                found = get_item(self._dynamodb, self._table, key)
                if found is None:
                    return True  # deleted meanwhile: nothing to list
                item = found
        raise RuntimeError(f"message {item['id']} kept changing while it was listed by form; "
                           "run `make deploy` again")

    def _mark(self, **values: Any) -> None:
        with aws_unavailable_mapped():
            self._dynamodb.put_item(**put(self._table, {**keys.upgrade_marker(MARKER),
                                                        "type": "upgrade", **values}))
