"""AuditLog: the audit entries in the single table.

- Write: an admin write's transaction takes one more part, `Audited.part`
  (named PART), so the change and its entry are stored together or not at
  all. A change DynamoDB cannot hold in a transaction with it (the operator's
  `make admin`, which writes to Cognito) records its entry alone, after
  (`Audited.record`). Every entry expires `retention_days` after it is
  written (DynamoDB's TTL; 0: kept forever). Its put is conditional on no
  entry having its key, and nothing else writes or deletes an entry: no
  route does, and the backfills, bulk actions and erasure never read the
  AUDIT partitions.
- Read: newest first, one Query of `limit + 1` items per page, whatever the
  table holds, in one of four lists (chalicelib/db/keys.py): every entry
  (GSI1), one actor's (GSI2), one action's (GSI3), or one actor's of one
  action (the table's own key).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.audit.entry import Actor, AuditEntry, Target, short
from chalicelib.core.retention import AUDIT_DAYS
from chalicelib.db import keys
from chalicelib.db.clock import iso, utc_now
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import attr, put
from chalicelib.db.listing import BY_GSI1, BY_GSI2, BY_GSI3, BY_TABLE, Slice, newest_first_of
from chalicelib.db.table import PK
from chalicelib.platform.ids import new_id

PART = "audit"  # an entry's name among a transaction's parts
_DAY = 24 * 60 * 60


class AuditLog:
    def __init__(self, client: Any, table_name: str, *,
                 retention_days: int = AUDIT_DAYS,
                 clock: Callable[[], datetime] = utc_now, ids: Callable[[], str] = new_id) -> None:
        self._client = client
        self._table = table_name
        self._retention_days = retention_days
        self._clock = clock
        self._ids = ids

    def by(self, actor: Actor, request_id: str) -> Audited:
        """What one request's writes record themselves with."""
        return Audited(self, actor, request_id)

    def put(self, entry: AuditEntry) -> dict[str, Any]:
        """The entry's transaction part."""
        return {"Put": put(self._table, entry.to_item(self._expiry(entry)),
                           condition=attr(PK).not_exists())}

    def write(self, entry: AuditEntry) -> None:
        """Store an entry on its own."""
        with aws_unavailable_mapped():
            self._client.put_item(**self.put(entry)["Put"])

    def entry(self, actor: Actor, request_id: str, action: str, target: Target,
              summary: str) -> AuditEntry:
        return AuditEntry(id=self._ids(), at=iso(self._clock()), actor=actor, action=action,
                          target=target, request_id=request_id, summary=short(summary))

    def _expiry(self, entry: AuditEntry) -> int | None:
        if not self._retention_days:
            return None
        written = datetime.fromisoformat(entry.at.replace("Z", "+00:00"))
        return int(written.timestamp()) + self._retention_days * _DAY

    def list(self, *, actor: str | None = None, action: str | None = None, limit: int,
             cursor: str | None = None) -> tuple[list[AuditEntry], str | None]:
        """One page of entries, newest first: every one, or one actor's (by
        `sub`), one action's, or both."""
        items, next_cursor = newest_first_of(self._client, self._table,
                                             [listed(actor, action)], limit=limit, cursor=cursor)
        return [AuditEntry.from_item(item) for item in items], next_cursor


def listed(actor: str | None, action: str | None) -> Slice:
    """The list of entries a filter reads (None: any), as its cursor names it."""
    if actor is not None and action is not None:
        return Slice(BY_TABLE, keys.audit_by(actor, action))
    if actor is not None:
        return Slice(BY_GSI2, keys.audit_by_actor(actor))
    if action is not None:
        return Slice(BY_GSI3, keys.audit_by_action(action))
    return Slice(BY_GSI1, keys.AUDIT_LIST)


class Audited:
    """One request's admin writes, each recorded in the log: the edge builds
    it from the verified identity and the request's id (plain values: the
    domain sees no HTTP), and the domain's writes take it."""

    def __init__(self, log: AuditLog, actor: Actor, request_id: str) -> None:
        self._log = log
        self.actor = actor
        self.request_id = request_id

    def part(self, action: str, target: Target, summary: str) -> dict[str, Any]:
        """The transaction part recording this change (name it PART)."""
        return self._log.put(self._log.entry(self.actor, self.request_id, action, target,
                                             summary))

    def record(self, action: str, target: Target, summary: str) -> AuditEntry:
        """Record a change no transaction could hold, on its own."""
        entry = self._log.entry(self.actor, self.request_id, action, target, summary)
        self._log.write(entry)
        return entry
