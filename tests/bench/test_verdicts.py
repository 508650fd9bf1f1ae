"""bench/verdicts.py: a goal is met or missed only when three rounds in four say so."""
from __future__ import annotations

import pytest

from bench.verdicts import MET, MISSED, UNDECIDED, Spread, ratios, spread, verdict


def test_ratios_pair_the_rounds_in_order() -> None:
    assert ratios([2.0, 3.0, 4.0], [1.0, 2.0, 8.0]) == [2.0, 1.5, 0.5]


def test_ratios_refuse_rounds_that_do_not_pair() -> None:
    with pytest.raises(ValueError, match="not paired"):
        ratios([1.0, 2.0], [1.0])


def test_spread_is_the_median_and_quartiles_within_the_rounds() -> None:
    assert spread([1.0, 2.0, 3.0, 4.0, 5.0]) == Spread(3.0, 2.0, 4.0)
    assert spread([0.5, 1.5]) == Spread(1.0, 0.75, 1.25)
    assert spread([1.2]) == Spread(1.2, 1.2, 1.2)
    assert str(spread([1.0, 2.0, 3.0, 4.0, 5.0])) == "3.00× (2.00–4.00)"


def test_spread_of_no_rounds_is_an_error() -> None:
    with pytest.raises(ValueError):
        spread([])


def test_met_when_the_75th_percentile_is_within_the_goal() -> None:
    # Median 0.85, q3 0.90: met at 0.9 (within means at most).
    assert verdict([0.80, 0.85, 0.85, 0.90, 1.40], 0.9) == MET


def test_a_median_within_the_goal_is_not_enough() -> None:
    # Median 0.88 but q3 0.95: one round in four or more over the goal.
    assert verdict([0.80, 0.86, 0.88, 0.95, 0.97], 0.9) == UNDECIDED


def test_missed_when_the_25th_percentile_is_over_the_goal() -> None:
    assert verdict([0.60, 0.95, 1.00, 1.05, 1.10], 0.9) == MISSED


def test_a_median_over_the_goal_is_not_enough_to_miss() -> None:
    assert verdict([0.80, 0.89, 0.92, 0.93, 0.94], 0.9) == UNDECIDED


def test_one_outlying_round_does_not_decide() -> None:
    steady = [1.00] * 7
    assert verdict([*steady, 9.0], 1.3) == MET
    assert verdict([*steady, 0.1], 0.95) == MISSED
