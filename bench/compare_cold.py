"""Paired cold-start comparison of two candidates, or of Frontdesk as deployed
from two packages (before and after a change): A B, B A, A B, ... fresh
processes, each importing its candidate and answering the first
GET /users/{id} against one moto server (bench/cold_start.py, as `make bench`
runs it: no bytecode written, stdout a pipe flushed per write). Prints each
side's median CPU and wall milliseconds and the per-pair ratios B/A with their
quartiles.

    bench/.venv/bin/python bench/compare_cold.py A B [--pairs 30]

A and B name a candidate (frontdesk, floor, fastapi, powertools) or an
unzipped deployment package, `unzipped:/tmp/before/unzipped` (make one with
`python -c "from infra.packaging import package; ..."` in a copy of the tree,
then unzip its deployment.zip). Comparing a side with itself shows the noise
floor of the method: its ratios should straddle 1.00.

Not part of `make bench`: a tool for checking one change on a noisy machine.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from candidates import BENCH_DIR, PROJECT_DIR, add_paths, environment
from verdicts import ratios, spread


def one_cold_start(spec: str, user_id: str, endpoint: str) -> dict[str, float]:
    env = {**environment(endpoint), "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, str(BENCH_DIR / "cold_start.py"), spec, user_id,
                        out.name], check=True, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE)
        sample: dict[str, float] = json.loads(Path(out.name).read_text())
    if sample["status"] != 200:
        raise SystemExit(f"{spec}: first GET /users/{{id}} answered {sample['status']}")
    return sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--pairs", type=int, default=30)
    args = parser.parse_args()
    add_paths()
    from run import start_moto

    server, endpoint, user_id = start_moto()
    samples: dict[str, list[dict[str, float]]] = {"a": [], "b": []}
    load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        for pair in range(args.pairs):
            order = [("a", args.a), ("b", args.b)]
            for key, spec in order if pair % 2 == 0 else order[::-1]:
                samples[key].append(one_cold_start(spec, user_id, endpoint))
            print(f"  pair {pair + 1}/{args.pairs}", file=sys.stderr)
    finally:
        server.stop()
    print(f"A = {args.a}\nB = {args.b}\n{args.pairs} pairs; load average before "
          f"{load_before}, after " + " / ".join(f"{x:.2f}" for x in os.getloadavg()))
    for measure, key in (("CPU time", "cpu_ms"), ("wall time", "ms")):
        a = [s[key] for s in samples["a"]]
        b = [s[key] for s in samples["b"]]
        print(f"{measure:9}: A {statistics.median(a):6.1f} ms, B {statistics.median(b):6.1f} ms, "
              f"B/A {spread(ratios(b, a))} (median, 25th–75th percentile)")


if __name__ == "__main__":
    main()
