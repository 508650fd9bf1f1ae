"""A transaction's failure is known by the name of the part that failed, never
by its place: every store's transactions, sent with their parts in other
orders, end in the same domain errors."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from msgspec import UNSET

from chalicelib.contact.store import MessageStore
from chalicelib.core.domain_errors import EmailTaken, KeyInUse, RateExceeded
from chalicelib.core.idempotency import IdempotentRequest
from chalicelib.dashboard.reply_store import ReplyStore
from chalicelib.db.expressions import attr, put, update
from chalicelib.db.rate_limit import RateLimiter
from chalicelib.db.transactions import ConditionFailed, PartOrder, as_written, transact_write
from chalicelib.users.model import UserCreate, UserUpdate
from chalicelib.users.store import UserStore
from tests.conftest import LocalAws

ORDERS: dict[str, PartOrder] = {
    "as written": as_written,
    "reversed": lambda names: names[::-1],
    "rotated": lambda names: names[1:] + names[:1],
    "sorted": sorted,
}
order_names = pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())


def dynamodb(local_aws: LocalAws) -> Any:
    return local_aws.session.client("dynamodb")


def key_for(scope: str, marker: str) -> IdempotentRequest:
    return IdempotentRequest(scope, f"key-{marker}-0123456789", {"marker": marker})


@order_names
def test_a_taken_email_is_email_taken_in_any_order(
        local_aws: LocalAws, fresh_table: str, order: PartOrder) -> None:
    users = UserStore(dynamodb(local_aws), fresh_table, part_order=order)
    ada = users.create(UserCreate(name="Ada", email="ada@example.com"))
    with pytest.raises(EmailTaken):
        users.create(UserCreate(name="Other", email="ada@example.com"))
    bob = users.create(UserCreate(name="Bob", email="bob@example.com"))
    with pytest.raises(EmailTaken):
        users.update(bob.id, UserUpdate(email="ada@example.com", name=UNSET), None)
    users.update(bob.id, UserUpdate(email="bob2@example.com"), None)  # the claim moves
    users.delete(ada.id)
    users.create(UserCreate(name="Ada again", email="ada@example.com"))  # freed with her


@order_names
def test_a_key_another_create_holds_is_key_in_use_in_any_order(
        local_aws: LocalAws, fresh_table: str, order: PartOrder) -> None:
    users = UserStore(dynamodb(local_aws), fresh_table, part_order=order)
    request = key_for("POST /users", "users")
    users.create(UserCreate(name="Ada", email="ada@example.com"), request)
    with pytest.raises(KeyInUse):  # its email is free: only the key fails
        users.create(UserCreate(name="Bob", email="bob@example.com"), request)
    with pytest.raises(KeyInUse):  # both fail: the key decides
        users.create(UserCreate(name="Ada", email="ada@example.com"), request)


@order_names
def test_a_submission_is_refused_by_the_part_that_failed_in_any_order(
        local_aws: LocalAws, fresh_table: str, order: PartOrder) -> None:
    client = dynamodb(local_aws)
    messages = MessageStore(client, fresh_table, part_order=order)
    limiter = RateLimiter(client, fresh_table, scope="contact", limit=2, window_seconds=3600)
    fields = {"name": "Ada", "email": "ada@example.com", "message": "Hello"}
    request = key_for("POST /contact", "contact")
    stored = messages.create(fields, request, limiter.charge("198.51.100.7"))
    with pytest.raises(KeyInUse):
        messages.create(fields, request, limiter.charge("198.51.100.7"))
    messages.create(fields, None, limiter.charge("198.51.100.7"))  # the refused one cost nothing
    with pytest.raises(RateExceeded):
        messages.create(fields, None, limiter.charge("198.51.100.7"))
    messages.set_status(str(stored["id"]), "read")
    messages.delete(str(stored["id"]))


@order_names
def test_a_reply_is_refused_by_the_part_that_failed_in_any_order(
        local_aws: LocalAws, fresh_table: str, order: PartOrder) -> None:
    client = dynamodb(local_aws)
    fields = {"name": "Ada", "email": "ada@example.com", "message": "Hello"}
    message_id = str(MessageStore(client, fresh_table).create(fields, None)["id"])
    replies = ReplyStore(client, fresh_table, part_order=order)
    limiter = RateLimiter(client, fresh_table, scope="reply", limit=2, window_seconds=3600)
    request = key_for("POST /replies", "reply")
    replies.create(message_id, body="Thanks", author="admin", charge=limiter.charge("admin"),
                   request=request)
    with pytest.raises(KeyInUse):
        replies.create(message_id, body="Thanks", author="admin",
                       charge=limiter.charge("admin"), request=request)
    replies.create(message_id, body="Again", author="admin", charge=limiter.charge("admin"),
                   request=None)
    with pytest.raises(RateExceeded):
        replies.create(message_id, body="Once more", author="admin",
                       charge=limiter.charge("admin"), request=None)
    assert len(replies.thread(message_id).replies) == 2


@order_names
def test_condition_failed_names_each_failed_part(
        local_aws: LocalAws, fresh_table: str, order: PartOrder) -> None:
    client = dynamodb(local_aws)
    client.put_item(**put(fresh_table, {"pk": "A", "sk": "A", "n": 1}))
    parts = {
        "fresh": {"Put": put(fresh_table, {"pk": "B", "sk": "B"},
                             condition=attr("pk").not_exists())},
        "stale": {"Update": update(fresh_table, {"pk": "A", "sk": "A"}, add={"n": 1},
                                   condition=attr("n").eq(0))},
        "missing": {"Update": update(fresh_table, {"pk": "C", "sk": "C"}, set={"n": 1},
                                     condition=attr("pk").exists())},
    }
    with pytest.raises(ConditionFailed) as failed:
        transact_write(client, parts, order=order)
    assert failed.value.parts == {"stale", "missing"}
    assert failed.value.failed("stale") and not failed.value.failed("fresh")
    assert not failed.value.failed("no such part")


def test_an_order_that_drops_or_repeats_a_part_is_refused(
        local_aws: LocalAws, fresh_table: str) -> None:
    parts = {"a": {"Put": put(fresh_table, {"pk": "a", "sk": "a"})},
             "b": {"Put": put(fresh_table, {"pk": "b", "sk": "b"})}}
    broken: list[Callable[[list[str]], list[str]]] = [lambda n: n[:1], lambda n: n[:1] * 2]
    for order in broken:
        with pytest.raises(ValueError, match="every part once"):
            transact_write(dynamodb(local_aws), parts, order=order)


@order_names
def test_the_forms_cap_is_limit_reached_in_any_order(
        local_aws: LocalAws, fresh_table: str, order: PartOrder) -> None:
    from chalicelib.core.domain_errors import LimitReached
    from chalicelib.forms.definition import parse_definition
    from chalicelib.forms.store import FormStore

    forms = FormStore(dynamodb(local_aws), fresh_table, part_order=order, max_forms=3)
    definition = parse_definition({"name": "F", "fields": [
        {"name": "f", "label": "F", "type": "text"}]})
    assert forms.put("one", definition)[1] and forms.put("two", definition)[1]
    with pytest.raises(LimitReached):
        forms.put("three", definition)
    # At the cap, a replace is no new form (a create that lost the race for its id is
    # tests/forms/test_store.py's).
    form, created = forms.put("two", definition)
    assert not created and form.version == 2
    forms.delete("one")
    assert forms.put("three", definition)[1]


@order_names
def test_a_held_autoresponse_limit_is_told_from_a_refused_key_or_charge_in_any_order(
        local_aws: LocalAws, fresh_table: str, order: PartOrder) -> None:
    from chalicelib.forms.definition import parse_definition
    from chalicelib.forms.model import Form
    from tests.forms.conftest import QUOTE

    client = dynamodb(local_aws)
    messages = MessageStore(client, fresh_table, part_order=order)
    form = Form(id="quote", definition=parse_definition(QUOTE), version=1, updated_at=None)
    limiter = RateLimiter(client, fresh_table, scope="contact", limit=3, window_seconds=3600)
    values = {"name": "Ada", "email": "ada@example.com", "terms": True}
    request = key_for("POST /forms/quote", "quote")
    first = messages.create(values, request, limiter.charge("198.51.100.7"), form=form)
    # The limit is held and the key is taken: the key decides.
    with pytest.raises(KeyInUse):
        messages.create(values, request, limiter.charge("198.51.100.7"), form=form)
    # The limit alone is held: stored, its autoresponse skipped.
    second = messages.create(values, None, limiter.charge("198.51.100.7"), form=form)
    autoresponses = [messages.get(str(answer["id"])).autoresponse for answer in (first, second)]
    assert [(a.status, a.reason) for a in autoresponses if a] == [
        ("pending", None), ("skipped", "recently_sent")]
    messages.create({**values, "email": "eve@example.com"}, None,
                    limiter.charge("198.51.100.7"), form=form)
    # The limit is held and the charge refused: the charge decides.
    with pytest.raises(RateExceeded):
        messages.create(values, None, limiter.charge("198.51.100.7"), form=form)
