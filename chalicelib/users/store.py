"""UserStore: users in the single table, with DynamoDB enforcing the rules.

- Create: one transaction puts the user (attribute_not_exists), claims its
  email (attribute_not_exists on EMAIL#<email>), adds 1 to the users counter
  and, with an Idempotency-Key, remembers the answer. Two creates with one
  email cannot both succeed.
- Update: only from a version the caller names (optimistic concurrency), and
  conditional on the version just read; an email change moves the claim in the
  same transaction.
- Delete: removes the user and frees its email claim, conditional on the
  version just read, and subtracts 1 from the counter.
- List: one GSI1 page, newest first (chalicelib/db/listing.py).
- With an `Audited`, each write holds its audit entry in its transaction
  (an update is then always a transaction, its email unchanged or not).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Set
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from msgspec import UNSET

from chalicelib.audit.entry import Target
from chalicelib.audit.log import PART as AUDIT_PART
from chalicelib.audit.log import Audited
from chalicelib.core.domain_errors import (
    ConcurrentChange,
    EmailTaken,
    KeyInUse,
    RecordNotFound,
    VersionMismatch,
)
from chalicelib.core.idempotency import IdempotentRequest
from chalicelib.db import keys
from chalicelib.db.clock import iso, utc_now
from chalicelib.db.counters import counter_update
from chalicelib.db.errors import aws_unavailable_mapped, error_code
from chalicelib.db.expressions import attr, delete, put, update
from chalicelib.db.listing import newest_first
from chalicelib.db.reads import get_item
from chalicelib.db.table import PK
from chalicelib.db.transactions import ConditionFailed, PartOrder, as_written, transact_write
from chalicelib.platform.ids import is_ulid, new_id
from chalicelib.users.model import User, UserCreate, UserUpdate

# The versions a change may apply to; None: whichever version is current.
ExpectedVersions = Set[int] | None
# Reads and conditional writes a change to the current version tries before
# it gives way to the changes overtaking it.
ATTEMPTS = 3
_log = logging.getLogger("frontdesk.users")


class UserStore:
    def __init__(self, client: Any, table_name: str, *, clock: Callable[[], datetime] = utc_now,
                 ids: Callable[[], str] = new_id, part_order: PartOrder = as_written) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock
        self._ids = ids
        self._part_order = part_order

    # -- reads ---------------------------------------------------------------

    def get(self, user_id: str) -> User:
        if not is_ulid(user_id):  # also keeps oversized junk out of DynamoDB keys
            raise RecordNotFound("No user has this id.")
        item = get_item(self._client, self._table, keys.user(user_id))
        if item is None:
            raise RecordNotFound("No user has this id.")
        return User.from_item(item)

    def find_by_email(self, email: str) -> User | None:
        claim = get_item(self._client, self._table, keys.email_claim(email.lower()))
        if claim is None:
            return None
        try:
            return self.get(claim["userId"])
        except RecordNotFound:
            return None  # deleted between the two reads

    def list(self, *, limit: int, cursor: str | None = None) -> tuple[list[User], str | None]:
        items, next_cursor = newest_first(self._client, self._table, partition=keys.USER_LIST,
                                          limit=limit, cursor=cursor)
        return [User.from_item(item) for item in items], next_cursor

    # -- writes --------------------------------------------------------------

    def create(self, data: UserCreate, request: IdempotentRequest | None = None,
               audited: Audited | None = None) -> User:
        """With `request`, the new user's JSON is remembered as the answer in the
        same transaction (KeyInUse if a concurrent request with the key got
        there first)."""
        moment = self._clock()
        now = iso(moment)
        user = User(id=self._ids(), name=data.name, email=data.email,
                    age=None if data.age is UNSET else data.age,
                    created_at=now, updated_at=now, version=1)
        parts = {
            "user": self._put_new(user.to_item()),
            "emailClaim": self._put_new({**keys.email_claim(user.email), "type": "emailClaim",
                                         "userId": user.id}),
            "counters": counter_update(self._table, users=1),
        }
        if request is not None:
            parts["idempotency"] = request.record_put(self._table, user.to_json(),
                                                      int(moment.timestamp()))
        if audited is not None:
            parts[AUDIT_PART] = audited.part("user.create", Target("user", user.id),
                                             f"created: version 1, {_fields(data)}")
        try:
            transact_write(self._client, parts, order=self._part_order)
        except ConditionFailed as exc:
            if exc.failed("idempotency"):
                raise KeyInUse() from exc
            if exc.failed("emailClaim"):
                raise EmailTaken() from exc
            raise
        return user

    def update(self, user_id: str, changes: UserUpdate, expected_versions: ExpectedVersions,
               audited: Audited | None = None) -> User:
        """Apply `changes` if the current version is one of `expected_versions`
        (None: whichever is current). The write is conditional on the version
        read, so a concurrent change is read again and checked again; after
        ATTEMPTS overtaken, ConcurrentChange."""
        for _ in range(ATTEMPTS):
            current = self.get(user_id)
            if expected_versions is not None and current.version not in expected_versions:
                raise VersionMismatch()
            updated = User(
                id=current.id,
                name=current.name if changes.name is UNSET else changes.name,
                email=current.email if changes.email is UNSET else changes.email,
                age=current.age if changes.age is UNSET else changes.age,
                created_at=current.created_at, updated_at=iso(self._clock()),
                version=current.version + 1)
            change = self._versioned_update(updated, current.version)
            audit = {} if audited is None else {AUDIT_PART: audited.part(
                "user.update", Target("user", user_id),
                f"version {current.version} → {updated.version}: {_fields(changes)}")}
            try:
                if updated.email == current.email and not audit:
                    with aws_unavailable_mapped():
                        self._client.update_item(**change)
                elif updated.email == current.email:
                    transact_write(self._client, {"user": {"Update": change}, **audit},
                                   order=self._part_order)
                else:
                    transact_write(self._client, {
                        "user": {"Update": change},
                        "emailClaim": self._put_new({**keys.email_claim(updated.email),
                                                     "type": "emailClaim", "userId": user_id}),
                        "oldEmailClaim": self._delete_claim(current.email, user_id),
                        **audit,
                    }, order=self._part_order)
                return updated
            except ConditionFailed as exc:
                if exc.failed("emailClaim"):
                    raise EmailTaken() from exc
                if not exc.failed("user"):
                    raise
            except ClientError as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise
            # Changed or deleted since we read it: read again.
        raise _overtaken("update", user_id)

    def delete(self, user_id: str, expected_versions: ExpectedVersions = None,
               audited: Audited | None = None) -> None:
        # The email claim to free is read from the user; the delete is
        # conditional on that read still being current. If a concurrent update
        # got in between, read again.
        for _ in range(ATTEMPTS):
            current = self.get(user_id)
            if expected_versions is not None and current.version not in expected_versions:
                raise VersionMismatch()
            try:
                transact_write(self._client, {
                    "user": {"Delete": delete(self._table, keys.user(user_id),
                                              condition=attr("version").eq(current.version))},
                    "emailClaim": self._delete_claim(current.email, user_id),
                    "counters": counter_update(self._table, users=-1),
                    **({} if audited is None else {AUDIT_PART: audited.part(
                        "user.delete", Target("user", user_id),
                        f"deleted: version {current.version}")}),
                }, order=self._part_order)
                return
            except ConditionFailed:
                continue
        raise _overtaken("delete", user_id)

    # -- pieces --------------------------------------------------------------

    def _put_new(self, values: dict[str, Any]) -> dict[str, Any]:
        return {"Put": put(self._table, values, condition=attr(PK).not_exists())}

    def _delete_claim(self, email: str, user_id: str) -> dict[str, Any]:
        return {"Delete": delete(self._table, keys.email_claim(email),
                                 condition=attr("userId").eq(user_id))}

    def _versioned_update(self, user: User, expected_version: int) -> dict[str, Any]:
        # Its place among its email's records moves with the email.
        changes: dict[str, Any] = {"name": user.name, "email": user.email,
                                   "updatedAt": user.updated_at, "version": user.version,
                                   **user.person_listing()}
        if user.age is not None:
            changes["age"] = user.age
        # A missing item fails the condition too, so an update never creates a user.
        return update(self._table, keys.user(user.id), set=changes,
                      remove=["age"] if user.age is None else [],
                      condition=attr("version").eq(expected_version))


def _fields(data: UserCreate | UserUpdate) -> str:
    """The fields a create or update set, by name: never their values."""
    named = [name for name in ("name", "email", "age") if getattr(data, name) is not UNSET]
    return "fields " + ", ".join(named)


def _overtaken(change: str, user_id: str) -> ConcurrentChange:
    # A race lost to other writers, answered 409: worth a line, not an alarm.
    _log.info("user change overtaken by concurrent changes", extra={"fields": {
        "change": change, "userId": user_id, "attempts": ATTEMPTS}})
    return ConcurrentChange()
