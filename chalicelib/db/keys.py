"""Every entity's keys, built in one place. docs/data-model.md lists the access
patterns each key serves. Ids inside keys are ULIDs, so sorting by sort key
sorts by creation time."""
from __future__ import annotations

from chalicelib.core.addresses import address_digest
from chalicelib.db.table import GSI1_PK, GSI1_SK, GSI2_PK, GSI2_SK, GSI3_PK, GSI3_SK, PK, SK

Key = dict[str, str]

STATS: Key = {PK: "STATS", SK: "STATS"}


def stats_shard(shard: int) -> Key:
    """One counters shard, each its own partition. Shard 0 is the original
    single STATS item, so counts kept before sharding still add up."""
    return STATS if shard == 0 else {PK: f"STATS#{shard}", SK: "STATS"}


def user(user_id: str) -> Key:
    return {PK: f"USER#{user_id}", SK: "USER"}


USER_LIST = "USERS"


def user_listing(user_id: str) -> Key:
    """GSI1: every user in one partition, newest first by id."""
    return {GSI1_PK: USER_LIST, GSI1_SK: user_id}


def email_claim(email: str) -> Key:
    """One item per email in use: its existence is the uniqueness constraint."""
    return {PK: f"EMAIL#{email}", SK: "EMAIL"}


def message(message_id: str) -> Key:
    return {PK: f"MSG#{message_id}", SK: "MSG"}


def message_listing(status: str, message_id: str) -> Key:
    """GSI1: one partition per status, newest first by id; a status change
    moves the message to another partition."""
    return {GSI1_PK: message_list(status), GSI1_SK: message_id}


def message_list(status: str) -> str:
    return f"MSGS#{status}"


def form_message_listing(form_id: str, status: str, message_id: str) -> Key:
    """GSI2: one partition per form and status, newest first by id (the
    dashboard's list filtered by form); a status change moves the message to
    another partition. Messages stored before forms were get theirs from the
    deploy's data upgrade (infra/index_upgrades.py)."""
    return {GSI2_PK: form_message_list(form_id, status), GSI2_SK: message_id}


FORM_MESSAGES_PREFIX = "FORMMSGS#"


def form_message_list(form_id: str, status: str) -> str:
    return f"{FORM_MESSAGES_PREFIX}{form_id}#{status}"


def sender_message_listing(address: str, status: str, message_id: str) -> Key:
    """GSI3 (sparse: messages with a sender address): one partition per
    mailbox (chalicelib/core/addresses.py), sorted by status, then newest
    first by id, so one status's messages are one range of it and a status
    change moves the message within its partition. Messages stored before
    the index have their keys from the deploy's data upgrade
    (infra/index_upgrades.py)."""
    return {GSI3_PK: sender_messages(address), GSI3_SK: sender_status_prefix(status) + message_id}


def sender_messages(address: str) -> str:
    """A mailbox's GSI3 partition: every message from it, whatever its status."""
    return f"SENDER#{address_digest(address)}"


def sender_status_prefix(status: str) -> str:
    """Where `status`'s messages start in a sender's partition."""
    return f"{status}#"


# A person's other records in their mailbox's GSI3 partition, beside their
# messages (a status's prefix is lower-case, so these never fall in a
# status's range): everything a person's data (chalicelib/people) lists and
# erases is one Query of the partition per kind, whatever the table holds.
PERSON_USER = "USER#"  # a user record with that email
PERSON_IDEMPOTENCY = "IDEMPOTENCY#"  # a remembered answer to a request that held it
PERSON_REPLY = "REPLY#"  # a reply to it kept to be sent after its message was deleted
PERSON_MENTION = "MENTION#"  # a message naming it in an email field besides its replyTo


def person_record(address: str, kind: str, record_id: str) -> Key:
    """GSI3: a record about the mailbox `address` of `kind` (a PERSON_ prefix),
    by its id (a ULID: sorted by time)."""
    return {GSI3_PK: sender_messages(address), GSI3_SK: kind + record_id}


MENTION_PREFIX = "MENTION#"


def mention(message_id: str, address: str) -> Key:
    """A message's mention of the mailbox `address` (an email field's value
    besides its replyTo's: chalicelib/contact/mentions.py): in the message's
    partition, so it goes, and expires, with the message (its sort key sorts
    before MSG, out of a thread's read); on GSI3 in the mailbox's partition
    by the message's id. No status in it: a status change leaves it as it is."""
    return {PK: message(message_id)[PK], SK: MENTION_PREFIX + address_digest(address),
            **person_record(address, PERSON_MENTION, message_id)}


def pending_delivery(partition: str, next_attempt_at: str, item_id: str) -> Key:
    """GSI2, sparse: present only while a delivery waits to be sent, one
    partition per kind of delivery, sorted by when it is due."""
    return {GSI2_PK: partition, GSI2_SK: f"{next_attempt_at}#{item_id}"}


