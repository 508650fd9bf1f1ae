"""Erasing everything stored about one mailbox (chalicelib/people/records.py
finds it).

Each record goes by the path its own route deletes it by, so what that path
takes with it, and the counters it moves, follow here too:
- a message from it, or naming it in any other email field (its mention,
  chalicelib/contact/mentions.py): the dashboard's delete
  (chalicelib/dashboard/service.py), its mentions,
  replies and every delivery about them in the same transaction, the
  counters with them. Unlike a plain delete, a reply still to be mailed is
  cancelled, not sent. Anything later attached to a message goes the same way;
- a user record: the users' delete (chalicelib/users/store.py), its email
  claim freed and the users counter moved;
- a reply kept to be mailed after its message was deleted: with its mail,
  unsent;
- a remembered answer to a keyed request.

Every step is a write of its own that leaves the table whole, and each
record is found again from the index until it is gone: an erasure cut short
(a timeout, a failure) is finished by the next, and one that finds nothing
left erases nothing. A call erases at most `budget` records; `complete`
False says more are left for the next call. A call that erased anything is
recorded in the audit log (`person.erase`), the person named by a salted
hash of the address.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.audit.entry import Target, count_of
from chalicelib.audit.hashing import erased_address
from chalicelib.audit.log import Audited
from chalicelib.core.domain_errors import RecordNotFound
from chalicelib.dashboard.service import Dashboard
from chalicelib.db.counters import counter_update
from chalicelib.db.expressions import delete
from chalicelib.db.table import PK, SK
from chalicelib.db.transactions import ConditionFailed, transact_write
from chalicelib.outbox.kind import DELIVERY_TYPE
from chalicelib.outbox.kinds import discard_all
from chalicelib.people.records import (
    IDEMPOTENCY,
    MENTION,
    MESSAGE,
    REPLY,
    USER,
    PersonRecords,
    kind_of,
)
from chalicelib.users.store import UserStore

MESSAGES, REPLIES, USERS = "messages", "replies", "users"
DELIVERIES, IDEMPOTENCY_RECORDS = "deliveries", "idempotencyRecords"
KINDS = (MESSAGES, REPLIES, USERS, DELIVERIES, IDEMPOTENCY_RECORDS)
BUDGET = 100
ERASE = "person.erase"  # its audit entry's action


# Each kind's words in a summary: one, many.
_WORDS = {MESSAGES: ("message", "messages"), REPLIES: ("reply", "replies"),
          USERS: ("user", "users"), DELIVERIES: ("delivery", "deliveries"),
          IDEMPOTENCY_RECORDS: ("idempotency record", "idempotency records")}


def _summary(counts: Counter[str], complete: bool) -> str:
    """Counts only: never the address, nor anything the records held."""
    erased = ", ".join(count_of(counts[kind], *_WORDS[kind]) for kind in KINDS)
    return f"erased {erased}" + ("" if complete else "; more left for the next call")


@dataclass(frozen=True)
class Erased:
    counts: dict[str, int]  # what this call erased, by KINDS
    complete: bool  # nothing is left


class Erasure:
    def __init__(self, client: Any, table_name: str, *, records: PersonRecords,
                 dashboard: Dashboard, users: UserStore) -> None:
        self._client = client
        self._table = table_name
        self._records = records
        self._dashboard = dashboard
        self._users = users

    def erase(self, address: str, *, audited: Audited | None = None,
              salt: Callable[[], str] | None = None, budget: int = BUDGET) -> Erased:
        """Erase up to `budget` of the mailbox's records. With `audited`, a call
        that erased anything records one `person.erase` entry once its steps
        are done, naming the person by the address hashed with `salt()`
        (chalicelib/audit/hashing.py), never the address: it cannot share a
        transaction with writes that are each their own."""
        counts: Counter[str] = Counter({kind: 0 for kind in KINDS})
        erased, complete = 0, True
        for item in self._records.indexed(address):
            if erased >= budget:
                complete = False
                break
            counts.update(self._erase_one(item))
            erased += 1
        if audited is not None and any(counts.values()):
            if salt is None:
                raise ValueError("an audited erasure names the person by a salted hash")
            audited.record(ERASE, Target("person", erased_address(address, salt())),
                           _summary(counts, complete))
        return Erased(dict(counts), complete=complete)

    def _erase_one(self, item: dict[str, Any]) -> Counter[str]:
        """Erase one indexed record with what hangs off it; what went, by kind
        (nothing when it had gone already: the index lags a delete a little)."""
        kind = kind_of(item)
        try:
            if kind == MESSAGE:
                return self._message(str(item["id"]))
            if kind == MENTION:
                return self._mentioning(item)
            if kind == USER:
                self._users.delete(str(item["id"]))
                return Counter({USERS: 1})
            if kind == REPLY:
                return self._kept_reply(item)
            if kind == IDEMPOTENCY:
                self._delete_alone(item)
                return Counter({IDEMPOTENCY_RECORDS: 1})
        except RecordNotFound:
            pass
        return Counter()

    def _delete_alone(self, item: dict[str, Any]) -> None:
        # (A transaction of one: the functions' trimmed DynamoDB model has no
        # DeleteItem, chalicelib/platform/aws_models.)
        transact_write(self._client, {kind_of(item): {"Delete": delete(
            self._table, {PK: item[PK], SK: item[SK]})}})

    def _mentioning(self, mention: dict[str, Any]) -> Counter[str]:
        """The message that names the address in another field, whole, as a
        message from it goes (its mention with it); a mention whose message
        TTL has deleted already goes alone, counted as nothing."""
        try:
            return self._message(str(mention["id"]))
        except RecordNotFound:
            self._delete_alone(mention)
            return Counter()

    def _message(self, message_id: str) -> Counter[str]:
        children = self._records.partition(message_id)
        thread = self._dashboard.delete(message_id, cancel_pending=True)
        return Counter({MESSAGES: 1, REPLIES: len(thread.reply_items),
                        DELIVERIES: sum(child.get("type") == DELIVERY_TYPE
                                        for child in children)})

    def _kept_reply(self, item: dict[str, Any]) -> Counter[str]:
        """A reply whose message went while its mail was pending: it and its
        mail, unless it changed meanwhile (then it is found again next time)."""
        reply_id = str(item["id"])
        deliveries = discard_all(self._table, item, sub_id=reply_id)
        parts = {**deliveries.parts, "reply": {"Delete": delete(
            self._table, {PK: item[PK], SK: item[SK]}, condition=deliveries.record_condition)}}
        if any(deliveries.counters.values()):
            parts["counters"] = counter_update(self._table, **deliveries.counters)
        try:
            transact_write(self._client, parts)
        except ConditionFailed:
            return Counter()
        return Counter({REPLIES: 1, DELIVERIES: len(deliveries.parts)})
