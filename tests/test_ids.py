"""ULIDs sort by creation time, even within one millisecond."""
from __future__ import annotations

from chalicelib.ids import UlidGenerator, is_ulid, ulid_from


def test_ids_made_in_one_millisecond_still_sort_in_creation_order() -> None:
    frozen = UlidGenerator(clock_ms=lambda: 1_795_000_000_000)
    ids = [frozen() for _ in range(1000)]
    assert ids == sorted(ids) and len(set(ids)) == 1000
    assert all(is_ulid(i) for i in ids)


def test_a_later_millisecond_sorts_after_an_earlier_one() -> None:
    now = [1_795_000_000_000]
    ids = UlidGenerator(clock_ms=lambda: now[0])
    first = ids()
    now[0] += 1
    assert ids() > first


def test_a_seeded_id_is_stable_and_well_formed() -> None:
    assert ulid_from(b"key") == ulid_from(b"key") != ulid_from(b"other")
    assert is_ulid(ulid_from(b"key"))
