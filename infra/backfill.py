"""A backfill: every item of the table a filter matches, each rewritten by a
function of its own. `make deploy` runs them (infra/deploy.py) once the new
functions are live, with the deploying operator's credentials: a whole-table
Scan is no grant of the functions', and no function runs one.

A backfill is one declaration, `Backfill(name, matches, rewrite)`; what it
rewrites is its own, the rest is here:
- resumable: after each page the Scan's position is kept in the backfill's
  marker item (keys.upgrade_marker(name)), so a run cut short (an expired
  session, a Ctrl-C, a throttled table) starts where the last one stopped;
  a page is rewritten again from its start, so a rewrite is idempotent (a
  conditional write, read again on a conflict);
- once done, the marker says so and a run costs one read;
- a backfill that applies a setting names its value as its `generation`: a
  marker of another generation (the setting changed since, or changed back)
  starts the Scan over;
- progress: how many items were read and matched, and what became of each
  (the names its rewrite returns, tallied), reported every `report_every`
  seconds and at the end.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.db import keys
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import Condition, put, scan
from chalicelib.db.items import from_item
from chalicelib.db.reads import get_item

# An item as read -> what became of it, a name tallied in the progress ("rewritten").
Rewrite = Callable[[dict[str, Any]], str]

# The marker's attributes; "scanFrom" and "done" are as the first upgrades wrote them.
_SCAN_FROM, _DONE, _GENERATION, _READ = "scanFrom", "done", "generation", "read"


@dataclass(frozen=True)
class Backfill:
    name: str  # its marker's, UPGRADE#<name>
    matches: Condition  # the Scan's filter
    rewrite: Rewrite
    generation: str = ""  # what it applies (a setting's value); another starts it over


@dataclass
class Progress:
    name: str
    read: int = 0  # items the Scan read (of the whole table), this generation
    matched: int = 0  # of those, the filter's, this run
    tally: Counter[str] = field(default_factory=Counter)
    resumed: bool = False  # a run before this one had got part of the way
    done: bool = False
    already: bool = False  # done before this run: nothing read

    def line(self) -> str:
        if self.already:
            return f"{self.name}: done before"
        what = ", ".join(f"{n} {name}" for name, n in sorted(self.tally.items()))
        return (f"{self.name}: {self.read} items read{' (resumed)' if self.resumed else ''}, "
                f"{self.matched} matched" + (f" ({what})" if what else "")
                + ("; done" if self.done else "; under way"))


Report = Callable[[Progress], None]


def run_backfill(dynamodb: Any, table: str, backfill: Backfill, *,
                 report: Report | None = None, report_every: float = 10.0,
                 monotonic: Callable[[], float] = time.monotonic) -> Progress:
    marker_key = keys.upgrade_marker(backfill.name)
    marker = get_item(dynamodb, table, marker_key) or {}
    progress = Progress(backfill.name)
    same = str(marker.get(_GENERATION, "")) == backfill.generation
    if same and marker.get(_DONE):
        progress.done = progress.already = True
        return progress
    request = scan(table, filter=backfill.matches)
    if same and marker.get(_SCAN_FROM):
        request["ExclusiveStartKey"] = json.loads(str(marker[_SCAN_FROM]))
        progress.read, progress.resumed = int(marker.get(_READ, 0)), True
    reported = monotonic()
    while True:
        with aws_unavailable_mapped():
            page = dynamodb.scan(**request)
        for typed in page["Items"]:
            progress.tally[backfill.rewrite(from_item(typed))] += 1
        progress.read += int(page.get("ScannedCount", 0))
        progress.matched += len(page["Items"])
        last = page.get("LastEvaluatedKey")
        mark: dict[str, Any] = {_GENERATION: backfill.generation, _READ: progress.read}
        mark.update({_SCAN_FROM: json.dumps(last)} if last else {_DONE: True})
        with aws_unavailable_mapped():
            dynamodb.put_item(**put(table, {**marker_key, "type": "upgrade", **mark}))
        if not last:
            progress.done = True
            if report is not None:
                report(progress)
            return progress
        request["ExclusiveStartKey"] = last
        if report is not None and monotonic() - reported >= report_every:
            report(progress)
            reported = monotonic()
