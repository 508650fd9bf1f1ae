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
that run all candidates in rotated order (A B C D, B C D A, ...); each ratio
is reported as the median of the per-round ratios with their quartiles, and
a goal is judged on the quartiles (bench/verdicts.py). While a goal is
undecided, more rounds run, up to a limit.

Candidates run as Lambda runs them: stdout a pipe read by another process,
flushed per write (bench/lambda_stdout.py), on the deployed runtime's Python
minor version (infra/runtime.py; the run refuses another one unless told).

    bench/.venv/bin/python bench/run.py [--rounds N] [--quick] [--cold-only] [--any-python]
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import cost_model
import import_costs
import package_sizes
from candidates import BENCH_DIR, FLOOR, LABELS, NAMES, PROJECT_DIR, TABLE, add_paths, environment
from verdicts import MET, MISSED, UNDECIDED, ratios, spread, verdict

add_paths()
from infra.runtime import LAMBDA_RUNTIME, python_version  # noqa: E402

RESULTS = BENCH_DIR / "RESULTS.md"
# What follows this line in RESULTS.md is written by hand and kept by every run.
KEPT = "<!-- Below this line: written by hand, kept by `make bench`. -->"
# Frontdesk ÷ each, at most: cold start as deployed, warm on every route.
GOALS = {"cold": {FLOOR: 0.9, "fastapi": 0.6, "powertools": 0.8},
         "warm": {FLOOR: 1.3, "powertools": 1.0}}
COLD_STRETCH = 0.8  # ÷ the floor
# While a goal is undecided, this many more rounds run, up to the limit.
MORE_ROUNDS = 10
MAX_ROUNDS = {"cold": 45, "warm": 35}
# `make bench` ends within 15 minutes on 2 cores: no round of cold starts or
# warm batches starts after this many minutes into the run (on a loaded
# machine, before the usual rounds are done), once this many have run.
ROUNDS_UNTIL_MINUTES = {"cold": 4, "warm": 10}
MIN_ROUNDS = 8
# The import breakdown stops repeating its rows at this point too (at least 3 runs).
IMPORTS_UNTIL_MINUTES = 12
# Frontdesk as Lambda runs it: the x86_64 deployment zip (its msgspec build runs
# here) unpacked, once as shipped and once without its .pyc files.
DEPLOYED, DEPLOYED_SOURCE = "deployed", "deployed-source"
COLD_NAMES = (*NAMES, DEPLOYED, DEPLOYED_SOURCE)
COLD_LABELS = {**LABELS, DEPLOYED: "Frontdesk as deployed (unzipped package, its .pyc)",
               DEPLOYED_SOURCE: "Frontdesk as deployed, .pyc removed"}
UNZIPPED = PROJECT_DIR / "build" / "bench" / "unzipped"
# The cold start end to end: process start to the first POST /contact answered
# (bench/first_contact.py), Frontdesk as deployed against the floor.
CONTACT_FLOOR, CONTACT_DEPLOYED = "contact-floor", "contact-deployed"
CONTACT_NAMES = (CONTACT_FLOOR, CONTACT_DEPLOYED)
COLD_RUNS = (*COLD_NAMES, *CONTACT_NAMES)
# The DynamoDB calls of the first contact post made in this run, which every
# other must make too.
_CONTACT_CALLS: dict[str, list[str]] = {}


# -- statistics ----------------------------------------------------------------

def ratio_text(a: list[float], b: list[float]) -> str:
    """Median of the per-round ratios a/b (25th–75th percentile)."""
    return str(spread(ratios(a, b)))


def cold_verdicts(cold: dict[str, list[dict[str, float]]]) -> dict[str, str]:
    """Each cold-start goal's verdict, as deployed, on CPU time (see
    cold_start_section)."""
    cpu = {name: [s["cpu_ms"] for s in cold[name]] for name in cold}
    decided = {peer: verdict(ratios(cpu[DEPLOYED], cpu[peer]), goal)
               for peer, goal in GOALS["cold"].items()}
    decided[CONTACT_DEPLOYED] = verdict(ratios(cpu[CONTACT_DEPLOYED], cpu[CONTACT_FLOOR]),
                                        GOALS["cold"][FLOOR])
    return decided


