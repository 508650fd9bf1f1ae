"""Measure what an import adds to a Lambda cold start, on this machine.

Each row runs in a fresh interpreter, several times, and times only its import
statement from inside the process (so interpreter start-up is netted out), after
the row's preload if it has one. The figure is the median. Compare rows as
ratios within one run: absolute numbers move with machine load.

    .venv/bin/python scripts/measure_imports.py [runs]
"""
from __future__ import annotations

import statistics
import subprocess
import sys

POWERTOOLS = "from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit"
ROWS: dict[str, tuple[str, str]] = {  # name: (preload, measured import)
    "import boto3": ("", "import boto3"),
    "import chalice.app": ("", "import chalice.app"),
    "Powertools Logger + Metrics, alone": ("", "from aws_lambda_powertools import Logger, Metrics"),
    "Powertools Metrics (as used), alone": ("", POWERTOOLS),
    # What the deployed function pays: boto3 and Chalice are loaded anyway,
    # and Powertools shares botocore and jmespath with them.
    "Powertools Metrics after boto3 + chalice": ("import boto3, chalice.app", POWERTOOLS),
    "Powertools Logger + Metrics after boto3 + chalice": (
        "import boto3, chalice.app", "from aws_lambda_powertools import Logger, Metrics"),
}

PROBE = """
import time
{preload}
started = time.perf_counter()
{statement}
print((time.perf_counter() - started) * 1000)
"""


def import_ms(preload: str, statement: str) -> float:
    code = PROBE.format(preload=preload, statement=statement)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout)


def main(runs: int = 9) -> None:
    # Interleave the rows so drift in machine load hits them all alike.
    samples: dict[str, list[float]] = {name: [] for name in ROWS}
    for _ in range(runs):
        for name, (preload, statement) in ROWS.items():
            samples[name].append(import_ms(preload, statement))
    print(f"median of {runs} fresh processes, import statement only")
    for name, values in samples.items():
        print(f"  {name:<50} {statistics.median(values):6.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
