"""The one backfill mechanism `make deploy` runs (infra/backfill.py): every
matching item rewritten once, resumed where a run cut short stopped, started
over when its generation changes, progress reported, and a done one costs one read."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.db.expressions import attr, update
from chalicelib.db.items import to_item
from chalicelib.db.reads import get_item
from infra.backfill import Backfill, Progress, run_backfill
from tests.conftest import LocalAws

ITEMS = 30


class Interrupted(RuntimeError):
    pass


class Counting:
    """A dynamodb client that counts the calls made through it."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[str] = []
        self.exceptions = client.exceptions

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(**kwargs: Any) -> Any:
            self.calls.append(name)
            return method(**kwargs)
        return call


@pytest.fixture
def dynamodb(local_aws: LocalAws, fresh_table: str) -> Any:
    client = local_aws.session.client("dynamodb")
    for n in range(ITEMS):
        client.put_item(TableName=fresh_table, Item=to_item(
            {"pk": f"THING#{n:03}", "sk": "THING", "n": n, "stamp": 0}))
        client.put_item(TableName=fresh_table, Item=to_item(
            {"pk": f"OTHER#{n:03}", "sk": "OTHER", "n": n}))
    return client


def stamping(dynamodb: Any, table: str, stamp: int, *, fail_after: int | None = None,
             seen: list[int] | None = None) -> Backfill:
    """Sets each THING's stamp; raises once `fail_after` items are done."""
    def rewrite(item: dict[str, Any]) -> str:
        if fail_after is not None and seen is not None and len(seen) >= fail_after:
            raise Interrupted("the operator's session expired")
        if seen is not None:
            seen.append(int(item["n"]))
        if item["stamp"] == stamp:
            return "already so"
        dynamodb.update_item(**update(table, {"pk": item["pk"], "sk": item["sk"]},
                                      set={"stamp": stamp}, condition=attr("pk").exists()))
        return "stamped"
    return Backfill("stamps", attr("sk").eq("THING"), rewrite, generation=str(stamp))


def stamps(dynamodb: Any, table: str) -> set[int]:
    return {int(get_item(dynamodb, table, {"pk": f"THING#{n:03}", "sk": "THING"})["stamp"])
            for n in range(ITEMS)}


def test_every_matching_item_is_rewritten_once_and_a_done_backfill_reads_only_its_marker(
        dynamodb: Any, fresh_table: str) -> None:
    done = run_backfill(dynamodb, fresh_table, stamping(dynamodb, fresh_table, 7))
    assert (done.matched, dict(done.tally), done.done) == (ITEMS, {"stamped": ITEMS}, True)
    assert done.read == 2 * ITEMS  # one page: the marker did not exist yet
    assert stamps(dynamodb, fresh_table) == {7}
    counting = Counting(dynamodb)
    again = run_backfill(counting, fresh_table, stamping(dynamodb, fresh_table, 7))
    assert again.already and again.line() == "stamps: done before"
    assert counting.calls == ["get_item"]


def test_a_run_cut_short_resumes_after_the_last_page_it_finished(
        dynamodb: Any, fresh_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pages of 10 items read: the Scan's Limit counts items read, matched or not.
    real_scan = dynamodb.scan
    monkeypatch.setattr(dynamodb, "scan", lambda **kw: real_scan(**{**kw, "Limit": 10}))
    first: list[int] = []
    with pytest.raises(Interrupted):
        run_backfill(dynamodb, fresh_table,
                     stamping(dynamodb, fresh_table, 3, fail_after=12, seen=first))
    marker = get_item(dynamodb, fresh_table, {"pk": "UPGRADE#stamps", "sk": "UPGRADE"})
    assert marker is not None and "scanFrom" in marker and not marker.get("done")
    second: list[int] = []
    done = run_backfill(dynamodb, fresh_table, stamping(dynamodb, fresh_table, 3, seen=second))
    assert done.resumed and done.done
    assert stamps(dynamodb, fresh_table) == {3}
    # The second run started at the page the first was cut short in, not at the start.
    assert len(second) < ITEMS and set(first) | set(second) == set(range(ITEMS))
    assert 2 * ITEMS <= done.read <= 2 * ITEMS + 1  # the first run's pages counted once (+ the marker)


def test_another_generation_starts_over_and_the_same_one_after_it_does_not(
        dynamodb: Any, fresh_table: str) -> None:
    run_backfill(dynamodb, fresh_table, stamping(dynamodb, fresh_table, 1))
    changed = run_backfill(dynamodb, fresh_table, stamping(dynamodb, fresh_table, 2))
    assert (changed.resumed, dict(changed.tally)) == (False, {"stamped": ITEMS})
    assert stamps(dynamodb, fresh_table) == {2}
    assert run_backfill(dynamodb, fresh_table, stamping(dynamodb, fresh_table, 2)).already
    back = run_backfill(dynamodb, fresh_table, stamping(dynamodb, fresh_table, 1))
    assert dict(back.tally) == {"stamped": ITEMS} and stamps(dynamodb, fresh_table) == {1}


def test_progress_is_reported_while_under_way_and_at_the_end(
        dynamodb: Any, fresh_table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real_scan = dynamodb.scan
    monkeypatch.setattr(dynamodb, "scan", lambda **kw: real_scan(**{**kw, "Limit": 20}))
    lines: list[str] = []
    ticks = iter(range(0, 1000, 5))  # every page 5 "seconds" after the last

    def report(progress: Progress) -> None:
        lines.append(progress.line())
    run_backfill(dynamodb, fresh_table, stamping(dynamodb, fresh_table, 9), report=report,
                 report_every=4, monotonic=lambda: float(next(ticks)))
    assert lines[0].startswith("stamps: 20 items read, ") and lines[0].endswith("; under way")
    assert lines[-1].endswith(f"items read, {ITEMS} matched ({ITEMS} stamped); done")
    assert 3 <= len(lines) <= 4  # a line per page of 20 of 61 items (with the marker), the last
