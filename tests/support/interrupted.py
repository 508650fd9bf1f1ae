"""A DynamoDB client whose scans stop answering after some pages: a deploy's
resumable upgrade cut short (the network gone, the laptop closed)."""
from __future__ import annotations

from typing import Any


class ScansStopAfter:
    """`dynamodb`, except that each Scan reads `page` items and the scan after
    the first `pages` raises KeyboardInterrupt."""

    def __init__(self, dynamodb: Any, *, pages: int = 1, page: int = 3) -> None:
        self._dynamodb = dynamodb
        self._pages = pages
        self._page = page
        self.scans = 0

    def scan(self, **kwargs: Any) -> Any:
        self.scans += 1
        if self.scans > self._pages:
            raise KeyboardInterrupt
        return self._dynamodb.scan(**kwargs, Limit=self._page)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._dynamodb, name)