def warm_verdicts(us: dict[str, dict[str, list[float]]]) -> dict[tuple[str, str], str]:
    return {(route, peer): verdict(ratios(by_name["frontdesk"], by_name[peer]), goal)
            for route, by_name in us.items() for peer, goal in GOALS["warm"].items()}


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
    """The deployment zip unpacked twice: as shipped, and with its .pyc removed
    (chalicelib, shipped as bytecode alone, gets its sources back)."""
    shutil.rmtree(UNZIPPED, ignore_errors=True)
    with zipfile.ZipFile(package) as archive:
        archive.extractall(UNZIPPED / DEPLOYED)
        archive.extractall(UNZIPPED / DEPLOYED_SOURCE)
    source = UNZIPPED / DEPLOYED_SOURCE
    for cache in list(source.rglob("__pycache__")):
        shutil.rmtree(cache)
    shutil.rmtree(source / "chalicelib")
    shutil.copytree(PROJECT_DIR / "chalicelib", source / "chalicelib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return {name: f"unzipped:{UNZIPPED / name}" for name in (DEPLOYED, DEPLOYED_SOURCE)}


def cold_starts(rounds: int, endpoint: str, user_id: str,
                samples: dict[str, list[dict[str, float]]]) -> None:
    """`rounds` more rounds, appended to `samples`."""
    first_round = len(samples[FLOOR])
    unzipped = unzip_deployed(PROJECT_DIR / "build" / "bench" / "x86_64" / "deployment.zip")
    arguments = {name: name for name in NAMES} | unzipped
    # As in Lambda (read-only /var/task), a cold start writes no bytecode cache,
    # so each one finds only the .pyc files its candidate ships or installed.
    env = {**environment(endpoint), "PYTHONDONTWRITEBYTECODE": "1"}
    for round_index in range(first_round, first_round + rounds):
        for position, name in enumerate(rotated(COLD_RUNS, round_index)):
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                if name in CONTACT_NAMES:
                    candidate = FLOOR if name == CONTACT_FLOOR else unzipped[DEPLOYED]
                    # Its own client address, under the contact form's rate limit.
                    command = [str(BENCH_DIR / "first_contact.py"), candidate,
                               f"10.0.{round_index}.{position + 1}", out.name]
                    expected = 202
                else:
                    command = [str(BENCH_DIR / "cold_start.py"), arguments[name], user_id,
                               out.name]
                    expected = 200
                # stdout a pipe this process reads, as Lambda's runtime reads the function's.
                spawned_at = str(time.monotonic_ns())
                subprocess.run([sys.executable, *command] +
                               ([spawned_at] if name in CONTACT_NAMES else []),
                               check=True, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE)
                sample = json.loads(Path(out.name).read_text())
            if sample["status"] != expected:
                raise SystemExit(f"{name}: its first request answered {sample['status']}")
            made = sample.pop("calls", None)
            if made is not None:  # the first contact post: every candidate's calls alike
                first = _CONTACT_CALLS.setdefault("first", made)
                if made != first:
                    raise SystemExit(f"{name}: the first contact post made other DynamoDB "
                                     f"calls than the other candidate's: {made}, not {first}")
            samples[name].append(sample)
        print(f"  cold start round {round_index + 1}", file=sys.stderr)


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


def warm(rounds: int, into: dict[str, Any], *, until: float, at_least: int = 1) -> None:
    """Up to `rounds` more warm rounds in a fresh process (bench/warm.py),
    appended to `into` ({"us": ..., "calls": ...}); the calls must match the
    earlier ones'. No round starts after `until` (epoch seconds) once
    `at_least` have run."""
    first_round = len(next(iter(into["us"].values()))[FLOOR]) if into else 0
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, str(BENCH_DIR / "warm.py"), out.name, str(rounds),
                        str(first_round), str(until), str(at_least)], check=True,
                       cwd=PROJECT_DIR, env=environment(), stdout=subprocess.DEVNULL)
        result: dict[str, Any] = json.loads(Path(out.name).read_text())
    if not into:
        into.update(result)
        return
    if result["calls"] != into["calls"]:
        raise SystemExit(f"the DynamoDB calls changed between processes: {into['calls']}, "
                         f"then {result['calls']}")
    for route, by_name in result["us"].items():
        for name, figures in by_name.items():
            into["us"][route][name].extend(figures)


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
        "runtime": LAMBDA_RUNTIME,
        "load": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


