"""`make bench`: Frontdesk beside its floor and two peers, measured in one run
on this machine, written to bench/RESULTS.md.

- Cold start: a fresh process imports the candidate and answers its first
  GET /users/{id} (a GetItem against a moto server in this process: moto
  in-process would preload boto3 for everyone). Frontdesk also runs as
  deployed, from its unzipped x86_64 package, with and without the .pyc files
  the package ships.
- Warm: every candidate in one process against moto in-process (no network),
  CPU time per request for each route (bench/warm.py).
- Memory: resident memory of a fresh process over 20,000 requests.
- Package: the function zip per architecture, and what lives outside it.
- DynamoDB cost: items read per page as the table grows, against a Scan.
- Search cost: what a page of the dashboard's lists and searches reads (items,
  KB, read capacity units), as the table grows.

Timings are noisy on a shared machine, so every timing is taken in rounds
that run all candidates in rotated order (A B C D, B C D A, ...), and each
ratio is the median of the per-round ratios, with their spread (min-max).

    bench/.venv/bin/python bench/run.py [--rounds N] [--quick] [--cold-only]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import import_costs
import package_sizes
from candidates import BENCH_DIR, FLOOR, LABELS, NAMES, PROJECT_DIR, TABLE, add_paths, environment

RESULTS = BENCH_DIR / "RESULTS.md"
GOALS = {"cold": {FLOOR: 1.15, "fastapi": 0.6, "powertools": 0.8},
         "warm": {FLOOR: 1.5, "powertools": 1.0}}
# Frontdesk as Lambda runs it: the x86_64 deployment zip (its msgspec build runs
# here) unpacked, once as shipped and once without its .pyc files.
DEPLOYED, DEPLOYED_SOURCE = "deployed", "deployed-source"
COLD_NAMES = (*NAMES, DEPLOYED, DEPLOYED_SOURCE)
COLD_LABELS = {**LABELS, DEPLOYED: "Frontdesk as deployed (unzipped package, its .pyc)",
               DEPLOYED_SOURCE: "Frontdesk as deployed, .pyc removed"}
UNZIPPED = PROJECT_DIR / "build" / "bench" / "unzipped"


# -- statistics ----------------------------------------------------------------

def paired(a: list[float], b: list[float]) -> tuple[float, float, float]:
    """Median of the per-round ratios a/b, and their min and max."""
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


def ratio_text(a: list[float], b: list[float]) -> str:
    median, low, high = paired(a, b)
    return f"{median:.2f}× ({low:.2f}–{high:.2f})"


def rotated(names: tuple[str, ...], round_index: int) -> tuple[str, ...]:
    shift = round_index % len(names)
    return names[shift:] + names[:shift]


# -- the runs ------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_moto() -> tuple[Any, str, str]:
    """A moto server for the fresh processes, with the table seeded."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(environment(endpoint))
    import boto3
    from workload import seed

    user_ids = seed(boto3.client("dynamodb"), TABLE)
    return server, endpoint, user_ids[0]


def unzip_deployed(package: Path) -> dict[str, str]:
    """The deployment zip unpacked twice: as shipped, and with its .pyc removed."""
    shutil.rmtree(UNZIPPED, ignore_errors=True)
    with zipfile.ZipFile(package) as archive:
        archive.extractall(UNZIPPED / DEPLOYED)
        archive.extractall(UNZIPPED / DEPLOYED_SOURCE)
    for cache in list((UNZIPPED / DEPLOYED_SOURCE).rglob("__pycache__")):
        shutil.rmtree(cache)
    return {name: f"unzipped:{UNZIPPED / name}" for name in (DEPLOYED, DEPLOYED_SOURCE)}


