"""Bulk actions on messages: one outcome per id, in order, one bad id never
failing the others.

Each id gets exactly what its single-message route does, through the same
code: `read`, `archive` and `spam` are PATCH's status change
(MessageStore.set_status, with its rules: a replied message marked read stays
replied; marking spam holds its deliveries back), `not_spam` is PATCH's
`{"status": "new"}` on a spam message (the mail it held back is sent, once)
and leaves any other message as it is, `delete` is DELETE's. So the counters
move in each message's own transaction, and stay exact however bulk actions and
single ones overlap. The ids are handled
concurrently, a few at a time: a hundred cost about a tenth of a hundred round
trips in sequence.
"""
from __future__ import annotations

import contextvars
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Literal, get_args

import msgspec
from msgspec import Meta

from chalicelib.core.domain_errors import DomainError, InvalidFields
from chalicelib.core.validation import Model

MAX_IDS = 100
Action = Literal["read", "archive", "spam", "not_spam", "delete"]
ACTIONS: tuple[str, ...] = get_args(Action)
# The status each status action asks for (PATCH's body would say the same);
# `not_spam` asks a spam message to be new again, and leaves any other as it is.
ACTION_STATUS = {"read": "read", "archive": "archived", "spam": "spam", "not_spam": "new"}
NOT_SPAM = "not_spam"
DELETED = "deleted"
# Messages handled at once: DynamoDB's latency, not the CPU, is what they wait on.
WORKERS = 10

MessageId = Annotated[str, Meta(min_length=1, max_length=64,
                                description="a message's id (an unknown one gets its own "
                                            "not_found result)")]


class BulkChange(Model):
    ids: Annotated[list[MessageId], Meta(min_length=1, max_length=MAX_IDS,
                                         description=f"1 to {MAX_IDS} message ids, each once",
                                         extra_json_schema={"uniqueItems": True})]
    action: Annotated[Action, Meta(description=f"one of {', '.join(ACTIONS)}")]

    def check(self) -> BulkChange:
        """Itself, or InvalidFields naming an id given twice (which of the two
        answers would be its result?)."""
        repeated = [i for i, n in Counter(self.ids).items() if n > 1]
        if repeated:
            raise InvalidFields([{"field": "ids", "message": f"must name each message once "
                                                             f"({repeated[0]} is repeated)"}])
        return self


# A Struct, not a dataclass (chalicelib/http/operations.py says why).
class Outcome(msgspec.Struct, frozen=True):
    """What became of one id: its status after the action (`deleted`), or the
    domain error that stopped it."""
    id: str
    status: str | None = None
    error: DomainError | None = None


def run_each(ids: Sequence[str], one: Callable[[str], str],
             workers: int = WORKERS) -> list[Outcome]:
    """`one(id)` for every id, `workers` at a time: the status it answers, or
    the domain error it raises, in the order of `ids` (anything else is a bug,
    and raised)."""
    def outcome(message_id: str) -> Outcome:
        try:
            return Outcome(message_id, status=one(message_id))
        except DomainError as error:
            return Outcome(message_id, error=error)

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(ids)))) as pool:
        # Each in a copy of the request's context: its log lines keep the request's id.
        futures = [pool.submit(contextvars.copy_context().run, outcome, message_id)
                   for message_id in ids]
        return [future.result() for future in futures]
