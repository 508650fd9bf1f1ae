"""Idempotency-Key: a retried create returns the first answer instead of
creating again. One store serves every keyed route (POST /contact, POST /users,
POST /service/users, POST /dashboard/messages/{id}/replies), and one method,
`IdempotencyStore.once`, holds the whole sequence: replay, else create, and on a
key clash replay the winner. Each use declares only its Scope (the operation,
and whether keys are each caller's own) and its create.

A route's first answer is remembered in the same transaction as the write it
answers for, so "created" and "remembered" cannot disagree; only successes are
remembered. A key belongs to one operation (its scope), so the same key sent to
two routes means two things. Keys are hashed before they go into a DynamoDB
key. TTL deletes records after 24 hours, but TTL deletion lags (up to days), so
expiry is also checked on read and in the write condition.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

import msgspec
from botocore.exceptions import ClientError

from chalicelib.core.domain_errors import (
    DependencyUnavailable,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    KeyInUse,
)
from chalicelib.db import keys
from chalicelib.db.clock import utc_now
from chalicelib.db.errors import aws_unavailable_mapped, error_code
from chalicelib.db.expressions import attr, put
from chalicelib.db.reads import get_item
from chalicelib.db.table import PK, TTL_ATTRIBUTE
from chalicelib.platform.ids import new_id

TTL_SECONDS = 24 * 60 * 60
HEADER = "Idempotency-Key"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def checked_key(value: str | None) -> str | None:
    if value is None:
        return None
    # Printable ASCII only: what UUIDs and random tokens are made of.
    if not (8 <= len(value) <= 128) or not all("\x21" <= ch <= "\x7e" for ch in value):
        raise IdempotencyKeyInvalid()
    return value


# Structs, not dataclasses: loaded at init (chalicelib/http/operations.py says why).
class IdempotentRequest(msgspec.Struct, frozen=True):
    scope: str  # the operation, e.g. "POST /users"
    key: str
    body: dict[str, Any]  # what the request asked for, as validated
    answer: type[Any] = dict  # what a replay reads the remembered answer as
    # The address the request held (its sender's, a new user's): the record is
    # one of that person's records (chalicelib/people), found and erased with them.
    about: str | None = None

    @property
    def key_digest(self) -> str:
        return digest(f"{self.scope}\n{self.key}")

    @property
    def body_digest(self) -> str:
        return digest(json.dumps(self.body, sort_keys=True, separators=(",", ":")))

    def record_put(self, table: str, answer: Any, now_epoch: int) -> dict[str, Any]:
        """TransactWriteItems entry: remember the answer, unless a live record
        exists (then the transaction fails this item's condition: KeyInUse)."""
        person = {} if self.about is None else keys.person_record(
            self.about, keys.PERSON_IDEMPOTENCY, new_id())
        return {"Put": put(table, {**keys.idempotency(self.key_digest), **person,
                                   "type": "idempotency", "bodyDigest": self.body_digest,
                                   "response": msgspec.json.encode(answer).decode(),
                                   TTL_ATTRIBUTE: now_epoch + TTL_SECONDS},
                           condition=attr(PK).not_exists() | attr(TTL_ATTRIBUTE).lt(now_epoch))}


class Scope(msgspec.Struct, frozen=True):
    """What a key is a key to: one operation ("POST /users"), and, when
    `per_actor`, one caller's keys only (another admin's identical key is
    another request). A replay reads the remembered answer as `answer` (a
    body's Struct, or a dict)."""
    operation: str
    per_actor: bool = False
    answer: type[Any] = dict

    def request(self, key: str | None, body: dict[str, Any], *, actor: str | None = None,
                about: str | None = None) -> IdempotentRequest | None:
        """The keyed request (None without a key); `body` is what was asked, as
        validated; `about`, the address it holds, if any."""
        if key is None:
            return None
        if self.per_actor != (actor is not None):
            raise ValueError(f"{self.operation}: an actor {'is' if self.per_actor else 'is not'} "
                             "part of this scope")
        scope = f"{self.operation} by {actor}" if actor is not None else self.operation
        return IdempotentRequest(scope, key, body, self.answer, about)


A = TypeVar("A")


class IdempotencyStore:
    def __init__(self, client: Any, table_name: str, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock

    def now_epoch(self) -> int:
        return int(self._clock().timestamp())

    def once(self, request: IdempotentRequest | None,
             create: Callable[[IdempotentRequest | None], A]) -> A:
        """The answer to a create that may be a retry. With a key: the answer
        remembered for it, if any; else `create(request)`, whose write must
        remember its answer (IdempotentRequest.record_put, or `remember`) and
        raise KeyInUse if a concurrent request's record got there first, whose
        answer is then this one's. Without a key: `create(None)`."""
        if request is None:
            return create(None)
        replayed = self.replay(request)
        if replayed is not None:
            return cast(A, replayed)
        try:
            return create(request)
        except KeyInUse:
            return cast(A, self.replay_raced(request))

    def replay(self, request: IdempotentRequest) -> Any:
        """The answer remembered for this key, None if there is none, or
        IdempotencyKeyReused if the key was used with a different body."""
        record = get_item(self._client, self._table, keys.idempotency(request.key_digest))
        if record is None or record[TTL_ATTRIBUTE] < self.now_epoch():
            return None
        if record["bodyDigest"] != request.body_digest:
            raise IdempotencyKeyReused()
        return msgspec.json.decode(record["response"], type=request.answer)

    def replay_raced(self, request: IdempotentRequest) -> Any:
        """After KeyInUse: the winner's answer (or IdempotencyKeyReused for another body)."""
        answer = self.replay(request)
        if answer is None:  # only if the winner's record expired in between
            raise DependencyUnavailable("Another request with this Idempotency-Key was in progress.")
        return answer

    def remember(self, request: IdempotentRequest, answer: A) -> A:
        """Remember an answer that no other write goes with; returns the answer
        now remembered (an earlier request's, if one got there first)."""
        record = request.record_put(self._table, answer, self.now_epoch())["Put"]
        try:
            with aws_unavailable_mapped():
                self._client.put_item(**record)
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            return cast(A, self.replay_raced(request))
        return answer
