"""ULIDs: 26-character ids that sort by creation time, so "newest first" is
"highest id first" and a list needs no separate timestamp index."""
from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
ULID_PATTERN = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, index = divmod(value, 32)
        chars.append(_ALPHABET[index])
    return "".join(reversed(chars))


class UlidGenerator:
    """Monotonic within a process: two ids made in the same millisecond still
    sort in the order they were made."""

    def __init__(self, clock_ms: Callable[[], int] | None = None) -> None:
        self._clock_ms = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_random = 0

    def __call__(self) -> str:
        with self._lock:
            now = self._clock_ms()
            if now <= self._last_ms:
                now, random_part = self._last_ms, self._last_random + 1
            else:
                random_part = int.from_bytes(os.urandom(10), "big") >> 1  # room to increment
            self._last_ms, self._last_random = now, random_part
        return _encode(now, 10) + _encode(random_part, 16)


new_id = UlidGenerator()


def is_ulid(value: str) -> bool:
    return bool(ULID_PATTERN.match(value))


def first_ulid_at(epoch_ms: int) -> str:
    """The smallest id a ULID made at this millisecond can have."""
    return _encode(epoch_ms, 10) + _ALPHABET[0] * 16


def last_ulid_at(epoch_ms: int) -> str:
    """The largest id a ULID made at this millisecond can have."""
    return _encode(epoch_ms, 10) + _ALPHABET[-1] * 16
