"""Every message's expiry brought to the retention in force: the backfill
`make deploy` runs (infra/deploy.py) after the data upgrades, with the
deploying operator's credentials.

A message and everything under MSG#<id> carry its expiry (`expiresAt`,
chalicelib/core/retention.py), set when written. When the stage's
`retentionDays` or a form's changes, the messages stored before keep the old
one until this backfill recomputes it, with the same `message_expiry`. Its
generation is the settings it applies, so it runs once per change (and once
on the release that brings retention: every message stored before has none),
resumable like every backfill (infra/backfill.py).

Each message: its own item first, then each item under it whose expiry
differs (a reply written meanwhile copies the message's, and its transaction
holds only if the message's is still the one it read:
chalicelib/dashboard/reply_store.py). Every update is conditional on the item
existing: one deleted meanwhile stays deleted. An expiry already past is set
to now, since DynamoDB's TTL ignores a time more than five years past; a
message kept forever (0) loses its expiry.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.core.retention import Retention, expires_at, message_expiry
from chalicelib.db import keys
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import attr, update
from chalicelib.db.items import from_item, to_value
from chalicelib.db.table import PK, SK, TTL_ATTRIBUTE
from chalicelib.forms.builtin import CONTACT_ID
from chalicelib.forms.store import FormStore
from infra.backfill import Backfill, Progress, Report, run_backfill

MARKER = "retention"
_SET, _SAME = "expiry set", "already so"


@dataclass
class Recomputed:
    progress: Progress
    generation: str

    def summary(self) -> str:
        if self.progress.already:
            return f"retention ({self.generation}): every message's expiry already so"
        tally = self.progress.tally
        return (f"retention ({self.generation}): {tally[_SET]} messages' expiry set, "
                f"{tally[_SAME]} already so")


def generation(retention: Retention, form_days: Mapping[str, int]) -> str:
    """The settings the expiries follow, as the backfill's generation."""
    forms = ", ".join(f"{form_id} {days}" for form_id, days in sorted(form_days.items()))
    return (f"{retention.days} days, spam {retention.spam_days}"
            + (f"; forms {forms}" if forms else ""))


class RetentionBackfill:
    def __init__(self, dynamodb: Any, table: str, retention: Retention, *,
                 report: Report | None = None, now: Callable[[], float] = time.time) -> None:
        self._dynamodb = dynamodb
        self._table = table
        self._retention = retention
        self._report = report
        self._now = now
        self._form_days: dict[str, int] = {}

    def run(self) -> Recomputed:
        self._form_days = {form.id: form.definition.retention_days
                           for form in FormStore(self._dynamodb, self._table).list()
                           if form.definition.retention_days is not None}
        applies = generation(self._retention, self._form_days)
        backfill = Backfill(MARKER, attr(SK).eq(keys.message("x")[SK]), self._rewrite,
                            generation=applies)
        return Recomputed(run_backfill(self._dynamodb, self._table, backfill,
                                       report=self._report), applies)

    def expiry_of(self, message: Mapping[str, Any]) -> int | None:
        received = datetime.fromisoformat(str(message["createdAt"]).replace("Z", "+00:00"))
        spam_at = message.get("spamAt")
        expiry = message_expiry(received, self._retention,
                                form_days=self._form_days.get(str(message.get("formId",
                                                                              CONTACT_ID))),
                                spam_since=None if not spam_at else datetime.fromisoformat(
                                    str(spam_at).replace("Z", "+00:00")))
        return None if expiry is None else max(expiry, int(self._now()))

    def _rewrite(self, message: dict[str, Any]) -> str:
        expiry = self.expiry_of(message)
        changed = False
        if expires_at(message) != expiry:
            changed = self._set({PK: message[PK], SK: message[SK]}, expiry)
        for item in self._under(str(message[PK])):
            if item[SK] != message[SK] and expires_at(item) != expiry:
                changed = self._set({PK: item[PK], SK: item[SK]}, expiry) or changed
        return _SET if changed else _SAME

    def _under(self, partition: str) -> list[dict[str, Any]]:
        query: dict[str, Any] = {
            "TableName": self._table, "KeyConditionExpression": "#pk = :pk",
            "ProjectionExpression": "#pk, #sk, #ttl", "ConsistentRead": True,
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK, "#ttl": TTL_ATTRIBUTE},
            "ExpressionAttributeValues": {":pk": to_value(partition)}}
        found: list[dict[str, Any]] = []
        while True:
            with aws_unavailable_mapped():
                page = self._dynamodb.query(**query)
            found += [from_item(item) for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return found
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _set(self, key: dict[str, str], expiry: int | None) -> bool:
        """Whether it was written (False: the item was deleted meanwhile)."""
        if expiry is None:
            change = update(self._table, key, remove=[TTL_ATTRIBUTE], condition=attr(PK).exists())
        else:
            change = update(self._table, key, set={TTL_ATTRIBUTE: expiry},
                            condition=attr(PK).exists())
        try:
            with aws_unavailable_mapped():
                self._dynamodb.update_item(**change)
        except self._dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True
