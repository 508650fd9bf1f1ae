"""`make soak`: does the local stack stay flat under sustained writes?

Starts its own stack (`python -m devstack`, as `make dev` does) on free ports,
with the contact rate limit raised through its environment (the local gateway
gives every caller the same source address). Then drives at least 10,000
writes through the API: user creates, PATCHes with If-Match, deletes, contact
submissions and dashboard status changes; the first and last quarter
sequential, the half between 20-way concurrent. Reports p50/p95 of the first and last 1,000 requests and the
stack's RSS before and after, stops it with SIGINT, and exits non-zero when a
target is missed:
- last-1,000 p50 at most 1.5x the first-1,000 p50;
- RSS under 500 MB;
- the stack exits within 5 s of Ctrl-C.
A benchmark: not part of `make test` or .ci/run.
"""
from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
from devstack.launch import StackDidNotStart, launch, stop  # noqa: E402 (after the path)

WRITES_PER_ROUND = 5  # create, patch, delete, contact, dashboard update
P50_RATIO_LIMIT = 1.5
RSS_LIMIT_MB = 500
STOP_LIMIT_SECONDS = 5.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Api:
    def __init__(self, base: str, token: str) -> None:
        self._base = base
        self._token = token
        self.latencies: list[tuple[float, float]] = []  # (started, seconds)

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self._base + path, method=method, data=data, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self._token}",
            **(headers or {})})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, reply_headers, payload = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, reply_headers, payload = error.code, error.headers, error.read()
        self.latencies.append((started, time.perf_counter() - started))
        return status, reply_headers, json.loads(payload) if payload else None


def one_round(api: Api, n: int) -> None:
    status, headers, user = api.call("POST", "/users", {"name": f"Soak {n}",
                                                        "email": f"soak-{uuid.uuid4().hex}@example.com"})
    if status != 201:
        raise RuntimeError(f"create answered {status}: {user}")
    status, headers, _ = api.call("PATCH", f"/users/{user['id']}", {"age": 30 + n % 50},
                                  {"If-Match": headers["ETag"]})
    if status != 200:
        raise RuntimeError(f"patch answered {status}")
    status, _, _ = api.call("DELETE", f"/users/{user['id']}", headers={"If-Match": headers["ETag"]})
    if status != 204:
        raise RuntimeError(f"delete answered {status}")
    status, _, message = api.call("POST", "/contact", {"name": "Soak", "email": "soak@example.com",
                                                       "message": f"Soak message {n}"})
    if status != 202:
        raise RuntimeError(f"contact answered {status}: {message}")
    status, _, _ = api.call("PATCH", f"/dashboard/messages/{message['id']}", {"status": "read"})
    if status != 200:
        raise RuntimeError(f"dashboard update answered {status}")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000


def id_token(info: dict[str, Any]) -> str:
    # The admin without MFA (a TOTP-enrolled demo account answers with a challenge).
    admin = next(u for u in info["users"] if "admin" in u["groups"] and "totpSecret" not in u)
    cognito = boto3.client("cognito-idp", endpoint_url=info["awsEndpoint"], region_name=info["region"],
                           aws_access_key_id="local", aws_secret_access_key="local")
    return str(cognito.initiate_auth(
        ClientId=info["userPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": admin["username"], "PASSWORD": admin["password"]},
    )["AuthenticationResult"]["IdToken"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    rounds = -(-args.writes // WRITES_PER_ROUND)

    with tempfile.TemporaryDirectory(prefix="frontdesk-soak-") as directory:
        try:
            stack = launch(Path(directory), CONTACT_RATE_LIMIT="1000000")
        except StackDidNotStart as failed:
            sys.exit(str(failed))
        process, info = stack.process, stack.info
        try:
            api = Api(info["apiUrl"], id_token(info))
            rss_before = rss_mb(process.pid)
            began = time.monotonic()
            # Sequential, concurrent, sequential: the first and the last 1,000
            # requests are measured the same way, so their ratio is the growth.
            quarter = rounds // 4
            for n in range(quarter):
                one_round(api, n)
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(lambda n: one_round(api, n), range(quarter, rounds - quarter)))
            for n in range(rounds - quarter, rounds):
                one_round(api, n)
            elapsed = time.monotonic() - began
            rss_after = rss_mb(process.pid)
        finally:
            stop_seconds = stop(process, signal.SIGINT, timeout=30)

    ordered = [seconds for _, seconds in sorted(api.latencies)]
    first_p50, first_p95 = percentiles(ordered[:1000])
    last_p50, last_p95 = percentiles(ordered[-1000:])
    ratio = last_p50 / first_p50
    print(f"{len(ordered)} requests in {elapsed:.0f} s ({rounds} rounds of {WRITES_PER_ROUND} writes, "
          f"a quarter sequential, half {args.concurrency}-way concurrent, a quarter sequential)")
    print(f"first 1,000: p50 {first_p50:.1f} ms, p95 {first_p95:.1f} ms")
    print(f"last 1,000:  p50 {last_p50:.1f} ms, p95 {last_p95:.1f} ms   (p50 ratio {ratio:.2f})")
    print(f"stack RSS:   {rss_before:.0f} MB before, {rss_after:.0f} MB after")
    print(f"stop:        {stop_seconds:.1f} s after SIGINT")
    missed = [name for name, ok in (
        (f"last-1,000 p50 <= {P50_RATIO_LIMIT}x first", ratio <= P50_RATIO_LIMIT),
        (f"RSS < {RSS_LIMIT_MB} MB", rss_after < RSS_LIMIT_MB),
        (f"stop within {STOP_LIMIT_SECONDS:.0f} s", stop_seconds <= STOP_LIMIT_SECONDS)) if not ok]
    for name in missed:
        print(f"MISSED: {name}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