def cold_starts(rounds: int, endpoint: str, user_id: str) -> dict[str, list[dict[str, float]]]:
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in COLD_NAMES}
    arguments = {name: name for name in NAMES} | unzip_deployed(
        PROJECT_DIR / "build" / "bench" / "x86_64" / "deployment.zip")
    # As in Lambda (read-only /var/task), a cold start writes no bytecode cache,
    # so each one finds only the .pyc files its candidate ships or installed.
    env = {**environment(endpoint), "PYTHONDONTWRITEBYTECODE": "1"}
    for round_index in range(rounds):
        for name in rotated(COLD_NAMES, round_index):
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                subprocess.run([sys.executable, str(BENCH_DIR / "cold_start.py"), arguments[name],
                                user_id, out.name], check=True, cwd=PROJECT_DIR, env=env,
                               stdout=subprocess.DEVNULL)
                sample = json.loads(Path(out.name).read_text())
            if sample["status"] != 200:
                raise SystemExit(f"{name}: first GET /users/{{id}} answered {sample['status']}")
            samples[name].append(sample)
        print(f"  cold start round {round_index + 1}/{rounds}", file=sys.stderr)
    return samples


def memory(requests: int) -> dict[str, dict[str, float]]:
    readings = {}
    for name in NAMES:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run([sys.executable, str(BENCH_DIR / "memory.py"), name, str(requests),
                            out.name], check=True, cwd=PROJECT_DIR, env=environment(),
                           stdout=subprocess.DEVNULL)
            readings[name] = json.loads(Path(out.name).read_text())
        print(f"  memory: {name}", file=sys.stderr)
    return readings


def warm(rounds: int) -> dict[str, dict[str, list[float]]]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, str(BENCH_DIR / "warm.py"), out.name, str(rounds)],
                       check=True, cwd=PROJECT_DIR, env=environment(), stdout=subprocess.DEVNULL)
        result: dict[str, dict[str, list[float]]] = json.loads(Path(out.name).read_text())
        return result


def dynamodb_cost() -> list[dict[str, int]]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, str(BENCH_DIR / "dynamodb_cost.py"), out.name],
                       check=True, cwd=PROJECT_DIR, env=environment(), stdout=subprocess.DEVNULL)
        result: list[dict[str, int]] = json.loads(Path(out.name).read_text())
        return result


# -- the machine ---------------------------------------------------------------

