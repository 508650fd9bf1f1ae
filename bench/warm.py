"""Warm cost per request: every candidate loaded in this one process, against
moto in-process (no network), run in interleaved rounds so machine load hits
all of them alike. Writes JSON to the file named by its first argument:
{"us": {route: {candidate: [µs per request, one per round]}}, "calls": ...}.

Repeated reads are answered from moto's first answer (workload.py,
replay_repeated_reads); creates always reach moto.

Every candidate must make the same DynamoDB calls for the same event: every
batch counts them per request, and the run stops if a candidate makes more or
others than the rest, or than in its own earlier batches; a transaction must
have the same parts writing items with the same attributes. The counts are in
the output ({"us": ..., "calls": {route: {candidate: {operation: n}}}}).

Each batch is timed in CPU time of this process, not wall time: on a shared
machine wall time also counts the moments the process waited for a core,
which hits one batch and not its neighbour and decided the ratios' spread.
Everything a candidate does runs in this process (moto too, with no network
and no sleeps; FastAPI runs its views on a worker thread, hence the process's
time rather than the thread's), so CPU time misses none of its work. moto's
own CPU time answering the calls is counted apart and taken off
(workload.moto_cpu_seconds): deployed, that work is DynamoDB's. On the valid
create it was over 95% of every candidate's figure (moto copies the table on
each transaction), and its noise decided the comparison.
"""
from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections import Counter
from typing import Any

from candidates import NAMES, TABLE, add_paths, environment, load
from lambda_stdout import piped_stdout
from workload import described, moto_cpu_seconds, record_dynamodb_calls, replay_repeated_reads

CLOCK = time.process_time
_LAMBDA_STDOUT = piped_stdout()


def timed_batch(handler: Any, events: list[dict[str, Any]],
                context: Any) -> tuple[float, list[dict[str, Any]]]:
    """(CPU seconds, responses) for answering `events` one after another, with
    stdout as Lambda gives it (bench/lambda_stdout.py): Frontdesk writes its log
    and EMF lines there, each flushed to a pipe. The CPU time moto spent
    answering calls in the batch (DynamoDB's work, done on AWS's servers when
    deployed) is taken off."""
    real_stdout, sys.stdout = sys.stdout, _LAMBDA_STDOUT  # type: ignore[assignment]
    try:
        started, moto_before = CLOCK(), moto_cpu_seconds()
        responses = [handler(event, context) for event in events]
        return CLOCK() - started - (moto_cpu_seconds() - moto_before), responses
    finally:
        sys.stdout = real_stdout
BATCH = {"GET /health": 2000, "GET /users/{id}": 300, "POST /users invalid": 1000,
         "POST /users valid": 20, "GET /users": 100}


def main(out_path: str, rounds: int, first_round: int = 0, until: float | None = None,
         at_least: int = 1) -> None:
    """Up to `rounds` rounds; none starts after `until` (epoch seconds) once
    `at_least` have run (bench/run.py keeps `make bench` within its time)."""
    os.environ.update(environment())
    add_paths()
    from moto import mock_aws

    replay_repeated_reads()
    dynamodb_calls: list[tuple[str, Any]] = []
    record_dynamodb_calls(dynamodb_calls)
    with mock_aws():
        import boto3
        from events import LambdaContext
        from workload import EXPECTED_STATUS, created_user, remove_created, routes, seed

        dynamodb = boto3.client("dynamodb")
        user_ids = seed(dynamodb, TABLE)
        handlers = {name: load(name) for name in NAMES}
        context = LambdaContext()
        next_event = routes(user_ids[0])
        results: dict[str, dict[str, list[float]]] = {r: {n: [] for n in NAMES} for r in BATCH}

        # Per route and candidate: each DynamoDB operation and how many times a
        # request calls it, over every batch (warm-up and rounds).
        calls: dict[str, dict[str, dict[str, float]]] = {r: {} for r in BATCH}
        # ...and what its transactions write: the attributes of each part.
        written: dict[str, dict[str, list[str]]] = {r: {} for r in BATCH}

        def run(name: str, route: str, count: int) -> float:
            handler, make = handlers[name], next_event[route]
            events = [make() for _ in range(count)]
            created: list[tuple[str, str]] = []
            dynamodb_calls.clear()
            elapsed, responses = timed_batch(handler, events, context)
            made = [described(operation, body) for operation, body in dynamodb_calls]
            per_request = {shown: n / count
                           for shown, n in sorted(Counter(shown for shown, _ in made).items())}
            items = sorted({compared for _, compared in made})
            if calls[route].setdefault(name, per_request) != per_request or \
                    written[route].setdefault(name, items) != items:
                raise SystemExit(f"{name} {route}: the DynamoDB calls changed between batches: "
                                 f"{calls[route][name]} {written[route][name]}, then "
                                 f"{per_request} {items}")
            statuses = {r["statusCode"] for r in responses}
            if not statuses <= EXPECTED_STATUS[route]:
                raise SystemExit(f"{name} {route}: status {statuses}, {responses[0]['body'][:300]}")
            if route == "POST /users valid":
                created = [created_user(r) for r in responses]
                remove_created(dynamodb, TABLE, created)
            return elapsed / count * 1e6

        for name in NAMES:  # warm-up: first requests, lazy imports, caches
            for route in BATCH:
                run(name, route, 20)
        for route, by_name in calls.items():
            if len({tuple(made.items()) for made in by_name.values()}) > 1 or \
                    len({tuple(items) for items in written[route].values()}) > 1:
                raise SystemExit(f"{route}: the candidates make different DynamoDB calls per "
                                 f"request: {by_name} {written[route]}")
        for round_index in range(first_round, first_round + rounds):
            if round_index - first_round >= at_least and until is not None and \
                    time.time() > until:
                print(f"  warm rounds stopped at {round_index - first_round}: time",
                      file=sys.stderr)
                break
            order = NAMES[round_index % len(NAMES):] + NAMES[:round_index % len(NAMES)]
            for route, count in BATCH.items():
                for name in order:
                    gc.collect()
                    results[route][name].append(run(name, route, count))
            print(f"  warm round {round_index + 1}", file=sys.stderr)
    with open(out_path, "w") as out:
        json.dump({"us": results, "calls": calls}, out)


if __name__ == "__main__":
    # out_path rounds [first_round [until at_least]]: the first round's index sets
    # the rotation, so a run continued in a new process goes on where the last one
    # stopped.
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0,
         float(sys.argv[4]) if len(sys.argv) > 4 else None,
         int(sys.argv[5]) if len(sys.argv) > 5 else 1)