# -- the report ----------------------------------------------------------------

def mb(n: float) -> str:
    return f"{n / 1_000_000:.2f} MB"


SHOWN = {MET: "met", MISSED: "**missed**", UNDECIDED: "*undecided*"}


def report(run: dict[str, Any]) -> str:
    m = run["machine"]
    lines = [
        "# Frontdesk beside its peers: `make bench` results",
        "",
        f"Written by `make bench` (bench/run.py) on {run['date']}, in {run['minutes']:.0f} minutes "
        "(" + ", ".join(f"{name} {minutes:.1f}" for name, minutes in run["phases"].items())
        + "). "
        "Every figure below comes from this one run on this one machine; compare them as "
        "ratios, not as absolute times (the machine is shared, and Lambda's CPUs differ).",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores (shared with other work during the run); "
        f"memory {m['memory']}",
        f"- {m['os']}, Python {m['python']}: the deployed runtime is {m['runtime']}",
        f"- load average at start: {m['load']}; at end: {run['load_end']}",
        f"- {m['versions']}",
        "",
        "## Candidates",
        "",
        "Each answers the same API Gateway REST events (bench/events.py), doing the same work "
        "(bench/peers/README.md): `GET /health`; `GET /users/{id}` (a GetItem); `POST /users` "
        "invalid (field errors) and valid (a TransactWriteItems of four parts: the user, its "
        "email claim, a counter and the audit entry recording who created it); `GET /users` "
        "(a one-page GSI Query).",
        "",
    ]
    lines += [f"- **{LABELS[name]}**" for name in NAMES]
    lines += ["", "Frontdesk runs in its deployed mode and also writes its access log line and "
              "EMF metrics, adds CORS and security headers, and checks the route's role on every "
              "request; the peers do none of that. The peers share one data layer "
              "(bench/peers/shared.py) that converts items the cheapest obvious way (it reads the "
              "attributes the response needs from their type tags), and the floor and the peers "
              "use boto3 as a bare app would.", "",
              "**As Lambda runs them.** During the cold starts and the warm batches every "
              "candidate's stdout is a pipe read by another process, and each write is flushed "
              "at once, as Lambda's bootstrap does with its `Unbuffered` wrapper "
              "(bench/lambda_stdout.py): Frontdesk's one line a request (its access record "
              "and EMF metrics) costs a system call. "
              f"The run uses Python {m['python']}, the minor version of the runtime `make deploy` "
              f"chooses ({m['runtime']}, infra/runtime.py).", "",
              "**Verdicts** (bench/verdicts.py). Every ratio is the median of the per-round "
              "ratios with their 25th–75th percentile. A goal is *met* when the 75th percentile "
              "is within it, **missed** when the 25th percentile is over it, and *undecided* "
              "otherwise; while one is undecided the run adds rounds, up to "
              f"{MAX_ROUNDS['cold']} cold-start and {MAX_ROUNDS['warm']} warm rounds. So that "
              "`make bench` ends within 15 minutes on 2 cores, no round of cold starts starts "
              f"after minute {ROUNDS_UNTIL_MINUTES['cold']} of the run and no warm round after "
              f"minute {ROUNDS_UNTIL_MINUTES['warm']}, once {MIN_ROUNDS} have run (on a loaded "
              "machine, before the usual rounds are done: each section says how many rounds "
              "its figures rest on); an *undecided* left is said as such.", ""]

    lines += cold_start_section(run)
    lines += ["What the cold start is made of (fresh process per row, medians of "
              f"{run['import_runs']}; bench/import_costs.py):", "",
              "| import | cost |", "|---|---|"]
    lines += [f"| {row} | {value:.0f} ms |" for row, value in run["imports"].items()]

    lines += ["", "## Warm cost per request", "",
              "All four candidates loaded in one process, moto in-process (no network), "
              f"{len(next(iter(run['warm']['us'].values()))[FLOOR])} rounds in rotated order. Each "
              "figure is CPU time per request over a batch (the process's: wall time on a "
              "shared machine also counts waiting for a core), less the CPU time moto "
              "spent answering DynamoDB calls: deployed, that is DynamoDB's work, not the "
              "function's (repeated reads are answered once and replayed; a create's "
              "transaction is timed inside moto and taken off). What remains includes "
              "botocore building, signing and parsing every call. "
              "Ratios are medians of per-round ratios (25th–75th percentile).", "",
              "| route | " + " | ".join(LABELS[n] for n in NAMES) +
              " | Frontdesk ÷ floor | Frontdesk ÷ Powertools | Frontdesk ÷ FastAPI |",
              "|---|" + "---|" * (len(NAMES) + 3)]
    warm_goals: list[str] = []
    decided = warm_verdicts(run["warm"]["us"])
    for route, by_name in run["warm"]["us"].items():
        cells = [f"{statistics.median(by_name[n]):,.0f} µs" for n in NAMES]
        lines.append(f"| `{route}` | " + " | ".join(cells) + " | "
                     f"{ratio_text(by_name['frontdesk'], by_name[FLOOR])} | "
                     f"{ratio_text(by_name['frontdesk'], by_name['powertools'])} | "
                     f"{ratio_text(by_name['frontdesk'], by_name['fastapi'])} |")
        for peer, goal in GOALS["warm"].items():
            warm_goals.append(f"| `{route}`: Frontdesk ≤ {goal}× {LABELS[peer]} | "
                              f"{ratio_text(by_name['frontdesk'], by_name[peer])} | "
                              f"{SHOWN[decided[route, peer]]} |")
    lines += ["", "| goal | measured | |", "|---|---|---|", *warm_goals]
    lines += ["", "DynamoDB calls per request, counted on every batch of every candidate, "
              "with each transaction's parts (the run stops if a candidate's differ from the "
              "others' or from its own earlier batches', or if a transaction's part writes "
              "other attributes than the others' do):", "",
              "| route | " + " | ".join(LABELS[n] for n in NAMES) + " |",
              "|---|" + "---|" * len(NAMES)]
    for route, by_name in run["warm"]["calls"].items():
        cells = [", ".join(f"{op} × {n:g}" for op, n in by_name[n].items()) or "none"
                 for n in NAMES]
        lines.append(f"| `{route}` | " + " | ".join(cells) + " |")

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
    lines += ["", *cost_model.from_run(run)]
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
             f"the median of the per-round ratios (25th–75th percentile). No process writes "
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
    cpu = {name: [s["cpu_ms"] for s in cold[name]] for name in COLD_NAMES}
    lines += ["", "Goals are judged as deployed on each process's own CPU time "
              "(`time.process_time()`). A cold start is work on one core: what the process "
              "waited for a core on this shared machine is the others' load, which moves wall "
              "time by up to half from one round to the next, and on Lambda a function's share "
              "of a core is its own. CPU time leaves out moto's work too (DynamoDB's, deployed). "
              "Wall time is shown beside it.", "",
              "| goal | as deployed, CPU time | | as deployed, wall time | working tree, CPU "
              "time |", "|---|---|---|---|---|"]
    goals = [(peer, goal) for peer, goal in GOALS["cold"].items()]
    goals.insert(1, (FLOOR, COLD_STRETCH))
    for peer, goal in goals:
        stretch = " (stretch)" if (peer, goal) == (FLOOR, COLD_STRETCH) else ""
        deployed = ratios(cpu[DEPLOYED], cpu[peer])
        lines.append(f"| Frontdesk ≤ {goal}× {LABELS[peer]}{stretch} | {spread(deployed)} | "
                     f"{SHOWN[verdict(deployed, goal)]} | {ratio_text(ms[DEPLOYED], ms[peer])} | "
                     f"{ratio_text(cpu['frontdesk'], cpu[peer])} |")
    lines += ["", f"Precompiled bytecode: the package as shipped starts in "
              f"{ratio_text(ms[DEPLOYED], ms[DEPLOYED_SOURCE])} the time of the same package "
              f"without its .pyc files ({ratio_text(cpu[DEPLOYED], cpu[DEPLOYED_SOURCE])} of "
              f"its CPU time).", ""]
    lines += first_contact_section(cold)
    return lines


