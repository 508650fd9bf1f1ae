"""A message's mentions: the mailboxes its email fields name besides its
sender's, each given a reference to the message in the person index (issue 25:
a person's data holds "messages from it, in any form field where fields exist").

A message is in its sender's GSI3 partition itself (its replyTo field's
address: keys.sender_message_listing). Each other mailbox an `email`-typed
field of it names (chalicelib/core/addresses.py: an address and its +tags are
one; each mailbox once, however many fields name it) gets a mention item
(keys.mention): the message's id and nothing of what it says. A form without a
replyTo field has no sender: each of its email fields' mailboxes is a mention.

A mention is kept in step with its message by living in the message's
partition (MSG#<id>):
- written in the message's create transaction (MessageStore.create), with the
  message's expiry;
- deleted in the message's delete transaction (MessageStore.delete: the one
  path a message leaves by, a person's erasure and a bulk delete included),
  its key derived from the message's fields, as here;
- its expiry follows the message's as every item under MSG#<id> does: a status
  change to or from spam rewrites them (chalicelib/contact/status.py), and so
  does the retention backfill (infra/retention_backfill.py); TTL deletes it
  with the message (it counts nothing: chalicelib/contact/expired.py);
- a status change leaves it as it is: it names the message by id, and whoever
  follows it reads the message's status from the message. TTL may delete the
  message a while before the mention: a mention whose message is gone is
  passed over by a person's data and deleted by their erasure.

Messages stored before mentions were get theirs from `make deploy`
(infra/index_upgrades.py).
"""
from __future__ import annotations

from typing import Any

from chalicelib.contact.model import Message
from chalicelib.core.addresses import normalised_address
from chalicelib.core.retention import expiry_attribute
from chalicelib.db import keys
from chalicelib.db.expressions import Condition, attr, delete, put
from chalicelib.db.table import PK, SK
from chalicelib.forms.submission import SubmittedField

MENTION_TYPE = "mention"  # its item's type
EMAIL_FIELD = "email"  # the field type whose values are addresses


def mentioned(message: Message) -> list[str]:
    """The mailboxes (normalised addresses) the message's email fields name
    besides its sender's, each once, in the form's order."""
    sender = normalised_address(message.email) if message.email else None
    found: list[str] = []
    for field in message.fields:
        address = _address(field)
        if address is not None and address != sender and address not in found:
            found.append(address)
    return found


def _address(field: SubmittedField) -> str | None:
    if field.type != EMAIL_FIELD or not isinstance(field.value, str) or "@" not in field.value:
        return None
    return normalised_address(field.value)


def mention_item(message_id: str, address: str, expires_at: int | None) -> dict[str, Any]:
    return {**keys.mention(message_id, address), "type": MENTION_TYPE, "id": message_id,
            **expiry_attribute(expires_at)}


NEW = attr(PK).not_exists()  # a new message's mentions: none was written


def mention_puts(table: str, message: Message,
                 condition: Condition | None = NEW) -> dict[str, dict[str, Any]]:
    """The transaction parts writing the message's mentions, with its expiry
    (None: `condition` is another part's, the data upgrade's check of the
    message as it read it, infra/index_upgrades.py)."""
    return {f"mention {n}": {"Put": put(table, mention_item(message.id, address,
                                                            message.expires_at),
                                        condition=condition)}
            for n, address in enumerate(mentioned(message))}


def mention_deletes(table: str, message: Message) -> dict[str, dict[str, Any]]:
    """The transaction parts deleting the message's mentions (a mention never
    written, by a message stored before them, is deleted as a no-op)."""
    parts: dict[str, dict[str, Any]] = {}
    for n, address in enumerate(mentioned(message)):
        key = keys.mention(message.id, address)
        parts[f"mention {n}"] = {"Delete": delete(table, {PK: key[PK], SK: key[SK]})}
    return parts
