"""The cold start end to end, as a visitor's contact post meets it: from the
moment this process was started (interpreter start-up included) to the
answer of its first POST /contact. Writes JSON (milliseconds from start, CPU
milliseconds, status, peak RSS) to the file named by its third argument.

    first_contact.py CANDIDATE SOURCE_IP OUT SPAWNED_AT_NS

CANDIDATE is `floor` (bare Chalice + boto3, with a contact route doing
Frontdesk's DynamoDB calls: bench/peers/shared.py) or `unzipped:<dir>`
(Frontdesk from its deployment zip, as Lambda's /var/task holds it).
SPAWNED_AT_NS is time.monotonic_ns() in the parent just before it started
this process (the clock is the machine's, the same in every process); the
CPU time is this process's since it began. stdout is a pipe the parent
reads, flushed per write (bench/lambda_stdout.py). Each process posts from
its own SOURCE_IP, so the contact form's rate limit (5 posts per client per
10 minutes, in the shared table) never answers 429. The DynamoDB calls the
post made are written too (bench/run.py stops if the candidates' differ).
"""
from __future__ import annotations

import json
import sys
import time
from typing import Any

from lambda_stdout import Unbuffered

sys.stdout = Unbuffered(sys.stdout)  # type: ignore[assignment]
# Both candidates load botocore's endpoint module anyway; every AWS call goes through it.
import botocore.endpoint  # noqa: E402
from candidates import add_paths, load, load_unzipped  # noqa: E402

sent: list[tuple[str, Any]] = []
_make_request = botocore.endpoint.Endpoint.make_request


def make_request(self: Any, operation_model: Any, request_dict: Any) -> Any:
    sent.append((operation_model.name, request_dict.get("body")))  # read after the answer
    return _make_request(self, operation_model, request_dict)


botocore.endpoint.Endpoint.make_request = make_request  # type: ignore[method-assign]

if sys.argv[1].startswith("unzipped:"):
    handler = load_unzipped(sys.argv[1].removeprefix("unzipped:"))
else:
    add_paths()
    handler = load(sys.argv[1])
from events import LambdaContext, api_event  # noqa: E402

event = api_event("POST", "/contact", "/contact", signed_in=False, body={
    "name": "Ada Lovelace", "email": "ada@example.com",
    "message": "Hello, I would like a quote for a new website."})
event["requestContext"]["identity"]["sourceIp"] = sys.argv[2]
response = handler(event, LambdaContext())
answered_ns, cpu_ms = time.monotonic_ns(), time.process_time() * 1000
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
from workload import described  # noqa: E402

with open(sys.argv[3], "w") as out:
    json.dump({"ms": (answered_ns - int(sys.argv[4])) / 1e6, "cpu_ms": cpu_ms,
               "status": response["statusCode"], "rss_mb": peak_kb / 1024,
               "calls": [described(name, body)[1] for name, body in sent]}, out)
