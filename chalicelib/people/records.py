"""A person's records: everything stored about one mailbox, found through its
partition of the sender index (GSI3, chalicelib/db/keys.py), at a cost that
grows with what is stored about them, never with the table.

A mailbox is an address lower-cased and without its `+tag`
(chalicelib/core/addresses.py), as the sender list and the autoresponder's
limit count one visitor: `ada+news@example.com` reaches Ada's mailbox, so
a request about `ada@example.com` covers every tag of it.

Its GSI3 partition, SENDER#<mailbox digest>, holds, each kind one range of
sort keys and listed by it on every write:
- messages from it (`<status>#<id>`: the sender list; its replyTo field's
  address for a form's post);
- messages naming it in another email field (`MENTION#<message id>`: a
  reference to the message, chalicelib/contact/mentions.py), each listed, and
  erased, as a message from it is, once however many fields name it; one
  whose message has gone (TTL deletes the two at its own pace) is passed over;
- user records with that email (`USER#<id>`: chalicelib/users/model.py;
  those stored before, from the deploy's upgrade, infra/index_upgrades.py);
- remembered answers to keyed requests that held it (`IDEMPOTENCY#<ulid>`,
  chalicelib/core/idempotency.py; none older than the index: they live 24 hours);
- a reply to it still being mailed after its message was deleted (`REPLY#<id>`,
  chalicelib/dashboard/reply_store.py; before the index, such a reply was
  sent and removed within its retries).

What hangs off a message or such a reply is in its own partition (MSG#<id>):
its replies and every delivery about it (the owner's mail, the chat post,
the autoresponse, each reply's mail), each read with one Query of it.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from chalicelib.contact.mentions import MENTION_TYPE
from chalicelib.contact.model import STATUSES
from chalicelib.db import keys
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.items import from_item, to_value
from chalicelib.db.listing import BY_GSI3, Slice, newest_first_of
from chalicelib.db.reads import get_item
from chalicelib.db.table import PK, SK
from chalicelib.outbox.kind import DELIVERY_TYPE
from chalicelib.outbox.kinds import REPLY as REPLY_MAIL

MESSAGE, USER, IDEMPOTENCY, REPLY = "message", "user", "idempotency", "reply"
MENTION = MENTION_TYPE


def slices(address: str) -> list[Slice]:
    """Every range of the mailbox's partition: each status's messages, then
    each other kind of record."""
    partition = keys.sender_messages(address)
    return [*(Slice(BY_GSI3, partition, keys.sender_status_prefix(s)) for s in STATUSES),
            *(Slice(BY_GSI3, partition, kind)
              for kind in (keys.PERSON_MENTION, keys.PERSON_USER, keys.PERSON_REPLY,
                           keys.PERSON_IDEMPOTENCY))]


def kind_of(item: dict[str, Any]) -> str:
    """What a record of the partition is: MESSAGE, MENTION, USER, IDEMPOTENCY or REPLY."""
    return str(item.get("type", ""))


@dataclass
class Found:
    """A page of a person's records: the indexed ones, and what hangs off them."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    idempotency: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


class PersonRecords:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def page(self, address: str, *, limit: int, cursor: str | None) -> Found:
        """One page of the mailbox's records, newest first (`limit` indexed
        records, with the replies and deliveries under its messages; a
        mention's message read by its key, one GetItem)."""
        items, next_cursor = newest_first_of(self._client, self._table, slices(address),
                                             limit=limit, cursor=cursor)
        found = Found(next_cursor=next_cursor)
        for item in items:
            kind = kind_of(item)
            if kind == MENTION:
                mentioning = self.message(str(item["id"]))
                if mentioning is not None:
                    self._add_message(found, mentioning)
            elif kind == MESSAGE:
                self._add_message(found, item)
            elif kind == REPLY:
                mails = self.deliveries_of_reply(item)
                to = next((m.get("payload", {}).get("to") for m in mails), None)
                found.replies.append({"to": to, **item})
                found.deliveries += mails
            elif kind == USER:
                found.users.append(item)
            elif kind == IDEMPOTENCY:
                found.idempotency.append(item)
        return found

    def _add_message(self, found: Found, item: dict[str, Any]) -> None:
        found.messages.append(item)
        for child in self.partition(str(item["id"])):
            if child[SK].startswith(keys.REPLY_PREFIX):
                found.replies.append({"to": item.get("email"), **child})
            elif child.get("type") == DELIVERY_TYPE:
                found.deliveries.append(child)

    def message(self, message_id: str) -> dict[str, Any] | None:
        """The message item a mention names (None: it has gone)."""
        return get_item(self._client, self._table, keys.message(message_id))

    def indexed(self, address: str, *, page_size: int = 25) -> Iterator[dict[str, Any]]:
        """Every indexed record of the mailbox, newest first, a page at a time
        (what an erasure walks: it deletes each as it goes)."""
        cursor: str | None = None
        while True:
            items, cursor = newest_first_of(self._client, self._table, slices(address),
                                            limit=page_size, cursor=cursor)
            yield from items
            if cursor is None:
                return

    def partition(self, message_id: str) -> list[dict[str, Any]]:
        """Every item of a message's partition but the message: its replies and deliveries."""
        return [item for item in self._query(keys.message(message_id)[PK])
                if item[SK] != keys.message(message_id)[SK]]

    def deliveries_of_reply(self, reply: dict[str, Any]) -> list[dict[str, Any]]:
        prefix = keys.delivery(reply, REPLY_MAIL.name, str(reply["id"]))[SK]
        return self._query(str(reply[PK]), prefix)

    def _query(self, partition: str, prefix: str | None = None) -> list[dict[str, Any]]:
        names = {"#pk": PK}
        values = {":pk": to_value(partition)}
        condition = "#pk = :pk"
        if prefix is not None:
            names["#sk"] = SK
            values[":prefix"] = to_value(prefix)
            condition += " AND begins_with(#sk, :prefix)"
        query: dict[str, Any] = {"TableName": self._table, "ConsistentRead": True,
                                 "KeyConditionExpression": condition,
                                 "ExpressionAttributeNames": names,
                                 "ExpressionAttributeValues": values}
        found: list[dict[str, Any]] = []
        while True:
            with aws_unavailable_mapped():
                answer = self._client.query(**query)
            found += [from_item(item) for item in answer["Items"]]
            if "LastEvaluatedKey" not in answer:
                return found
            query["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
