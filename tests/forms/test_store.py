"""DynamoDB, not our reads, decides races over forms: the cap of 50 holds under
concurrent creates, one ETag has one winner, and the counter stays exact."""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chalicelib.core.domain_errors import (
    BuiltInForm,
    InvalidFields,
    LimitReached,
    RecordNotFound,
    VersionMismatch,
)
from chalicelib.db import keys
from chalicelib.db.reads import get_item
from chalicelib.forms.builtin import CONTACT
from chalicelib.forms.definition import parse_definition
from chalicelib.forms.model import FormDefinition
from chalicelib.forms.store import FormStore, Precondition
from tests.conftest import LocalAws
from tests.forms.conftest import MINIMAL, QUOTE

WRITERS = 8
REFUSALS = (LimitReached, VersionMismatch)


def race(action: Callable[[int], Any], writers: int = WRITERS) -> list[Any]:
    start = threading.Barrier(writers)

    def run(n: int) -> Any:
        start.wait()
        try:
            return action(n)
        except REFUSALS as refused:
            return refused

    with ThreadPoolExecutor(writers) as pool:
        return list(pool.map(run, range(writers)))


@pytest.fixture
def minimal() -> FormDefinition:
    return parse_definition(MINIMAL)


def test_concurrent_creates_never_pass_the_cap(local_aws: LocalAws, fresh_table: str,
                                               minimal: FormDefinition) -> None:
    store = FormStore(local_aws.session.client("dynamodb"), fresh_table, max_forms=5)
    for n in range(2):
        store.put(f"early-{n}", minimal)
    outcomes = race(lambda n: store.put(f"racer-{n}", minimal))
    created = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(created) == 2  # 5, less the contact form and the two before
    assert all(isinstance(o, LimitReached) for o in outcomes if o not in created)
    assert len(store.list()) == 5
    assert store.stored_count() == 4


def test_concurrent_creates_of_one_id_create_it_once(store: FormStore,
                                                     minimal: FormDefinition) -> None:
    outcomes = race(lambda n: store.put("same", minimal))
    assert sorted(created for _, created in outcomes) == [False] * (WRITERS - 1) + [True]
    assert sorted(form.version for form, _ in outcomes) == list(range(1, WRITERS + 1))
    assert store.stored_count() == 1


def test_concurrent_puts_with_one_etag_have_exactly_one_winner(store: FormStore,
                                                               minimal: FormDefinition) -> None:
    store.put("quote", minimal)
    quote = parse_definition(QUOTE)
    outcomes = race(lambda n: store.put("quote", quote, Precondition(versions={1}, exists=True)))
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(winners) == 1
    assert all(isinstance(o, VersionMismatch) for o in outcomes if o not in winners)
    assert store.get("quote").version == 2


def test_concurrent_first_edits_of_the_contact_form_have_one_winner(store: FormStore) -> None:
    outcomes = race(lambda n: store.put("contact", CONTACT, Precondition(versions={1})))
    assert len([o for o in outcomes if not isinstance(o, Exception)]) == 1
    assert store.get("contact").version == 2
    assert store.stored_count() == 0  # the contact form is never counted


def test_concurrent_deletes_count_once(store: FormStore, minimal: FormDefinition) -> None:
    for n in range(3):
        store.put(f"form-{n}", minimal)

    def delete(n: int) -> Any:
        try:
            return store.delete("form-1")
        except RecordNotFound as gone:
            return gone
    outcomes = race(delete)
    assert len([o for o in outcomes if o is None]) == 1
    assert store.stored_count() == 2
    assert [form.id for form in store.list()] == ["contact", "form-0", "form-2"]


def test_the_counter_and_the_list_agree_after_many_changes(store: FormStore,
                                                           minimal: FormDefinition) -> None:
    race(lambda n: store.put(f"f-{n % 4}", minimal))
    race(lambda n: store.put(f"g-{n}", minimal))
    for form_id in ("f-0", "g-3", "g-5"):
        store.delete(form_id)
    assert store.stored_count() == len(store.list()) - 1 == 4 + WRITERS - 3


def test_the_stored_item_holds_the_definition_as_json(store: FormStore, local_aws: LocalAws,
                                                      fresh_table: str) -> None:
    form, created = store.put("quote", parse_definition(QUOTE))
    item = get_item(local_aws.session.client("dynamodb"), fresh_table, keys.form("quote"))
    assert item is not None and created
    assert item["type"] == "form" and item["version"] == 1 and item["id"] == "quote"
    assert isinstance(item["definition"], str) and '"min":1' in item["definition"]
    assert store.get("quote") == form


def test_store_refusals(store: FormStore, minimal: FormDefinition) -> None:
    with pytest.raises(RecordNotFound):
        store.get("nothing")
    with pytest.raises(RecordNotFound):
        store.delete("nothing")
    with pytest.raises(BuiltInForm):
        store.delete("contact")
    with pytest.raises(InvalidFields):
        store.put("Not-An-Id", minimal)
    with pytest.raises(InvalidFields):
        store.put("contact", minimal)
    with pytest.raises(VersionMismatch):
        store.put("new", minimal, Precondition(exists=True))
    store.put("new", minimal, Precondition(exists=False))
    with pytest.raises(VersionMismatch):
        store.put("new", minimal, Precondition(exists=False))
    with pytest.raises(VersionMismatch):
        store.delete("new", {2})
