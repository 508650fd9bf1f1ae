"""One cold start, in this fresh process: import the candidate, answer the
first GET /users/{id}. Writes JSON (milliseconds, CPU milliseconds, peak RSS)
to the file named by its third argument. stdout is the function's log, as Lambda
gives it: a pipe the parent reads, each write flushed (bench/lambda_stdout.py).
Interpreter start-up is not counted (it is the same for every candidate).

The candidate is a name from candidates.py, or `unzipped:<dir>`: Frontdesk
from the contents of its deployment zip, as Lambda's /var/task holds them."""
from __future__ import annotations

import json
import sys
import time

from lambda_stdout import Unbuffered

sys.stdout = Unbuffered(sys.stdout)  # type: ignore[assignment]
started, started_cpu = time.perf_counter(), time.process_time()
from candidates import add_paths, load, load_unzipped  # noqa: E402

if sys.argv[1].startswith("unzipped:"):  # the function as deployed, from its zip's contents
    handler = load_unzipped(sys.argv[1].removeprefix("unzipped:"))
else:
    add_paths()
    handler = load(sys.argv[1])
from events import LambdaContext, api_event  # noqa: E402

user_id = sys.argv[2]
response = handler(api_event("GET", "/users/{user_id}", f"/users/{user_id}",
                             path_params={"user_id": user_id}), LambdaContext())
elapsed_ms = (time.perf_counter() - started) * 1000
# This process's own CPU time: on a shared machine, less moved by the others' load.
cpu_ms = (time.process_time() - started_cpu) * 1000
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
with open(sys.argv[3], "w") as out:
    json.dump({"ms": elapsed_ms, "cpu_ms": cpu_ms, "status": response["statusCode"],
               "rss_mb": peak_kb / 1024}, out)
