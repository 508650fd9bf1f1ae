"""What each import costs a cold start, on this machine: the breakdown behind
the cold-start figure (where Frontdesk's share over the floor goes).

Each row runs in a fresh interpreter and times only its statement, after the
row's preload if it has one. Rows are interleaved, so drift in machine load
hits them all alike; figures are medians, to be read as shares within one run.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any

from candidates import PROJECT_DIR, environment

ROWS: dict[str, tuple[str, str]] = {  # name: (preload, measured statement)
    # The floor's (a bare app imports boto3 and builds its client from it).
    "import boto3 (the floor)": ("", "import boto3"),
    "boto3 DynamoDB client, first (the floor)": (
        "import boto3", "boto3.session.Session(region_name='us-east-1').client('dynamodb')"),
    # Frontdesk's: botocore alone, its client reading the models the function ships.
    "import botocore.session (Frontdesk)": ("", "import botocore.session"),
    "DynamoDB client from the shipped models, first (Frontdesk)": (
        "from chalicelib.platform.aws import aws_session",
        "aws_session('us-east-1').create_client('dynamodb')"),
    "import chalice.app": ("", "import chalice.app"),
    "import msgspec": ("", "import msgspec"),
    # What the deployed function pays on top: botocore and Chalice are loaded anyway.
    "chalicelib after botocore + chalice + msgspec": (
        "import botocore.session, chalice.app, msgspec",
        "import chalicelib.api.services, chalicelib.http.pipeline"),
}

PROBE = """
import time
{preload}
started = time.perf_counter()
{statement}
print((time.perf_counter() - started) * 1000)
"""


def sample(preload: str, statement: str) -> float:
    code = PROBE.format(preload=preload, statement=statement)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=PROJECT_DIR, env=environment())
    return float(out.stdout.split()[-1])


def measure(runs: int = 9, *, until: float | None = None) -> dict[str, Any]:
    """{"medians": {row: ms}, "samples": {row: [ms, ...]}}: `runs` runs of
    every row, fewer (at least 3) if the time `until` (epoch seconds) comes."""
    samples: dict[str, list[float]] = {name: [] for name in ROWS}
    for run in range(runs):
        if run >= 3 and until is not None and time.time() > until:
            break
        for name, (preload, statement) in ROWS.items():
            samples[name].append(sample(preload, statement))
    return {"medians": {name: statistics.median(values) for name, values in samples.items()},
            "samples": samples}


if __name__ == "__main__":
    for row, ms in measure(int(sys.argv[1]) if len(sys.argv) > 1 else 9)["medians"].items():
        print(f"{row:<60} {ms:6.1f} ms")