def machine() -> dict[str, str]:
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    versions = {}
    from importlib import metadata
    for dist in ("chalice", "boto3", "msgspec", "aws-lambda-powertools", "fastapi", "mangum",
                 "pydantic", "moto"):
        versions[dist] = metadata.version(dist)
    return {
        "cpu": first("/proc/cpuinfo", "model name"),
        "cores": str(os.cpu_count()),
        "memory": first("/proc/meminfo", "MemTotal"),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


# -- the report ----------------------------------------------------------------

def mb(n: float) -> str:
    return f"{n / 1_000_000:.2f} MB"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(run: dict[str, Any]) -> str:
    m = run["machine"]
    lines = [
        "# Frontdesk beside its peers: `make bench` results",
        "",
        f"Written by `make bench` (bench/run.py) on {run['date']}, in {run['minutes']:.0f} minutes. "
        "Every figure below comes from this one run on this one machine; compare them as "
        "ratios, not as absolute times (the machine is shared, and Lambda's CPUs differ).",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores (shared with other work during the run); "
        f"memory {m['memory']}",
        f"- {m['os']}, Python {m['python']}",
        f"- load average at start: {m['load']}; at end: {run['load_end']}",
        f"- {m['versions']}",
        "",
        "## Candidates",
        "",
        "Each answers the same API Gateway REST events (bench/events.py), doing the same work "
        "(bench/peers/README.md): `GET /health`; `GET /users/{id}` (a GetItem); `POST /users` "
        "invalid (field errors) and valid (a three-item TransactWriteItems); `GET /users` "
        "(a one-page GSI Query).",
        "",
    ]
    lines += [f"- **{LABELS[name]}**" for name in NAMES]
    lines += ["", "Frontdesk runs in its deployed mode and also writes its access log line and "
              "EMF metrics, adds CORS and security headers, and checks the route's role on every "
              "request; the peers do none of that.", ""]

    lines += cold_start_section(run)
    lines += ["What the cold start is made of (fresh process per row, medians of "
              f"{run['import_runs']}; bench/import_costs.py):", "",
              "| import | cost |", "|---|---|"]
    lines += [f"| {row} | {value:.0f} ms |" for row, value in run["imports"].items()]

    lines += ["", "## Warm cost per request", "",
              "All four candidates loaded in one process, moto in-process (no network), "
              f"{len(next(iter(run['warm'].values()))[FLOOR])} rounds in rotated order. Each "
              "figure is CPU time per request over a batch (the process's: wall time on a "
              "shared machine also counts waiting for a core), less the CPU time moto "
              "spent answering DynamoDB calls: deployed, that is DynamoDB's work, not the "
              "function's (repeated reads are answered once and replayed; a create's "
              "transaction is timed inside moto and taken off). What remains includes "
              "botocore building, signing and parsing every call. "
              "Ratios are medians of per-round ratios (min–max).", "",
              "| route | " + " | ".join(LABELS[n] for n in NAMES) +
              " | Frontdesk ÷ floor | Frontdesk ÷ Powertools | Frontdesk ÷ FastAPI |",
              "|---|" + "---|" * (len(NAMES) + 3)]
    warm_goals: list[str] = []
    for route, by_name in run["warm"].items():
        cells = [f"{statistics.median(by_name[n]):,.0f} µs" for n in NAMES]
        lines.append(f"| `{route}` | " + " | ".join(cells) + " | "
                     f"{ratio_text(by_name['frontdesk'], by_name[FLOOR])} | "
                     f"{ratio_text(by_name['frontdesk'], by_name['powertools'])} | "
                     f"{ratio_text(by_name['frontdesk'], by_name['fastapi'])} |")
        for peer, goal in GOALS["warm"].items():
            median = paired(by_name["frontdesk"], by_name[peer])[0]
            warm_goals.append(f"| `{route}`: Frontdesk ≤ {goal}× {LABELS[peer]} | "
                              f"{median:.2f}× | {verdict(median <= goal)} |")
    lines += ["", "| goal | measured | |", "|---|---|---|", *warm_goals]

    lines += ["", "## Memory", "",
              f"Resident memory (VmRSS) of a fresh process after 1, 2,000 and "
              f"{run['memory_requests']:,} requests cycling through the routes above except the "
              "valid create. moto runs in the same process (repeated reads replayed, so it does "
              "no work per request); its memory is read before the candidate is imported and "
              "taken off, so the columns are the candidate's own. The whole process without "
              "moto is the cold start's peak RSS above. Goal: at most 100 MB (a 128 MB "
              "function) and no growth.", "",
              "| candidate | after 1 | after 2,000 | after " + f"{run['memory_requests']:,} | growth "
              "| cold-start peak RSS (whole process, no moto) |",
              "|---|---|---|---|---|---|"]
    for name in NAMES:
        r = run["memory"][name]
        own = {k: v - r["moto"] for k, v in r.items()}
        last = own[str(run["memory_requests"])]
        peak = statistics.median(s["rss_mb"] for s in run["cold"][name])
        lines.append(f"| {LABELS[name]} | {own['1']:.1f} MB | {own['2000']:.1f} MB | "
                     f"{last:.1f} MB | {last - own['1']:+.1f} MB | {peak:.0f} MB |")

    sizes = run["sizes"]
    arm, x86 = sizes["zips"]["arm64"], sizes["zips"]["x86_64"]
    lines += ["", "## Package", "",
              "`chalice package --stage prod` of the project as `make deploy` configures it. "
              "The budget is 1 MB (1,000,000 bytes), enforced by `make check-package`.", "",
              "| | arm64 (deployed) | x86_64 |", "|---|---|---|",
              f"| function zip | {arm['bytes']:,} bytes ({mb(arm['bytes'])}) | "
              f"{x86['bytes']:,} bytes ({mb(x86['bytes'])}) |",
              f"| files / uncompressed | {arm['files']} / {mb(arm['uncompressed'])} | "
              f"{x86['files']} / {mb(x86['uncompressed'])} |"]
    lines += ["", "Inside the arm64 zip (compressed):", "", "| entry | size |", "|---|---|"]
    lines += [f"| `{k}` | {v:,} bytes |" for k, v in
              sorted(arm["by_top_level"].items(), key=lambda kv: -kv[1])]
    lines += ["", "Outside the zip (installed size on this machine, `__pycache__` excluded); "
              "the functions use no layer:", "",
              "| what | provided by | size |", "|---|---|---|",
              f"| boto3, botocore, s3transfer, jmespath, dateutil, urllib3, six | the Lambda "
              f"Python runtime | {mb(sizes['runtime_bytes'])} |",
              "", "For scale, what the peers would have to bundle besides boto3:", "",
              "| peer | bundle | size |", "|---|---|---|",
              f"| {LABELS['fastapi']} | fastapi, starlette, pydantic(-core), mangum, anyio, … | "
              f"{mb(sizes['peer_bundle_bytes']['fastapi'])} |",
              f"| {LABELS['powertools']} | pydantic(-core), … (Powertools from its layer) | "
              f"{mb(sizes['peer_bundle_bytes']['powertools'])} |"]

    lines += ["", "## DynamoDB cost", "",
              "Items DynamoDB reads (each Query's `ScannedCount`, what reads are billed on) for "
              "one page of 25, as the table grows to N users and N messages, against a Scan of "
              "the same table (every item: users, their email claims, messages). "
              "moto in-process.", "",
              "| records | users: first page | users: next page | messages (new): first page "
              "| Scan: items read | Scan: requests |", "|---|---|---|---|---|---|"]
    for row in run["dynamodb"]:
        lines.append(f"| {row['records']:,} | {row['users_first_page']} | "
                     f"{row['users_next_page']} | {row['messages_first_page']} | "
                     f"{row['scan_items']:,} | {row['scan_requests']} |")
    if run.get("search"):
        lines += search_cost_section(run["search"])
    lines.append("")
    return "\n".join(lines)


def search_cost() -> list[dict[str, Any]]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, str(BENCH_DIR / "search_cost.py"), out.name],
                       check=True, cwd=PROJECT_DIR, env=environment(), stdout=subprocess.DEVNULL)
        result: list[dict[str, Any]] = json.loads(Path(out.name).read_text())
        return result


