"""SpamRulesStore: the stage's one spam rules document, in the single table.

- Item: SPAMRULES / SPAMRULES (chalicelib/db/keys.py), with the rules as a
  map, `version` and `updatedAt`.
- Until an admin first saves it, the document is the stage's seed (its
  `spamRules` setting, chalicelib/platform/config.py), version 1, never
  written: as the built-in contact form is (chalicelib/forms/store.py).
- Put: conditional on the version just read (optimistic concurrency; If-Match
  names the versions it may replace); the first put, on the item's absence.
- Every post to a form reads it once (one strongly consistent GetItem).
- A put with an `Audited` holds its audit entry in its transaction.
"""
from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.audit.entry import Target, count_of
from chalicelib.audit.log import PART as AUDIT_PART
from chalicelib.audit.log import Audited
from chalicelib.core.domain_errors import DependencyUnavailable, VersionMismatch
from chalicelib.db import keys
from chalicelib.db.clock import iso, utc_now
from chalicelib.db.expressions import attr, put
from chalicelib.db.reads import get_item
from chalicelib.db.table import PK
from chalicelib.db.transactions import ConditionFailed, transact_write
from chalicelib.spam.rules import NO_RULES, SpamRules

_ATTEMPTS = 3


@dataclass(frozen=True)
class RulesDocument:
    rules: SpamRules
    version: int
    updated_at: str | None  # None: the seed, never saved
    stored: bool


class SpamRulesStore:
    def __init__(self, client: Any, table_name: str, *, seed: SpamRules = NO_RULES,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self._client = client
        self._table = table_name
        self._seed = seed
        self._clock = clock

    def get(self) -> RulesDocument:
        item = get_item(self._client, self._table, keys.SPAM_RULES)
        if item is None:
            return RulesDocument(self._seed, 1, None, stored=False)
        return RulesDocument(_stored_rules(item.get("rules") or {}), int(item["version"]),
                             item.get("updatedAt"), stored=True)

    def rules(self) -> SpamRules:
        return self.get().rules

    def put(self, rules: SpamRules, expected_versions: Set[int] | None = None,
            audited: Audited | None = None) -> RulesDocument:
        """Replace the document; VersionMismatch when `expected_versions` (None:
        any) does not name the current one."""
        for _ in range(_ATTEMPTS):
            current = self.get()
            if expected_versions is not None and current.version not in expected_versions:
                raise VersionMismatch("The spam rules changed since you read them.")
            saved = RulesDocument(rules, current.version + 1, iso(self._clock()), stored=True)
            condition = attr("version").eq(current.version) if current.stored \
                else attr(PK).not_exists()
            item = {**keys.SPAM_RULES, "type": "spamRules", "rules": rules.to_json(),
                    "version": saved.version, "updatedAt": saved.updated_at}
            parts = {"rules": {"Put": put(self._table, item, condition=condition)}}
            if audited is not None:
                parts[AUDIT_PART] = audited.part(
                    "spam_rules.put", Target("spamRules", "spamRules"),
                    f"version {current.version} → {saved.version}: {_described(rules)}")
            try:
                transact_write(self._client, parts)
                return saved
            except ConditionFailed as exc:
                if not exc.failed("rules"):
                    raise
            # Saved by someone else meanwhile: read again.
        raise DependencyUnavailable("The spam rules kept changing while being saved. Try again.")


def _described(rules: SpamRules) -> str:
    """The rules by how many of each, never a blocked word or sender itself."""
    return (f"{count_of(len(rules.blocked_words), 'blocked word')}, "
            f"{count_of(len(rules.blocked_senders), 'blocked sender')}, "
            f"links {'unlimited' if rules.max_links is None else rules.max_links}, "
            "duplicate window " + ("off" if rules.duplicate_window_hours is None
                                   else count_of(rules.duplicate_window_hours, "hour")))


def _stored_rules(data: dict[str, Any]) -> SpamRules:
    """As stored: checked on the way in (parse_rules), so taken as it is."""
    def whole(name: str) -> int | None:
        value = data.get(name)
        return None if value is None else int(value)

    return SpamRules(blocked_words=[str(w) for w in data.get("blockedWords") or ()],
                     blocked_senders=[str(s) for s in data.get("blockedSenders") or ()],
                     max_links=whole("maxLinks"),
                     duplicate_window_hours=whole("duplicateWindowHours"))
