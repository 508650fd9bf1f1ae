"""The Lambda runtime Frontdesk deploys, chosen here and nowhere else, and AWS's
dates for each Python runtime.

`make deploy`, `make check-package` and `make bench` package for LAMBDA_RUNTIME
whatever Python runs them (infra/chalice_cli.py, infra/packaging.py), and
`make install` builds .venv with its Python when the machine has it
(infra/interpreters.py). Standard library only: the machine's bare python3
imports this before .venv exists.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LAMBDA_RUNTIME = "python3.13"

# Deploy refuses a runtime this close to its deprecation: a stage deployed on it would
# stop getting security patches within the quarter, and soon could not be updated.
DEPRECATION_NOTICE = dt.timedelta(days=90)


@dataclass(frozen=True)
class RuntimeDates:
    deprecated: dt.date  # no more security patches or support
    create_blocked: dt.date  # no new function on it
    update_blocked: dt.date  # an existing function can no longer be updated


# AWS's "Lambda runtimes" page, its tables of supported and deprecated runtimes
# (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), as of 2026-12-07.
# AWS moves these dates now and then: check the page when one comes near.
LAMBDA_PYTHON_RUNTIMES: dict[str, RuntimeDates] = {
    "python3.14": RuntimeDates(dt.date(2029, 6, 30), dt.date(2029, 7, 31), dt.date(2029, 8, 31)),
    "python3.13": RuntimeDates(dt.date(2029, 6, 30), dt.date(2029, 7, 31), dt.date(2029, 8, 31)),
    "python3.12": RuntimeDates(dt.date(2028, 10, 31), dt.date(2028, 11, 30), dt.date(2029, 1, 10)),
    "python3.11": RuntimeDates(dt.date(2027, 6, 30), dt.date(2027, 7, 31), dt.date(2027, 8, 31)),
    "python3.10": RuntimeDates(dt.date(2026, 10, 31), dt.date(2026, 11, 30), dt.date(2027, 1, 15)),
}


def python_version(runtime: str = LAMBDA_RUNTIME) -> tuple[int, int]:
    """`python3.13` -> (3, 13)."""
    major, _, minor = runtime.removeprefix("python").partition(".")
    return int(major), int(minor)


def shown(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def runtime_problem(runtime: str, today: dt.date) -> str | None:
    """Why deploy must not use this runtime today (None: it may)."""
    dates = LAMBDA_PYTHON_RUNTIMES.get(runtime)
    if dates is None:
        return (f"the Lambda runtime {runtime} is not in infra/runtime.py's table: add its dates "
                "from AWS's \"Lambda runtimes\" page")
    if today < dates.deprecated - DEPRECATION_NOTICE:
        return None
    when = "deprecated" if today >= dates.deprecated else "deprecates"
    return (f"AWS Lambda {when} the {runtime} runtime on {shown(dates.deprecated)} (new functions "
            f"blocked from {shown(dates.create_blocked)}, updates from {shown(dates.update_blocked)}): "
            f"set a newer LAMBDA_RUNTIME in infra/runtime.py")
