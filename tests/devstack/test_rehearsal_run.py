"""`make rehearse` prints one line per step, and the first failure stops it,
names its step and exits non-zero (devstack/rehearsal/run.py)."""
from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from devstack.rehearsal import run

Step = tuple[str, Callable[[], str]]


def plan(*steps: Step) -> Callable[[run.Rehearsal], list[Step]]:
    return lambda rehearsal: list(steps)


def fails(exc: Exception) -> Callable[[], str]:
    def step() -> str:
        raise exc
    return step


def test_each_step_prints_one_line_and_the_run_ends_with_a_summary(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = run.main(plan(("first", lambda: "did one"), ("second", lambda: "did two")))

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert [line.split(" (")[0] for line in lines[:2]] == ["rehearse 1/2 first: ok",
                                                          "rehearse 2/2 second: ok"]
    assert lines[0].endswith("did one") and lines[2].startswith("rehearse: every step passed in")


@pytest.mark.parametrize("exc", [run.StepFailed("the API has no authorizer"),
                                 KeyError("UserPoolId")])
def test_the_first_failure_names_its_step_and_stops(capsys: pytest.CaptureFixture[str],
                                                    exc: Exception) -> None:
    ran = []

    code = run.main(plan(("deploy", lambda: "ok"), ("what was deployed", fails(exc)),
                         ("destroy", lambda: ran.append("destroy") or "ok")))

    out = capsys.readouterr().out.splitlines()
    assert code == 1 and ran == []
    assert out[-1].startswith("rehearse 2/3 what was deployed: FAILED: ")
    assert str(exc.args[0]) in out[-1]


def test_a_run_over_its_budget_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code = run.main(plan(("slow", lambda: time.sleep(0.05) or "ok")), budget_seconds=0.01)

    assert code == 1
    assert "over its 0 s budget" in capsys.readouterr().out