def due_deliveries(kind: str) -> str:
    """A kind's GSI2 partition of pending deliveries."""
    return f"DUE#{kind}"


def reply(message_id: str, reply_id: str) -> Key:
    """In the message's partition, so one Query reads a message and its thread."""
    return {PK: f"MSG#{message_id}", SK: f"REPLY#{reply_id}"}


REPLY_PREFIX = "REPLY#"
DELIVERY_PREFIX = "DELIVERY#"


def delivery(record: Key, kind: str, sub_id: str | None = None) -> Key:
    """A delivery, in the partition of the record that causes it (a message's
    owner mail and chat post, a reply's mail: MSG#<id>), so it is read and
    deleted with that record: DELIVERY#<kind>, or DELIVERY#<kind>#<sub-id> for
    one of several of a kind (each reply's, by the reply's id)."""
    return {PK: record[PK], SK: f"{DELIVERY_PREFIX}{kind}" + (f"#{sub_id}" if sub_id else "")}


# The shape before deliveries had items of their own, read only by the upgrade
# (infra/delivery_upgrade.py): each kind's GSI2 partition, and the chat
# post's companion item.
LEGACY_PENDING_NOTIFICATIONS = "NOTIFY#pending"
LEGACY_PENDING_REPLIES = "REPLY#pending"
LEGACY_PENDING_CHAT = "CHAT#pending"


def legacy_chat_delivery(message_id: str) -> Key:
    return {PK: f"MSG#{message_id}", SK: "CHAT"}


def upgrade_marker(name: str) -> Key:
    """How far a data upgrade run by `make deploy` has got (infra/deploy.py)."""
    return {PK: f"UPGRADE#{name}", SK: "UPGRADE"}


FORMS = "FORMS"
FORM_PREFIX = "FORM#"
# How many forms are stored besides the built-in contact form: the cap's
# conditional counter, in the forms' partition (not a STATS shard: a cap needs
# one item to hold its condition).
FORM_COUNT: Key = {PK: FORMS, SK: "COUNT"}


def form(form_id: str) -> Key:
    """Every form in one partition, sorted by id: one strongly consistent Query lists them."""
    return {PK: FORMS, SK: f"{FORM_PREFIX}{form_id}"}


def autoresponse_claim(form_id: str, address_digest: str) -> Key:
    """One item per form and visitor address (its digest) while an autoresponse
    to it is recent: its existence, unexpired, is the one-a-day limit."""
    return {PK: f"AUTORESPONSE#{form_id}#{address_digest}", SK: "AUTORESPONSE"}


def upload_claim(upload_id: str) -> Key:
    """One item per upload a message has claimed: its existence is the
    "claimed once" rule (chalicelib/attachments/claims.py)."""
    return {PK: f"UPLOAD#{upload_id}", SK: "UPLOAD"}


def idempotency(key_digest: str) -> Key:
    return {PK: f"IDEMPOTENCY#{key_digest}", SK: "IDEMPOTENCY"}


def rate_window(scope: str, client_digest: str, window_start: int) -> Key:
    """Contact keeps its original keys (no scope); other scopes are prefixed."""
    prefix = "RATE#" if scope == "contact" else f"RATE#{scope}#"
    return {PK: f"{prefix}{client_digest}#{window_start}", SK: "RATE"}


def duplicate_claim(digest: str) -> Key:
    """One item per form, sender address and text (their digest) while a post
    of it is recent: its existence, unexpired, makes the next one a duplicate
    (chalicelib/spam/duplicate.py)."""
    return {PK: f"DUPLICATE#{digest}", SK: "DUPLICATE"}


# The spam rules document: one per stage (chalicelib/spam/store.py).
SPAM_RULES: Key = {PK: "SPAMRULES", SK: "SPAMRULES"}


# The audit log (chalicelib/audit): each entry is in four lists, one Query
# each, newest first by id, whatever the filter: its table key is the list of
# one actor's entries of one action; GSI1 holds every entry (one partition:
# admins' writes are few), GSI2 each actor's, GSI3 each action's.
AUDIT_LIST = "AUDIT"


def audit_entry(actor_sub: str, action: str, entry_id: str) -> Key:
    return {PK: audit_by(actor_sub, action), SK: entry_id}


def audit_by(actor_sub: str, action: str) -> str:
    """The table partition of one actor's entries of one action."""
    return f"AUDIT#{action}#{actor_sub}"


def audit_by_actor(actor_sub: str) -> str:
    return f"AUDITACTOR#{actor_sub}"


def audit_by_action(action: str) -> str:
    return f"AUDITACTION#{action}"


def audit_listings(actor_sub: str, action: str, entry_id: str) -> Key:
    return {GSI1_PK: AUDIT_LIST, GSI1_SK: entry_id,
            GSI2_PK: audit_by_actor(actor_sub), GSI2_SK: entry_id,
            GSI3_PK: audit_by_action(action), GSI3_SK: entry_id}
