"""The requests every candidate answers, and the table they read."""
from __future__ import annotations

import itertools
import json
import time
from typing import Any

from events import api_event

INVALID_USER = {"name": "x", "email": "not-an-email", "age": 7}
SEEDED_USERS = 50
_emails = itertools.count()


# CPU seconds this process has spent inside moto answering calls: DynamoDB's
# work, which deployed runs on AWS's servers, not in the function.
_moto_cpu = [0.0]


def moto_cpu_seconds() -> float:
    return _moto_cpu[0]


def replay_repeated_reads() -> None:
    """Reads repeat one request, so moto answers each distinct GetItem or Query
    once and that answer is replayed: botocore still builds, signs and parses
    every call, but moto's own server-side work (55-80 ms a Query page with moto
    5.2's serializer) stays out of the figures, as DynamoDB's work is not the
    function's CPU or memory. Writes cannot be replayed: the CPU time moto
    spends answering them is added up in moto_cpu_seconds() for the timer to
    take off (bench/warm.py)."""
    from moto.core.botocore_stubber import BotocoreStubber

    answer = BotocoreStubber.process_request
    answers: dict[tuple[Any, ...], Any] = {}

    def answered(self: BotocoreStubber, request: Any) -> Any:
        started = time.process_time()
        try:
            return answer(self, request)
        finally:
            _moto_cpu[0] += time.process_time() - started

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else str(target)
        if not target.endswith((".GetItem", ".Query")):
            return answered(self, request)
        key = (request.url, target, request.body)
        if key not in answers:
            answers[key] = answered(self, request)
        return answers[key]

    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]


def record_dynamodb_calls(into: list[tuple[str, Any]]) -> None:
    """Append each DynamoDB call moto is asked to answer, replayed reads
    included, to `into` as (operation, request body): read them with
    described() after the batch, outside the time measured."""
    from moto.core.botocore_stubber import BotocoreStubber

    answer = BotocoreStubber.process_request

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else str(target)
        into.append((target.rsplit(".", 1)[-1], request.body))
        return answer(self, request)

    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]


def described(operation: str, body: Any) -> tuple[str, str]:
    """A recorded call as the results table names it (the operation; a
    transaction with its parts in order) and as candidates are compared: a
    transaction also by the attributes each part writes, so that every
    candidate writes the same items (the same size of request to build,
    sign and send)."""
    if operation != "TransactWriteItems":
        return operation, operation
    parts = json.loads(body)["TransactItems"]
    kinds = [next(iter(part)) for part in parts]
    written = [" ".join(sorted(part[kind].get("Item") or part[kind].get("Key") or {}))
               for part, kind in zip(parts, kinds, strict=True)]
    return (f"{operation} ({', '.join(kinds)})",
            f"{operation}: " + "; ".join(f"{kind} [{attributes}]"
                                         for kind, attributes in zip(kinds, written, strict=True)))


def create_table(dynamodb: Any, table: str) -> None:
    """The table as the resources stack creates it, less its stream: moto keeps
    every stream record and copies them with the table on each transaction, so
    its memory and time would grow with every write of the run (CHALICE-NOTES).
    Deployed, the stream costs the request nothing."""
    from devstack.provision import template_table

    definition = template_table(table)
    del definition["StreamSpecification"]
    dynamodb.create_table(**definition)


def seed(dynamodb: Any, table: str) -> list[str]:
    """A fresh table with users made by Frontdesk's own store."""
    from chalicelib.users.model import UserCreate
    from chalicelib.users.store import UserStore

    create_table(dynamodb, table)
    store = UserStore(dynamodb, table)
    return [store.create(UserCreate(name=f"Seeded User {n}", email=f"seed{n}@example.com",
                                    age=30)).id for n in range(SEEDED_USERS)]


def routes(user_id: str) -> dict[str, Any]:
    """Route name -> a function giving the next event (valid creates need fresh emails)."""
    health = api_event("GET", "/health", "/health", signed_in=False)
    get_user = api_event("GET", "/users/{user_id}", f"/users/{user_id}",
                         path_params={"user_id": user_id})
    invalid = api_event("POST", "/users", "/users", body=INVALID_USER)
    listing = api_event("GET", "/users", "/users")

    def valid() -> dict[str, Any]:
        return api_event("POST", "/users", "/users", body={
            "name": "Ada Lovelace", "email": f"ada{next(_emails)}@example.com", "age": 36})

    return {"GET /health": lambda: health, "GET /users/{id}": lambda: get_user,
            "POST /users invalid": lambda: invalid, "POST /users valid": valid,
            "GET /users": lambda: listing}


EXPECTED_STATUS = {"GET /health": {200}, "GET /users/{id}": {200},
                   "POST /users invalid": {400, 422}, "POST /users valid": {201},
                   "GET /users": {200}}


def created_user(response: dict[str, Any]) -> tuple[str, str]:
    body = json.loads(response["body"])
    return body["id"], body["email"]


def remove_created(dynamodb: Any, table: str, created: list[tuple[str, str]]) -> None:
    """Keep the table the same size for every batch (moto copies it per
    transaction): the users and their email claims, and the audit entries
    their creates wrote."""
    for user_id, email in created:
        for key in ({"pk": {"S": f"USER#{user_id}"}, "sk": {"S": "USER"}},
                    {"pk": {"S": f"EMAIL#{email}"}, "sk": {"S": "EMAIL"}}):
            dynamodb.delete_item(TableName=table, Key=key)
    # A Scan: a Query would be answered from the first one's replay (replay_repeated_reads).
    entries = dynamodb.scan(TableName=table, FilterExpression="#type = :audit",
                            ExpressionAttributeNames={"#type": "type"},
                            ExpressionAttributeValues={":audit": {"S": "audit"}})["Items"]
    for entry in entries:
        dynamodb.delete_item(TableName=table, Key={"pk": entry["pk"], "sk": entry["sk"]})
