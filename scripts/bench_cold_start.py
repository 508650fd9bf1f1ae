"""`make bench`: what Frontdesk adds to a Lambda cold start, on this machine.

Each row runs in a fresh interpreter, several times, and times only its
statement from inside the process (interpreter start-up is netted out), after
the row's preload if it has one; it also reports the process's peak memory.
Figures are medians. Compare rows as ratios within one run: absolute numbers
move with machine load. The app rows run in deployed mode (a dev stage inside
"Lambda"), where no token-verification library is loaded.

    .venv/bin/python scripts/bench_cold_start.py [runs]
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
POWERTOOLS = "from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit"
BARE_CHALICE = ("import boto3, chalice.app\n"
                "session = boto3.session.Session(region_name='us-east-1')\n"
                "session.client('dynamodb'); session.client('ses')")
ROWS: dict[str, tuple[str, str]] = {  # name: (preload, measured statement)
    "import boto3": ("", "import boto3"),
    "import chalice.app": ("", "import chalice.app"),
    "import msgspec (validation)": ("", "import msgspec"),
    "Powertools Metrics, alone": ("", POWERTOOLS),
    # What the deployed function pays: boto3 and Chalice are loaded anyway,
    # and Powertools shares botocore and jmespath with them.
    "Powertools Metrics after boto3 + chalice": ("import boto3, chalice.app", POWERTOOLS),
    # The whole app against the least any Chalice app with these two clients pays.
    "bare Chalice + boto3 + 2 clients": ("", BARE_CHALICE),
    "Frontdesk app.py (deployed mode)": ("", "import app"),
}

PROBE = """
import resource, time
{preload}
started = time.perf_counter()
{statement}
elapsed = (time.perf_counter() - started) * 1000
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""

DEPLOYED = {"STAGE": "dev", "AWS_LAMBDA_FUNCTION_NAME": "frontdesk-dev",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            # A deployed stage refuses to start without these (chalicelib/config.py).
            "OWNER_EMAIL": "owner@frontdesk.test", "MAIL_FROM": "frontdesk@frontdesk.test",
            "ALLOWED_ORIGINS": "https://site.frontdesk.test", "USER_POOL_ID": "us-east-1_bench",
            "USER_POOL_ARN": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_bench",
            "TABLE_STREAM_ARN": "arn:aws:dynamodb:us-east-1:123456789012:table/frontdesk-dev"
                                "/stream/2026-01-01T00:00:00.000"}


def sample(preload: str, statement: str) -> tuple[float, float]:
    code = PROBE.format(preload=preload, statement=statement)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **DEPLOYED}
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=PROJECT_DIR, env=env)
    ms, mb = out.stdout.split()
    return float(ms), float(mb)


def main(runs: int = 9) -> None:
    # Interleave the rows so drift in machine load hits them all alike.
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in ROWS}
    for _ in range(runs):
        for name, (preload, statement) in ROWS.items():
            samples[name].append(sample(preload, statement))
    print(f"median of {runs} fresh processes; time of the statement only, peak RSS of the process")
    for name, values in samples.items():
        ms = statistics.median(v[0] for v in values)
        mb = statistics.median(v[1] for v in values)
        print(f"  {name:<45} {ms:6.0f} ms  {mb:5.0f} MB")
    bare = statistics.median(v[0] for v in samples["bare Chalice + boto3 + 2 clients"])
    app = statistics.median(v[0] for v in samples["Frontdesk app.py (deployed mode)"])
    print(f"Frontdesk adds {app - bare:.0f} ms ({app / bare:.2f}x) to bare Chalice + boto3")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