def first_contact_section(cold: dict[str, list[dict[str, float]]]) -> list[str]:
    """The cold start end to end (issue 27): process start to the first POST
    /contact answered, Frontdesk as deployed against the floor."""
    ms = {name: [s["ms"] for s in cold[name]] for name in CONTACT_NAMES}
    cpu = {name: [s["cpu_ms"] for s in cold[name]] for name in CONTACT_NAMES}
    by_cpu = ratios(cpu[CONTACT_DEPLOYED], cpu[CONTACT_FLOOR])
    lines = ["### The first contact post, from process start", "",
             "What a visitor's first contact post waits for on a cold function: from the "
             "moment the process is started (the interpreter's start-up included) to the "
             "answer of its first `POST /contact` (bench/first_contact.py), in the same "
             "rounds as above. Frontdesk runs as deployed (the unzipped package with its "
             ".pyc); the floor has a contact route making Frontdesk's DynamoDB calls "
             "(bench/peers/shared.py): the form's definition and the spam rules read, then one "
             "transaction of the message, its notification, the counters and the rate-limit "
             "charge (every post's calls, with each transaction part's attributes, are "
             "compared: the run stops if they differ). Each process posts from its own "
             "client address. CPU time is the "
             "process's since it began; wall time from just before it was started.", "",
             "| candidate | wall time | CPU time | peak RSS |", "|---|---|---|---|"]
    for name, label in ((CONTACT_FLOOR, LABELS[FLOOR]),
                        (CONTACT_DEPLOYED, "Frontdesk as deployed")):
        rss = statistics.median(s["rss_mb"] for s in cold[name])
        lines.append(f"| {label} | {statistics.median(ms[name]):.0f} ms | "
                     f"{statistics.median(cpu[name]):.0f} ms | {rss:.0f} MB |")
    lines += ["", "| goal | CPU time | | wall time |", "|---|---|---|---|"]
    for goal, stretch in ((GOALS["cold"][FLOOR], ""), (COLD_STRETCH, " (stretch)")):
        lines.append(f"| Frontdesk ≤ {goal}× {LABELS[FLOOR]}{stretch}, first contact post | "
                     f"{spread(by_cpu)} | {SHOWN[verdict(by_cpu, goal)]} | "
                     f"{ratio_text(ms[CONTACT_DEPLOYED], ms[CONTACT_FLOOR])} |")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and requests")
    parser.add_argument("--cold-only", action="store_true",
                        help="only the package and the cold starts, printed (RESULTS.md untouched)")
    parser.add_argument("--any-python", action="store_true",
                        help="run on this Python even if it is not the deployed runtime's")
    args = parser.parse_args()
    runtime_version = python_version(LAMBDA_RUNTIME)
    print(f"bench: Python {platform.python_version()} ({sys.executable}); the deployed runtime "
          f"is {LAMBDA_RUNTIME}", file=sys.stderr)
    if sys.version_info[:2] != runtime_version and not args.any_python:
        raise SystemExit(f"bench: run on Python {runtime_version[0]}.{runtime_version[1]}, the "
                         f"deployed runtime's ({LAMBDA_RUNTIME}); `make bench` builds bench/.venv "
                         "with it (or pass --any-python)")
    rounds = 3 if args.quick else args.rounds
    memory_requests = 2_000 if args.quick else 20_000
    import_runs = 3 if args.quick else 9
    started = time.time()
    run: dict[str, Any] = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC",
                                                                        time.gmtime()),
                           "memory_requests": memory_requests, "phases": {}}
    phase_started = [started]

    def phase_done(name: str) -> None:
        now = time.time()
        run["phases"][name] = (now - phase_started[0]) / 60
        phase_started[0] = now
        print(f"  {name}: {run['phases'][name]:.1f} min", file=sys.stderr)

    def until(phase: str) -> float:
        return started + ROUNDS_UNTIL_MINUTES[phase] * 60

    at_least = rounds if args.quick else min(MIN_ROUNDS, rounds)
    print("package sizes", file=sys.stderr)
    run["sizes"] = package_sizes.measure()
    phase_done("package")
    server, endpoint, user_id = start_moto()
    try:
        print("cold starts", file=sys.stderr)
        run["cold"] = {name: [] for name in COLD_RUNS}
        while len(run["cold"][FLOOR]) < rounds and (len(run["cold"][FLOOR]) < at_least
                                                     or time.time() < until("cold")):
            cold_starts(1, endpoint, user_id, run["cold"])
        while UNDECIDED in cold_verdicts(run["cold"]).values() and \
                len(run["cold"][FLOOR]) < (3 * rounds if args.quick else MAX_ROUNDS["cold"]) and \
                time.time() < until("cold"):
            print("  a cold-start goal is undecided: one more round", file=sys.stderr)
            cold_starts(1, endpoint, user_id, run["cold"])
    finally:
        server.stop()
    phase_done("cold starts")
    if args.cold_only:
        print(f"load average at start: {run['machine']['load']}; at end: "
              + " / ".join(f"{x:.2f}" for x in os.getloadavg()) + "\n")
        print("\n".join(cold_start_section(run)))
        return
    # Memory, and what DynamoDB reads, are counted, not timed: the three run
    # side by side (the tables' seeding takes minutes on a loaded machine).
    print("memory, DynamoDB cost, search cost", file=sys.stderr)
    with ThreadPoolExecutor(3) as pool:
        measuring = {"memory": pool.submit(memory, memory_requests),
                     "dynamodb": pool.submit(dynamodb_cost), "search": pool.submit(search_cost)}
        run.update({name: future.result() for name, future in measuring.items()})
    phase_done("memory, DynamoDB and search cost")
    print("warm requests", file=sys.stderr)
    run["warm"] = {}
    warm(rounds, run["warm"], until=until("warm"), at_least=at_least)
    while UNDECIDED in warm_verdicts(run["warm"]["us"]).values() and \
            len(run["warm"]["us"]["GET /health"][FLOOR]) < (3 * rounds if args.quick
                                                            else MAX_ROUNDS["warm"]) and \
            time.time() < until("warm"):
        print("  a warm goal is undecided: more rounds", file=sys.stderr)
        warm(MORE_ROUNDS, run["warm"], until=until("warm"))
    phase_done("warm requests")
    print("import costs", file=sys.stderr)
    run["imports"] = import_costs.measure(import_runs, until=started + IMPORTS_UNTIL_MINUTES * 60)
    run["import_runs"] = min(len(v) for v in run["imports"]["samples"].values())
    run["imports"] = run["imports"]["medians"]
    phase_done("import costs")
    run["load_end"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    run["minutes"] = (time.time() - started) / 60
    kept = RESULTS.read_text().partition(KEPT)[2] if RESULTS.exists() else ""
    RESULTS.write_text(report(run) + f"\n{KEPT}\n" + kept.lstrip("\n"))
    (BENCH_DIR / ".last-run.json").write_text(json.dumps(run, indent=1))
    print(f"wrote {RESULTS.relative_to(PROJECT_DIR)}", file=sys.stderr)


if __name__ == "__main__":
    main()
