"""Resident memory of one candidate over many requests, in a fresh process
with moto in-process (repeated reads replayed, so moto does no work per
request). moto's own memory is measured before the candidate is imported and
reported apart. Writes JSON to the file named by its first argument."""
from __future__ import annotations

import json
import os
import sys
from typing import Any

from candidates import TABLE, add_paths, environment, load

CHECKPOINTS = (1, 2_000, 20_000)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main(name: str, requests: int, out_path: str) -> None:
    os.environ.update(environment())
    add_paths()
    from workload import replay_repeated_reads, routes, seed

    replay_repeated_reads()
    from moto import mock_aws

    with mock_aws():
        import boto3

        user_id = seed(boto3.client("dynamodb"), TABLE)[0]
        baseline = rss_mb()
        handler = load(name)
        from events import LambdaContext

        context = LambdaContext()
        # Valid creates are left out: they grow the table, not the function.
        cycle: list[Any] = [make for route, make in routes(user_id).items()
                            if route != "POST /users valid"]
        readings: dict[str, float] = {"moto": baseline}
        sys.stdout = open(os.devnull, "w")
        for n in range(1, requests + 1):
            handler(cycle[n % len(cycle)](), context)
            if n in CHECKPOINTS or n == requests:
                readings[str(n)] = rss_mb()
    with open(out_path, "w") as out:
        json.dump(readings, out)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
