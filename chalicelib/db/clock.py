"""Time, as the stores write it: ISO-8601 UTC with milliseconds and a Z, which
also sorts lexicographically in chronological order (GSI sort keys rely on it)."""
from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
