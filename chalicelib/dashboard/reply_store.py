"""ReplyStore: a message's thread, and new replies, in the single table.

- Thread: one strongly consistent Query on the message's partition reads the
  message (sk MSG) and its replies (sk REPLY#<ulid>, oldest first).
- Create: one transaction puts the reply (its delivery pending, due now, in
  the outbox's GSI2 partition), moves the message to `replied` with its reply
  count raised (conditional on the status just read and on the count being
  under the cap), moves the status counters, charges the admin's rate limit
  and, with an Idempotency-Key, remembers the answer. Any part refused: nothing
  is stored, nothing is mailed.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.contact.chat import delivery_of
from chalicelib.contact.model import Message, Notification
from chalicelib.contact.store import STATUS_COUNTER
from chalicelib.core.domain_errors import DependencyUnavailable, KeyInUse, LimitReached, RecordNotFound
from chalicelib.core.idempotency import IdempotentRequest
from chalicelib.dashboard.replies import Reply
from chalicelib.db import keys
from chalicelib.db.clock import iso, utc_now
from chalicelib.db.counters import counter_update
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import attr, put, update
from chalicelib.db.items import from_item, to_value
from chalicelib.db.rate_limit import Charge
from chalicelib.db.table import GSI1_PK, PK, SK
from chalicelib.db.transactions import ConditionFailed, PartOrder, as_written, transact_write
from chalicelib.outbox.kind import PENDING
from chalicelib.outbox.kinds import CHAT, REPLY, discard
from chalicelib.platform.ids import is_ulid, new_id

REPLIED = "replied"


@dataclass(frozen=True)
class Thread:
    message: Message
    replies: list[Reply]
    chat: Notification | None = None  # the chat post's delivery, on a stage that posts


class ReplyStore:
    def __init__(self, client: Any, table_name: str, *, max_replies: int = 20,
                 clock: Callable[[], datetime] = utc_now, ids: Callable[[], str] = new_id,
                 part_order: PartOrder = as_written) -> None:
        self._client = client
        self._table = table_name
        self._max_replies = max_replies
        self._clock = clock
        self._ids = ids
        self._part_order = part_order

    def thread(self, message_id: str) -> Thread:
        if not is_ulid(message_id):
            raise RecordNotFound("No message has this id.")
        query: dict[str, Any] = {
            "TableName": self._table, "ConsistentRead": True,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": PK},
            "ExpressionAttributeValues": {":pk": to_value(keys.message(message_id)[PK])}}
        items: list[dict[str, Any]] = []
        while True:
            with aws_unavailable_mapped():
                response = self._client.query(**query)
            items += [from_item(item) for item in response["Items"]]
            if "LastEvaluatedKey" not in response:
                break
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        message = next((item for item in items if item[SK] == keys.message(message_id)[SK]), None)
        if message is None:
            raise RecordNotFound("No message has this id.")
        replies = [Reply.from_item(item) for item in items
                   if item[SK].startswith(keys.REPLY_PREFIX)]
        chat = next((delivery_of(item) for item in items
                     if item[SK] == keys.chat_delivery(message_id)[SK]), None)
        return Thread(Message.from_item(message), replies, chat)

    def create(self, message_id: str, *, body: str, author: str, charge: Charge,
               request: IdempotentRequest | None) -> dict[str, Any]:
        """Store a reply and return its answer. RecordNotFound, LimitReached,
        RateExceeded or KeyInUse (a concurrent request with the key got there
        first) store nothing."""
        for _ in range(5):
            current = self.thread(message_id).message
            if current.reply_count >= self._max_replies:
                raise self._limit_reached()
            moment = self._clock()
            now = iso(moment)
            reply = Reply.answering(current, reply_id=self._ids(), body=body, author=author,
                                    now=now)
            answer = {"id": reply.id, "status": PENDING}
            mail = reply.requested()
            parts = {
                "reply": {"Put": put(self._table, mail.item, condition=attr(PK).not_exists())},
                "message": {"Update": self._message_replied(current, now)},
                "rateLimit": charge.update,
            }
            counted = Counter(mail.counters)
            if current.status != REPLIED:
                counted.update({STATUS_COUNTER[current.status]: -1, STATUS_COUNTER[REPLIED]: 1})
            if any(counted.values()):
                parts["counters"] = counter_update(self._table, **counted)
            if request is not None:
                parts["idempotency"] = request.record_put(self._table, answer,
                                                          int(moment.timestamp()))
            try:
                transact_write(self._client, parts, order=self._part_order)
                return answer
            except ConditionFailed as exc:
                if exc.failed("rateLimit"):
                    raise charge.refused() from exc
                if exc.failed("idempotency"):
                    raise KeyInUse() from exc
                if exc.failed("message"):
                    continue  # the message changed, filled up or went: read it again
                raise
        raise DependencyUnavailable("The message kept changing. Try again.")

    def deliveries_discarded(self, thread: Thread) -> tuple[dict[str, dict[str, Any]],
                                                            Counter[str]]:
        """The transaction parts deleting the thread's deliveries along with its
        message, and the counters they move: its settled replies (pending ones
        are still sent; the outbox removes them after) and its chat post
        (whatever its state: the message is gone)."""
        parts: dict[str, dict[str, Any]] = {}
        counters: Counter[str] = Counter()
        discarded = [(f"reply {reply.id}", REPLY, keys.reply(thread.message.id, reply.id),
                      reply.status) for reply in thread.replies if reply.status != PENDING]
        if thread.chat is not None:
            discarded.append(("chat", CHAT, keys.chat_delivery(thread.message.id),
                              thread.chat.status))
        for name, kind, key, status in discarded:
            parts[name], moved = discard(kind, self._table, key, status)
            counters.update(moved)
        return parts, counters

    def _message_replied(self, current: Message, now: str) -> dict[str, Any]:
        count = attr("replyCount")
        return update(self._table, keys.message(current.id),
                      set={"status": REPLIED, "updatedAt": now,
                           GSI1_PK: keys.message_list(REPLIED)},
                      add={"replyCount": 1},
                      condition=attr("status").eq(current.status)
                      & (count.not_exists() | count.lt(self._max_replies)))

    def _limit_reached(self) -> LimitReached:
        return LimitReached(f"This message already has {self._max_replies} replies, "
                            "the most it can have.")
