"""Where a warm request's time goes: cProfile over many in-process requests of
one route, as bench/warm.py runs them (same events, moto in-process, repeated
reads replayed), with the self time summed by whose code it is.

    bench/.venv/bin/python bench/profile_warm.py [--candidate frontdesk]
        [--route "GET /health"] [--requests 10000] [--top 25]

Not part of `make bench`: a tool for finding what to cut. cProfile's own
overhead inflates many small calls, so compare its shares, not its times,
with bench/warm.py's figures.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
from collections import defaultdict

from candidates import NAMES, PROJECT_DIR, TABLE, add_paths, environment, load

# Whose code a profiled function is, by where its file lives (first match wins:
# the installed packages live under the project, in .venv or bench/.venv).
OWNERS = (("moto", ("/moto/",)), ("botocore", ("/botocore/",)), ("boto3", ("/boto3/",)),
          ("chalice", ("/chalice/",)), ("powertools", ("/aws_lambda_powertools/",)),
          ("pydantic", ("/pydantic",)),
          ("fastapi/starlette/mangum", ("/fastapi/", "/starlette/", "/mangum/")),
          ("standard library and other", ("/site-packages/", "/lib/python3")),
          ("frontdesk", (f"{PROJECT_DIR}/chalicelib/", f"{PROJECT_DIR}/app.py")),
          ("bench peers", (f"{PROJECT_DIR}/bench/",)))


def owner(filename: str) -> str:
    for name, markers in OWNERS:
        if any(marker in filename for marker in markers):
            return name
    if filename == "~" or filename.startswith("<"):
        return "builtins and C"
    return "standard library and other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", default="frontdesk", choices=NAMES)
    parser.add_argument("--route", default="GET /health")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    os.environ.update(environment())
    add_paths()
    from moto import mock_aws
    from workload import replay_repeated_reads

    replay_repeated_reads()
    with mock_aws():
        import boto3
        from events import LambdaContext
        from workload import EXPECTED_STATUS, created_user, remove_created, routes, seed

        dynamodb = boto3.client("dynamodb")
        handler = load(args.candidate)
        next_event = routes(seed(dynamodb, TABLE)[0])[args.route]
        context = LambdaContext()
        events = [next_event() for _ in range(args.requests + 50)]
        real_stdout, sys.stdout = sys.stdout, open(os.devnull, "w")  # noqa: SIM115
        try:
            for event in events[:50]:  # warm-up: first request, lazy imports, caches
                handler(event, context)
            profile = cProfile.Profile()
            responses = profile.runcall(lambda: [handler(e, context) for e in events[50:]])
        finally:
            sys.stdout = real_stdout
        statuses = {r["statusCode"] for r in responses}
        if not statuses <= EXPECTED_STATUS[args.route]:
            raise SystemExit(f"answered {statuses}: {responses[0]['body'][:300]}")
        if args.route == "POST /users valid":
            remove_created(dynamodb, TABLE, [created_user(r) for r in responses])

    if os.environ.get("PROFILE_OUT"):
        profile.dump_stats(os.environ["PROFILE_OUT"])
    stats = pstats.Stats(profile)
    by_owner: dict[str, float] = defaultdict(float)
    raw = stats.stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, _, self_time, _, _) in raw.items():
        by_owner[owner(filename)] += self_time
    total = sum(by_owner.values())
    print(f"{args.candidate}, {args.route}: {args.requests:,} requests, "
          f"{total / args.requests * 1e6:.0f} µs each under cProfile\n")
    print("self time by owner:")
    for name, seconds in sorted(by_owner.items(), key=lambda kv: -kv[1]):
        print(f"  {name:28} {seconds / total:6.1%}  {seconds / args.requests * 1e6:7.1f} µs/request")
    print()
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
