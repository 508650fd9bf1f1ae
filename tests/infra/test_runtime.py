"""The Lambda runtime is chosen once (infra/runtime.py), and deploy refuses one
that AWS deprecates within 90 days (deploy's refusal: tests/infra/test_deploy.py)."""
from __future__ import annotations

import datetime as dt

from infra.runtime import LAMBDA_PYTHON_RUNTIMES, LAMBDA_RUNTIME, python_version, runtime_problem


def test_the_runtime_is_python_3_13_on_amazon_linux_2023() -> None:
    assert LAMBDA_RUNTIME == "python3.13"
    assert python_version() == (3, 13)


def test_the_date_table_holds_aws_s_dates_for_every_python_runtime_from_3_10() -> None:
    assert sorted(LAMBDA_PYTHON_RUNTIMES, key=python_version) == [
        "python3.10", "python3.11", "python3.12", "python3.13", "python3.14"]
    python311 = LAMBDA_PYTHON_RUNTIMES["python3.11"]
    assert (python311.deprecated, python311.create_blocked, python311.update_blocked) == (
        dt.date(2027, 6, 30), dt.date(2027, 7, 31), dt.date(2027, 8, 31))
    for dates in LAMBDA_PYTHON_RUNTIMES.values():
        assert dates.deprecated < dates.create_blocked < dates.update_blocked


def test_a_runtime_deprecated_within_90_days_is_refused_naming_the_dates() -> None:
    problem = runtime_problem("python3.11", dt.date(2027, 4, 1))
    assert problem == ("AWS Lambda deprecates the python3.11 runtime on Jun 30, 2027 (new functions "
                       "blocked from Jul 31, 2027, updates from Aug 31, 2027): set a newer "
                       "LAMBDA_RUNTIME in infra/runtime.py")


def test_a_deprecated_runtime_is_refused() -> None:
    problem = runtime_problem("python3.10", dt.date(2026, 12, 7))
    assert problem is not None and problem.startswith(
        "AWS Lambda deprecated the python3.10 runtime on Oct 31, 2026")


def test_the_notice_is_exactly_90_days() -> None:
    assert runtime_problem("python3.11", dt.date(2027, 4, 1)) is not None  # 90 days before
    assert runtime_problem("python3.11", dt.date(2027, 3, 31)) is None  # 91 days before


def test_a_runtime_missing_from_the_table_is_refused() -> None:
    problem = runtime_problem("python3.9", dt.date(2026, 12, 7))
    assert problem is not None and "not in infra/runtime.py's table" in problem


def test_the_chosen_runtime_deploys_today() -> None:
    assert runtime_problem(LAMBDA_RUNTIME, dt.date(2026, 12, 7)) is None

