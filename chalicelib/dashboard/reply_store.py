"""ReplyStore: a message's thread, and new replies, in the single table.

- Thread: one strongly consistent Query on the message's partition reads the
  message (sk MSG) and its replies (sk REPLY#<ulid>, oldest first), from MSG
  on: each delivery's progress is summarised on its record, and the
  deliveries' own items (sk DELIVERY#..., sorted before MSG) are the outbox's.
- Create: one transaction puts the reply and its mail (a delivery pending, due
  now: chalicelib/outbox/kinds.py `request`), moves the message to `replied` with its reply
  count raised (conditional on the status just read and on the count being
  under the cap), moves the status counters, charges the admin's rate limit
  and, with an Idempotency-Key, remembers the answer. Any part refused: nothing
  is stored, nothing is mailed.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.audit.entry import Target, count_of
from chalicelib.audit.log import PART as AUDIT_PART
from chalicelib.audit.log import Audited
from chalicelib.contact.model import REPLIED, SPAM, Message, Notification
from chalicelib.contact.status import STATUS_COUNTER, listed_as
from chalicelib.core.domain_errors import (
    DependencyUnavailable,
    KeyInUse,
    LimitReached,
    MessageIsSpam,
    RecordNotFound,
)
from chalicelib.core.idempotency import IdempotentRequest
from chalicelib.core.retention import expiry_attribute
from chalicelib.dashboard.replies import Reply
from chalicelib.db import keys
from chalicelib.db.clock import iso, utc_now
from chalicelib.db.counters import counter_update
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import attr, delete, put, update
from chalicelib.db.items import from_item, to_value
from chalicelib.db.rate_limit import Charge
from chalicelib.db.table import PK, SK, TTL_ATTRIBUTE
from chalicelib.db.transactions import ConditionFailed, PartOrder, as_written, transact_write
from chalicelib.outbox.kind import PENDING
from chalicelib.outbox.kinds import CHAT, discard_all, kept, state_of
from chalicelib.platform.ids import is_ulid, new_id


@dataclass(frozen=True)
class Thread:
    message: Message
    replies: list[Reply]
    chat: Notification | None = None  # the chat post's delivery, on a stage that posts
    reply_items: list[dict[str, Any]] = field(default_factory=list)  # as stored


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
        # From MSG on: the message and its replies, not the deliveries (DELIVERY#
        # sorts before MSG), whose progress the records summarise.
        query: dict[str, Any] = {
            "TableName": self._table, "ConsistentRead": True,
            "KeyConditionExpression": "#pk = :pk AND #sk >= :message",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
            "ExpressionAttributeValues": {":pk": to_value(keys.message(message_id)[PK]),
                                          ":message": to_value(keys.message(message_id)[SK])}}
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
        replies = [item for item in items if item[SK].startswith(keys.REPLY_PREFIX)]
        return Thread(Message.from_item(message), [Reply.from_item(item) for item in replies],
                      state_of(CHAT, message), reply_items=replies)

    def create(self, message_id: str, *, body: str, author: str, charge: Charge,
               request: IdempotentRequest | None,
               audited: Audited | None = None) -> dict[str, Any]:
        """Store a reply and return its answer, and with `audited` its audit
        entry. RecordNotFound, LimitReached, RateExceeded or KeyInUse (a
        concurrent request with the key got there first) store nothing."""
        for _ in range(5):
            current = self.thread(message_id).message
            if current.status == SPAM:
                raise MessageIsSpam()
            if current.reply_count >= self._max_replies:
                raise self._limit_reached()
            moment = self._clock()
            now = iso(moment)
            reply = Reply.answering(current, reply_id=self._ids(), body=body, author=author,
                                    now=now)
            answer = {"id": reply.id, "status": PENDING}
            record, mail = reply.requested()
            # The thread expires as one: the reply and its mail at the message's time.
            expires = current.expires_at
            parts = {
                "reply": {"Put": put(self._table, {**record, **expiry_attribute(expires)},
                                     condition=attr(PK).not_exists())},
                "reply delivery": mail.put(self._table, expires_at=expires),
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
            if audited is not None:
                parts[AUDIT_PART] = audited.part(
                    "reply.create", Target("message", message_id),
                    f"reply {reply.id} ({count_of(len(body), 'character')}) queued to be mailed; "
                    f"the message was {current.status}")
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

    def deliveries_discarded(self, thread: Thread, *, cancel_pending: bool = False,
                             ) -> tuple[dict[str, dict[str, Any]], Counter[str]]:
        """The transaction parts deleting the thread's replies along with its
        message, with their deliveries, and the counters they move. A reply
        whose mail is pending stays: it is still sent, and the outbox removes
        it after (chalicelib/dashboard/reply_mail.py); meanwhile it is listed
        among its recipient's records (chalicelib/people), which no longer
        reach it through the message. With `cancel_pending` (an erasure) it
        goes too, its mail unsent."""
        parts: dict[str, dict[str, Any]] = {}
        counters: Counter[str] = Counter()
        for item in thread.reply_items:
            reply_id = str(item["id"])
            if kept(item) and not cancel_pending:
                if thread.message.email:  # whom it is mailed to
                    parts[f"reply {reply_id}"] = {"Update": update(
                        self._table, keys.reply(thread.message.id, reply_id),
                        set=keys.person_record(thread.message.email, keys.PERSON_REPLY,
                                               reply_id),
                        condition=attr(PK).exists())}
                continue
            deliveries = discard_all(self._table, item, sub_id=reply_id)
            parts.update({f"{name} of reply {reply_id}": part
                          for name, part in deliveries.parts.items()})
            parts[f"reply {reply_id}"] = {"Delete": delete(
                self._table, keys.reply(thread.message.id, reply_id),
                condition=deliveries.record_condition)}
            counters.update(deliveries.counters)
        return parts, counters

    def _message_replied(self, current: Message, now: str) -> dict[str, Any]:
        count = attr("replyCount")
        listing, ours = listed_as(current, REPLIED)
        # Its expiry as read: one the retention backfill changes meanwhile is read again.
        expiry = attr(TTL_ATTRIBUTE)
        same_expiry = expiry.not_exists() if current.expires_at is None \
            else expiry.eq(current.expires_at)
        return update(self._table, keys.message(current.id),
                      set={"status": REPLIED, "updatedAt": now, **listing},
                      add={"replyCount": 1},
                      condition=attr("status").eq(current.status) & ours & same_expiry
                      & (count.not_exists() | count.lt(self._max_replies)))

    def _limit_reached(self) -> LimitReached:
        return LimitReached(f"This message already has {self._max_replies} replies, "
                            "the most it can have.")
