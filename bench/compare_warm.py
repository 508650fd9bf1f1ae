"""Paired warm comparison of two candidates, or of Frontdesk at two source
trees (before and after a change): A B, B A, A B, ... batches of the same
route, each candidate in its own long-lived process set up as bench/warm.py
sets up its one (moto in-process, repeated reads replayed, stdout a pipe
flushed per write as Lambda gives it (bench/lambda_stdout.py), CPU time per
batch less moto's). Prints, per route, each side's median µs per
request and the median of the per-pair ratios B/A with its quartiles and
min-max.

    bench/.venv/bin/python bench/compare_warm.py A B [--pairs 40] [--route R ...]

A and B name a candidate (frontdesk, floor, fastapi, powertools), Frontdesk
optionally at another tree: frontdesk@/tmp/base (e.g. `git archive main`
unpacked there). Comparing a candidate with itself (frontdesk frontdesk)
shows the noise floor of the method: its ratios should straddle 1.00.

Not part of `make bench`: a tool for checking one change on a noisy machine.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
from typing import IO, Any

from candidates import NAMES, PROJECT_DIR, TABLE, add_paths, environment, load
from warm import BATCH, timed_batch


def worker(name: str, tree: str) -> None:
    """Answer "route count" lines on stdin with µs per request on stdout."""
    os.environ.update(environment())
    add_paths()
    sys.path.insert(0, tree)  # before the project: Frontdesk's app.py and chalicelib from `tree`
    from moto import mock_aws
    from workload import replay_repeated_reads

    replay_repeated_reads()
    with mock_aws():
        import boto3
        from events import LambdaContext
        from workload import EXPECTED_STATUS, created_user, remove_created, routes, seed

        dynamodb = boto3.client("dynamodb")
        next_event = routes(seed(dynamodb, TABLE)[0])
        handler = load(name)
        context = LambdaContext()

        def run(route: str, count: int) -> float:
            events = [next_event[route]() for _ in range(count)]
            gc.collect()
            elapsed, responses = timed_batch(handler, events, context)
            statuses = {r["statusCode"] for r in responses}
            if not statuses <= EXPECTED_STATUS[route]:
                raise SystemExit(f"{name} {route}: {statuses} {responses[0]['body'][:300]}")
            if route == "POST /users valid":
                remove_created(dynamodb, TABLE, [created_user(r) for r in responses])
            return elapsed / count * 1e6

        for route in BATCH:  # warm-up: first requests, lazy imports, caches
            run(route, 20)
        print("ready", flush=True)
        for line in sys.stdin:
            route, count = json.loads(line)
            print(run(route, count), flush=True)


class Side:
    def __init__(self, spec: str) -> None:
        name, _, tree = spec.partition("@")
        if name not in NAMES:
            raise SystemExit(f"{spec}: not one of {NAMES}")
        self.label = spec
        self._process = subprocess.Popen(
            [sys.executable, __file__, "--worker", name, os.path.abspath(tree or PROJECT_DIR)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=PROJECT_DIR,
            env=environment())
        self._stdin: IO[str] = self._process.stdin  # type: ignore[assignment]
        self._stdout: IO[str] = self._process.stdout  # type: ignore[assignment]
        if self._stdout.readline().strip() != "ready":
            raise SystemExit(f"{spec}: worker failed to start")

    def run(self, route: str, count: int) -> float:
        self._stdin.write(json.dumps([route, count]) + "\n")
        self._stdin.flush()
        return float(self._stdout.readline())

    def close(self) -> None:
        self._stdin.close()
        self._process.wait()


def summary(a: list[float], b: list[float]) -> str:
    ratios = sorted(y / x for x, y in zip(a, b, strict=True))
    q1, median, q3 = statistics.quantiles(ratios, n=4)
    return (f"{statistics.median(a):9,.1f} µs {statistics.median(b):9,.1f} µs   "
            f"B/A {median:.3f} (quartiles {q1:.3f}–{q3:.3f}, min–max {ratios[0]:.3f}–"
            f"{ratios[-1]:.3f}; fastest batches {min(b) / min(a):.3f})")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--route", action="append", choices=list(BATCH),
                        help="repeat for several (default: every route)")
    args = parser.parse_args()
    route_names: list[str] = args.route or list(BATCH)
    a, b = Side(args.a), Side(args.b)
    samples: dict[str, dict[str, list[float]]] = {r: {"a": [], "b": []} for r in route_names}
    try:
        for pair in range(args.pairs):
            for route in route_names:
                order: list[tuple[str, Any]] = [("a", a), ("b", b)]
                for key, side in order if pair % 2 == 0 else order[::-1]:
                    samples[route][key].append(side.run(route, BATCH[route]))
            print(f"  pair {pair + 1}/{args.pairs}", file=sys.stderr)
    finally:
        a.close()
        b.close()
    print(f"A = {a.label}, B = {b.label}; {args.pairs} pairs, load average now "
          + " / ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"{'route':22} {'A':>12} {'B':>12}")
    for route in route_names:
        print(f"{route:22} {summary(samples[route]['a'], samples[route]['b'])}")


if __name__ == "__main__":
    main()