def search_cost_section(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["", "## Search cost", "",
             "What one page of 25 of the dashboard's lists and searches reads "
             "(`GET /dashboard/messages`, docs/api.md \"Finding messages\"), as the table "
             "grows: Queries, items read (`ScannedCount`), their size, and the read capacity "
             "units DynamoDB bills for them (0.5 per 4 KB per Query, eventually consistent), "
             "computed from the items' sizes by DynamoDB's rules (moto reports a fixed 1.0 per "
             "call). Messages of about 600 characters, 1 KB as stored; a search that matches "
             "nothing examines its whole budget of 500 (bench/search_cost.py, moto in-process).",
             "", "| messages | page of 25 | Queries | items read | KB read | RCUs | searched |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['messages']:,} | {r['case']} | {r['queries']} | {r['items']} | "
                     f"{r['kb']} | {r['rcu']:g} | "
                     f"{r['searched'] if r['searched'] is not None else '—'} |")
    return lines


def cold_start_section(run: dict[str, Any]) -> list[str]:
    cold = run["cold"]
    ms = {name: [s["ms"] for s in cold[name]] for name in COLD_NAMES}
    rounds = len(ms[FLOOR])
    lines = ["## Cold start", "",
             f"A fresh process imports the app and answers its first `GET /users/{{id}}` (a "
             f"GetItem against a moto server on loopback). Interpreter start-up is not counted. "
             f"{rounds} rounds, each running every candidate once in rotated order; ratios are "
             f"the median of the per-round ratios (min–max across rounds). No process writes "
             f"a bytecode cache (`PYTHONDONTWRITEBYTECODE=1`, as on Lambda's read-only "
             f"`/var/task`): installed libraries use the .pyc files pip wrote, the peers' and "
             f"the working tree's own modules are compiled at every start, and *as deployed* "
             f"runs the unzipped x86_64 `deployment.zip` with the .pyc files it ships "
             f"(infra/packaging.py), or with them removed.", "",
             "| candidate | median | ÷ floor | Frontdesk ÷ it | peak RSS |",
             "|---|---|---|---|---|"]
    for name in COLD_NAMES:
        rss = statistics.median(s["rss_mb"] for s in cold[name])
        mine = "—" if name in (DEPLOYED, DEPLOYED_SOURCE, "frontdesk") else \
            f"{ratio_text(ms['frontdesk'], ms[name])}; as deployed {ratio_text(ms[DEPLOYED], ms[name])}"
        lines.append(f"| {COLD_LABELS[name]} | {statistics.median(ms[name]):.0f} ms | "
                     f"{ratio_text(ms[name], ms[FLOOR])} | {mine} | {rss:.0f} MB |")
    lines += ["", "| goal | working tree | | as deployed | |", "|---|---|---|---|---|"]
    for peer, goal in GOALS["cold"].items():
        median = paired(ms["frontdesk"], ms[peer])[0]
        deployed = paired(ms[DEPLOYED], ms[peer])[0]
        lines.append(f"| Frontdesk ≤ {goal}× {LABELS[peer]} | {median:.2f}× | "
                     f"{verdict(median <= goal)} | {deployed:.2f}× | {verdict(deployed <= goal)} |")
    cpu = {name: [s["cpu_ms"] for s in cold[name]] for name in COLD_NAMES}
    lines += ["", "The same goals on each process's own CPU time (`time.process_time()`: it leaves "
              "out moto's work and the time spent waiting for a core, so the machine's load "
              "moves it less):", "", "| goal | working tree | as deployed |", "|---|---|---|"]
    for peer, goal in GOALS["cold"].items():
        lines.append(f"| Frontdesk ≤ {goal}× {LABELS[peer]} | "
                     f"{ratio_text(cpu['frontdesk'], cpu[peer])} | "
                     f"{ratio_text(cpu[DEPLOYED], cpu[peer])} |")
    lines += ["", f"Precompiled bytecode: the package as shipped starts in "
              f"{ratio_text(ms[DEPLOYED], ms[DEPLOYED_SOURCE])} the time of the same package "
              f"without its .pyc files ({ratio_text(cpu[DEPLOYED], cpu[DEPLOYED_SOURCE])} of "
              f"its CPU time).", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and requests")
    parser.add_argument("--cold-only", action="store_true",
                        help="only the package and the cold starts, printed (RESULTS.md untouched)")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    memory_requests = 2_000 if args.quick else 20_000
    import_runs = 3 if args.quick else 9
    add_paths()
    started = time.time()
    run: dict[str, Any] = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC",
                                                                        time.gmtime()),
                           "memory_requests": memory_requests, "import_runs": import_runs}
    print("package sizes", file=sys.stderr)
    run["sizes"] = package_sizes.measure()
    server, endpoint, user_id = start_moto()
    try:
        print("cold starts", file=sys.stderr)
        run["cold"] = cold_starts(rounds, endpoint, user_id)
    finally:
        server.stop()
    if args.cold_only:
        print(f"load average at start: {run['machine']['load']}; at end: "
              + " / ".join(f"{x:.2f}" for x in os.getloadavg()) + "\n")
        print("\n".join(cold_start_section(run)))
        return
    print("memory", file=sys.stderr)
    run["memory"] = memory(memory_requests)
    print("warm requests", file=sys.stderr)
    run["warm"] = warm(rounds)
    print("import costs", file=sys.stderr)
    run["imports"] = import_costs.measure(import_runs)
    print("dynamodb cost", file=sys.stderr)
    run["dynamodb"] = dynamodb_cost()
    print("search cost", file=sys.stderr)
    run["search"] = search_cost()
    run["load_end"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    run["minutes"] = (time.time() - started) / 60
    RESULTS.write_text(report(run))
    (BENCH_DIR / ".last-run.json").write_text(json.dumps(run, indent=1))
    print(f"wrote {RESULTS.relative_to(PROJECT_DIR)}", file=sys.stderr)


if __name__ == "__main__":
    main()
