"""How a goal is judged from paired rounds, so that noise cannot decide it.

Each round runs Frontdesk and the other candidate back to back, so a round's
ratio (Frontdesk ÷ other) cancels what the machine's load did to that round.
Across rounds the ratios still spread. A goal "at most G×" is

- met when the 75th percentile of the ratios is at most G: three rounds in
  four were within the goal;
- missed when the 25th percentile is over G: three rounds in four were over;
- undecided otherwise: the spread straddles the goal, and more rounds may
  settle it (bench/run.py runs more, up to a limit, before saying so).

Standard library only: the unit tests import it from the project's venv.
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import NamedTuple

MET, MISSED, UNDECIDED = "met", "missed", "undecided"


class Spread(NamedTuple):
    median: float
    q1: float  # 25th percentile
    q3: float  # 75th percentile

    def __str__(self) -> str:
        return f"{self.median:.2f}× ({self.q1:.2f}–{self.q3:.2f})"


def ratios(a: Sequence[float], b: Sequence[float]) -> list[float]:
    """Per-round ratios a/b; a and b hold one figure per round, in the same order."""
    if len(a) != len(b):
        raise ValueError(f"{len(a)} rounds against {len(b)}: the figures are not paired")
    return [x / y for x, y in zip(a, b, strict=True)]


def spread(values: Sequence[float]) -> Spread:
    """Median and quartiles; the quartiles interpolate between the rounds'
    figures and never reach beyond them (a single round is its own spread)."""
    if not values:
        raise ValueError("no rounds")
    if len(values) == 1:
        return Spread(values[0], values[0], values[0])
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(median, q1, q3)


def verdict(values: Sequence[float], goal: float) -> str:
    """MET, MISSED or UNDECIDED for a goal of at most `goal`× (see above)."""
    figures = spread(values)
    if figures.q3 <= goal:
        return MET
    if figures.q1 > goal:
        return MISSED
    return UNDECIDED
