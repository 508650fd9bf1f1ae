"""ULIDs sort by creation time, even within one millisecond."""
from __future__ import annotations

from chalicelib.platform.ids import UlidGenerator, is_ulid

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid_time_ms(ulid: str) -> int:
    """The millisecond timestamp in a ULID's first 10 characters."""
    value = 0
    for char in ulid[:10]:
        value = value * 32 + CROCKFORD.index(char)
    return value


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


def test_an_id_carries_its_creation_time() -> None:
    assert ulid_time_ms(UlidGenerator(clock_ms=lambda: 1_795_000_000_123)()) == 1_795_000_000_123
