"""DynamoDB, not our code's reads, decides races: concurrent writers with the
same email or the same ETag get exactly one winner."""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib.core.domain_errors import ConcurrentChange, EmailTaken, VersionMismatch
from chalicelib.db.counters import read_counters
from chalicelib.users.model import UserCreate, UserUpdate
from chalicelib.users.store import UserStore

WRITERS = 8


def race(action: Callable[[int], Any], writers: int = WRITERS) -> list[Any]:
    start = threading.Barrier(writers)

    def run(n: int) -> Any:
        start.wait()
        try:
            return action(n)
        except (EmailTaken, VersionMismatch, ConcurrentChange) as refused:
            return refused

    with ThreadPoolExecutor(writers) as pool:
        return list(pool.map(run, range(writers)))


def test_concurrent_creates_with_one_email_have_exactly_one_winner(store: UserStore) -> None:
    outcomes = race(lambda n: store.create(UserCreate(name=f"Racer {n}", email="race@example.com")))
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(winners) == 1
    assert all(isinstance(o, EmailTaken) for o in outcomes if o not in winners)
    assert store.find_by_email("race@example.com") == winners[0]


def test_concurrent_patches_with_one_etag_have_exactly_one_winner(store: UserStore) -> None:
    user = store.create(UserCreate(name="Target", email="target@example.com"))
    outcomes = race(lambda n: store.update(user.id, UserUpdate(name=f"Writer {n}"), {1}))
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(winners) == 1
    assert all(isinstance(o, VersionMismatch) for o in outcomes if o not in winners)
    assert store.get(user.id) == winners[0]


def test_concurrent_email_changes_to_one_address_have_exactly_one_winner(store: UserStore) -> None:
    users = [store.create(UserCreate(name=f"Mover {n}", email=f"m{n}@example.com"))
             for n in range(WRITERS)]
    outcomes = race(lambda n: store.update(users[n].id, UserUpdate(email="wanted@example.com"), {1}))
    assert len([o for o in outcomes if not isinstance(o, Exception)]) == 1
    assert store.find_by_email("wanted@example.com") is not None


def test_the_users_counter_stays_exact(store: UserStore, local_aws: Any, fresh_table: str) -> None:
    created = race(lambda n: store.create(UserCreate(name=f"Count {n}", email=f"c{n}@example.com")))
    race(lambda n: store.create(UserCreate(name="Dup", email="c0@example.com")))  # all 409
    for user in created[:3]:
        store.delete(user.id)
    counters = read_counters(local_aws.session.client("dynamodb"), fresh_table)
    assert counters["users"] == WRITERS - 3


def test_changes_to_whatever_is_current_that_keep_losing_races_are_conflicts(
        store: UserStore) -> None:
    user = store.create(UserCreate(name="Target", email="target@example.com"))
    outcomes = race(lambda n: store.update(user.id, UserUpdate(name=f"Writer {n}"), None),
                    writers=30)
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    # Anything else escapes race() and fails the test (before: DependencyUnavailable, a 503).
    assert all(isinstance(o, ConcurrentChange) for o in outcomes if o not in winners)
    assert winners and store.get(user.id).version == 1 + len(winners)
