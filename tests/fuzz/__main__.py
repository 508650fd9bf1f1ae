"""`make fuzz`: schemathesis against the real local stack, then a verdict.

1. Start the local stack (devstack.LocalStack, what `make dev` runs) on free
   ports, with the contact rate limit raised so the success paths run.
2. Sign the demo admin and plain user in through Cognito on the local AWS.
3. Run schemathesis (every phase: examples, coverage, fuzzing, stateful links;
   every check) once as the admin and once as the plain user, the service API
   key in both, an allowed Origin on every request (tests/fuzz/schemathesis.toml).
4. Read every request and answer back from the HAR reports: fail on any 5xx and
   any answer without Access-Control-Allow-Origin, and on schemathesis's own
   failures (an answer outside the documented statuses, schemas or headers).
   Print the number of requests and of each status class.

FUZZ_EXAMPLES (default 80) sets schemathesis's examples per operation;
FUZZ_ARGS adds arguments to `schemathesis run` (e.g. "--include-path /contact");
FUZZ_VERBOSE=1 prints schemathesis's whole report even when it passes. The
stack's own log goes to stack.log, and each run's report to <who>.log, in the
reports folder.
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from devstack.stack import PROJECT_DIR, LocalStack, Ports
from tests.e2e.support import cognito_sign_in
from tests.support.cognito import demo_role
from tests.support.ports import free_port

CONFIG = Path(__file__).with_name("schemathesis.toml")
MIN_REQUESTS = 2000
# The admin run explores; the plain user's mostly meets 403s, so it gets fewer.
RUNS = (("admin", 1.0), ("user", 0.75))


def schemathesis(api_url: str, env: dict[str, str], report: Path, examples: int) -> int:
    """One schemathesis run. Its own report goes to a file beside the HAR and is
    shown only when the run fails (or with FUZZ_VERBOSE=1); otherwise its
    "Test cases" count is enough."""
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run",
               f"{api_url}/openapi.json", "--checks", "all", "--max-examples", str(examples),
               "--report", "har", "--report-har-path", str(report), "--no-color",
               *shlex.split(os.environ.get("FUZZ_ARGS", ""))]
    say("$ " + " ".join(command[2:]))
    output = report.with_suffix(".log")
    with output.open("w") as sink:
        returncode = subprocess.run(command, cwd=PROJECT_DIR, env=env, stdout=sink,
                                    stderr=subprocess.STDOUT, check=False).returncode
    text = output.read_text()
    if returncode != 0 or os.environ.get("FUZZ_VERBOSE") == "1":
        say(text)
    else:
        lines = [line.strip() for line in text.splitlines()]
        say(" ".join(lines[lines.index("Test cases:"):][:2]) if "Test cases:" in lines else text)
    return returncode


def entries(har: Path) -> list[dict[str, Any]]:
    return list(json.loads(har.read_text())["log"]["entries"]) if har.exists() else []


def header(entry: dict[str, Any], name: str) -> str | None:
    for item in entry["response"]["headers"]:
        if item["name"].lower() == name.lower():
            return str(item["value"])
    return None


def verdict(all_entries: list[dict[str, Any]], origin: str) -> list[str]:
    problems = []
    for entry in all_entries:
        request, status = entry["request"], entry["response"]["status"]
        where = f"{request['method']} {request['url']} -> {status}"
        if status >= 500:
            problems.append(f"server error: {where}")
        if header(entry, "Access-Control-Allow-Origin") != origin:
            problems.append(f"no Access-Control-Allow-Origin for {origin}: {where}")
    return problems


# The console, kept aside while the in-process stack's request log goes to a file.
_CONSOLE = os.dup(1)


def say(text: str) -> None:
    os.write(_CONSOLE, (text + "\n").encode())


def main() -> int:
    examples = int(os.environ.get("FUZZ_EXAMPLES", "80"))
    ports = Ports(api=free_port(), aws=free_port(), web=free_port(), files=free_port())
    workdir = Path(tempfile.mkdtemp(prefix="frontdesk-fuzz-"))
    stack = LocalStack(ports=ports, stack_file=workdir / "stack.json",
                       environment={"CONTACT_RATE_LIMIT": "1000000",
                                    "REPLY_RATE_LIMIT": "1000000"})
    stack_log = (workdir / "stack.log").open("w")
    os.dup2(stack_log.fileno(), 1)
    os.dup2(stack_log.fileno(), 2)
    info = stack.start()
    try:
        origin = info["webUrl"]
        # "admin" and "user"; the "mfa" admin (a TOTP code to sign in) has admin's routes.
        demo = {demo_role(u): u for u in info["users"]}
        results: list[dict[str, Any]] = []
        failed_runs = []
        for who, share in RUNS:
            tokens = cognito_sign_in(info, demo[who]["username"], demo[who]["password"])
            env = {**os.environ, "FUZZ_ORIGIN": origin, "FUZZ_ID_TOKEN": tokens["IdToken"],
                   "FUZZ_API_KEY": info["apiKey"], "PYTHONPATH": str(PROJECT_DIR)}
            report = workdir / f"{who}.har"
            if schemathesis(info["apiUrl"], env, report, max(1, round(examples * share))) != 0:
                failed_runs.append(who)
            results += entries(report)
    finally:
        stack.stop()
    classes = Counter(f"{entry['response']['status'] // 100}xx" for entry in results)
    say(f"\nfuzz: {len(results)} requests; " + ", ".join(
        f"{name}: {count}" for name, count in sorted(classes.items())))
    problems = verdict(results, origin)
    if len(results) < MIN_REQUESTS:
        problems.append(f"only {len(results)} requests; at least {MIN_REQUESTS} expected")
    problems += [f"schemathesis reported failures in the {who} run (above)" for who in failed_runs]
    for problem in problems[:50]:
        say(f"FAIL {problem}")
    say("fuzz: " + ("FAILED" if problems else "passed") + f" (reports and stack.log in {workdir})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
