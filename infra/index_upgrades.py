"""Records stored before an index, given their place in it: the index upgrades
`make deploy` runs (infra/deploy.py), in the order of UPGRADES, after the
delivery upgrade (infra/delivery_upgrade.py) and before the retention
backfill, once the new functions are live, with the deploying operator's
credentials. No function runs one: a whole-table Scan is no grant of theirs.

Each is one row, `IndexUpgrade(marker, matches, listing, listed)`: which
items it reads, and what gives one its place. The rest is here and in
infra/backfill.py: a resumable Scan, once (its marker UPGRADE#<marker>);
each item's listing written in one transaction, conditional on what it was
read with, so a change meanwhile (which gives the item its place itself, or
moves it) is read again and the listing made anew; an item deleted meanwhile
is passed over. Meanwhile every write of the new functions keeps the index
in step on its own.

- `form-index`: messages stored before forms, listed by form (GSI2,
  keys.form_message_listing: the contact form's). One whose GSI2 still holds
  its owner mail pending in the shape before deliveries had items of their
  own is the delivery upgrade's, which lists it as it rewrites the mail.
- `sender-index`: messages stored before the sender index, listed by sender
  (GSI3, keys.sender_message_listing). One without an address (a form
  without a replyTo field) has no place of its own in it.
- `person-index`: user records stored before a person's data was indexed,
  listed by email (GSI3, keys.person_record USER#).
- `mentions`: messages stored before their other email fields were indexed,
  given a mention of each mailbox those name (chalicelib/contact/mentions.py),
  with the message's expiry, on condition the message is still there with
  that expiry (it runs before the retention backfill, which then rewrites
  the mentions' expiry with the message's).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.contact.mentions import mention_puts
from chalicelib.contact.model import Message
from chalicelib.core.retention import expires_at
from chalicelib.db import keys
from chalicelib.db.expressions import Condition, attr, check, update
from chalicelib.db.reads import get_item
from chalicelib.db.table import GSI2_PK, GSI3_PK, PK, SK, TTL_ATTRIBUTE
from chalicelib.db.transactions import ConditionFailed, Parts, transact_write
from chalicelib.forms.builtin import CONTACT_ID
from infra.backfill import Backfill, Progress, Report, run_backfill

# What an upgrade makes of one item as read (the table's name, the item): the
# transaction parts giving it its place, each conditional on what was read;
# or, when it needs none, the name of why (tallied in the progress).
Listing = Callable[[str, dict[str, Any]], Parts | str]

LISTED = "listed"
PASSED = "listed meanwhile or deleted"
NO_PLACE = "with no place in the index"
LEFT = "left to the delivery upgrade"
_ATTEMPTS = 3


@dataclass(frozen=True)
class IndexUpgrade:
    marker: str  # UPGRADE#<marker>
    matches: Condition  # the Scan's filter: the items that may need a place
    listing: Listing
    listed: str  # what its count says: "messages stored before forms listed by form"
    # Other outcomes its summary names when any: tally name -> words after the count.
    asides: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Upgraded:
    upgrade: IndexUpgrade
    progress: Progress

    @property
    def listed(self) -> int:
        return self.progress.tally[LISTED]

    def summary(self) -> str:
        tally = self.progress.tally
        asides = "; ".join(f"{tally[name]} {words}" for name, words in self.upgrade.asides.items()
                           if tally[name])
        return f"{self.listed} {self.upgrade.listed}" + (f" ({asides})" if asides else "")


def run_upgrade(dynamodb: Any, table: str, upgrade: IndexUpgrade, *,
                report: Report | None = None) -> Upgraded:
    def rewrite(item: dict[str, Any]) -> str:
        key = {PK: item[PK], SK: item[SK]}
        for _ in range(_ATTEMPTS):
            parts = upgrade.listing(table, item)
            if isinstance(parts, str):
                return parts
            try:
                transact_write(dynamodb, parts)
                return LISTED
            except ConditionFailed:
                found = get_item(dynamodb, table, key)
                if found is None:
                    return PASSED  # deleted meanwhile: nothing to list
                item = found
        raise RuntimeError(f"{item.get('type', 'item')} {item.get('id', item[PK])} kept "
                           f"changing while {upgrade.marker} ran; run `make deploy` again")

    backfill = Backfill(upgrade.marker, upgrade.matches, rewrite)
    return Upgraded(upgrade, run_backfill(dynamodb, table, backfill, report=report))


_MESSAGE = attr(SK).eq(keys.message("x")[SK])


def _key(item: Mapping[str, Any]) -> dict[str, str]:
    return {PK: str(item[PK]), SK: str(item[SK])}


def _by_form(table: str, item: dict[str, Any]) -> Parts | str:
    if item.get(GSI2_PK) is not None:
        # Its keys already (a status change gave them), or an owner mail
        # pending in the old shape: the delivery upgrade's.
        return PASSED if str(item[GSI2_PK]).startswith(keys.FORM_MESSAGES_PREFIX) else LEFT
    listing = keys.form_message_listing(str(item.get("formId", CONTACT_ID)), str(item["status"]),
                                        str(item["id"]))
    return {"message": {"Update": update(
        table, _key(item), set=listing,
        condition=attr(GSI2_PK).not_exists() & attr("status").eq(item["status"]))}}


def _by_sender(table: str, item: dict[str, Any]) -> Parts | str:
    if item.get(GSI3_PK) is not None:
        return PASSED
    if not item.get("email"):
        return NO_PLACE
    listing = keys.sender_message_listing(str(item["email"]), str(item["status"]),
                                          str(item["id"]))
    return {"message": {"Update": update(
        table, _key(item), set=listing,
        condition=attr(GSI3_PK).not_exists() & attr("status").eq(item["status"]))}}


def _by_email(table: str, item: dict[str, Any]) -> Parts | str:
    if item.get(GSI3_PK) is not None:
        return PASSED
    if not item.get("email"):
        return NO_PLACE
    listing = keys.person_record(str(item["email"]), keys.PERSON_USER, str(item["id"]))
    return {"user": {"Update": update(
        table, _key(item), set=listing,
        condition=attr(GSI3_PK).not_exists() & attr("email").eq(item["email"]))}}


def _mentions(table: str, item: dict[str, Any]) -> Parts | str:
    message = Message.from_item(item)
    # The message as read, its expiry the mentions copy, is each put's
    # condition: a mention written already (by its create, the deploy under
    # way) is written again the same.
    puts = mention_puts(table, message, condition=None)
    if not puts:
        return NO_PLACE
    expiry = expires_at(item)
    same_expiry = attr(TTL_ATTRIBUTE).not_exists() if expiry is None \
        else attr(TTL_ATTRIBUTE).eq(expiry)
    return {"message": {"ConditionCheck": check(table, _key(item),
                                                condition=attr(PK).exists() & same_expiry)},
            **puts}


FORM_INDEX = IndexUpgrade(
    "form-index",
    _MESSAGE & (attr(GSI2_PK).not_exists()
                | ~attr(GSI2_PK).begins_with(keys.FORM_MESSAGES_PREFIX)),
    _by_form, "messages stored before forms listed by form",
    asides={LEFT: "listed as their pending mail is rewritten"})
SENDER_INDEX = IndexUpgrade(
    "sender-index", _MESSAGE & attr(GSI3_PK).not_exists() & attr("email").exists(),
    _by_sender, "messages stored before the sender index listed by sender")
PERSON_INDEX = IndexUpgrade(
    "person-index", attr(SK).eq(keys.user("x")[SK]) & attr(GSI3_PK).not_exists(),
    _by_email, "users stored before a person's data was indexed listed by email")
MENTIONS = IndexUpgrade(
    "mentions", _MESSAGE & attr("fields").exists(), _mentions,
    "messages stored before their other email fields were indexed listed by those addresses")

# In the order `make deploy` runs them.
UPGRADES: tuple[IndexUpgrade, ...] = (FORM_INDEX, SENDER_INDEX, PERSON_INDEX, MENTIONS)
