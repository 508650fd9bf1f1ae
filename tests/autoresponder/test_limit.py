"""At most one autoresponse per address per form in 24 hours: a claim item,
taken by a conditional write, exact under concurrency (threads on moto)."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.autoresponder.limit import CLAIM_PART, WINDOW_SECONDS, address_digest, claim
from chalicelib.db import keys
from chalicelib.db.reads import get_item
from chalicelib.db.transactions import ConditionFailed, transact_write
from tests.conftest import LocalAws

NOW = datetime(2026, 12, 7, 16, 0, 0, 900_000, tzinfo=UTC)


def take(dynamodb: Any, table: str, address: str, *, form_id: str = "quote",
         at: datetime = NOW, message_id: str = "01JD0000000000000000000000") -> bool:
    try:
        transact_write(dynamodb, {CLAIM_PART: claim(table, form_id, address,
                                                    message_id=message_id, now=at)})
    except ConditionFailed as exc:
        assert exc.failed(CLAIM_PART)
        return False
    return True


@pytest.mark.parametrize("other", ["ada@example.com", "Ada@Example.COM", " ada@example.com ",
                                   "ada+quotes@example.com", "ADA+x+y@example.com"])
def test_one_mailbox_is_one_key(other: str) -> None:
    assert address_digest(other) == address_digest("ada@example.com")


def test_other_mailboxes_are_other_keys() -> None:
    digests = {address_digest(a) for a in ("ada@example.com", "ada@example.org",
                                           "ada.l@example.com", "eve+ada@example.com")}
    assert len(digests) == 4


def test_the_key_does_not_spell_the_address(local_aws: LocalAws, fresh_table: str) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    assert take(dynamodb, fresh_table, "ada@example.com")
    stored = get_item(dynamodb, fresh_table,
                      keys.autoresponse_claim("quote", address_digest("ada@example.com")))
    assert stored is not None and "ada" not in repr(stored)
    assert stored["expiresAt"] == int(NOW.timestamp()) + WINDOW_SECONDS  # the table's TTL


def test_concurrent_claims_for_one_address_let_exactly_one_through(
        local_aws: LocalAws, fresh_table: str) -> None:
    addresses = ["ada@example.com", "Ada@example.com", "ada+1@example.com",
                 "ada+2@example.com"] * 3
    start = threading.Barrier(len(addresses))
    results: list[bool] = []

    def attempt(address: str) -> None:
        dynamodb = local_aws.session.client("dynamodb")
        start.wait()
        results.append(take(dynamodb, fresh_table, address))

    threads = [threading.Thread(target=attempt, args=(a,)) for a in addresses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * (len(addresses) - 1) + [True]


def test_each_form_has_its_own_limit(local_aws: LocalAws, fresh_table: str) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    assert take(dynamodb, fresh_table, "ada@example.com", form_id="quote")
    assert take(dynamodb, fresh_table, "ada@example.com", form_id="contact")
    assert not take(dynamodb, fresh_table, "ada@example.com", form_id="quote")


def test_the_claim_holds_for_24_hours_and_not_a_second_less(
        local_aws: LocalAws, fresh_table: str) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    assert take(dynamodb, fresh_table, "ada@example.com", at=NOW)
    day = timedelta(seconds=WINDOW_SECONDS)
    assert not take(dynamodb, fresh_table, "ada@example.com", at=NOW + day - timedelta(minutes=1))
    assert not take(dynamodb, fresh_table, "ada@example.com", at=NOW + day)
    # Expired but not yet removed by TTL (which lags by up to days): taken again.
    assert take(dynamodb, fresh_table, "ada@example.com", at=NOW + day + timedelta(seconds=1))
    assert not take(dynamodb, fresh_table, "ada@example.com", at=NOW + day + timedelta(hours=1))
