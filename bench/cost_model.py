"""The Lambda cost model of bench/RESULTS.md (issue 27, section 4), computed
from one run's figures and the list prices below: a model, not a measurement
on AWS. bench/run.py writes it into RESULTS.md with the rest of the run.
"""
from __future__ import annotations

import math
import statistics
from typing import Any

# List prices, us-east-1 (read 2026-12-07 in stored copies of these pages;
# check them before relying on them).
LAMBDA_ARM_GB_SECOND = 0.0000133334  # first 7.5 billion GB-s a month
LAMBDA_REQUEST = 0.20 / 1_000_000
API_GATEWAY_REST_REQUEST = 3.50 / 1_000_000  # first 333 million a month
DYNAMODB_WRITE_UNIT = 0.625 / 1_000_000  # on-demand, since the November 2024 reduction
DYNAMODB_READ_UNIT = 0.125 / 1_000_000
SES_EMAIL = 0.10 / 1_000
PRICE_SOURCES = [
    "Lambda, arm64: $0.0000133334 per GB-second (first 7.5 billion GB-s a month), $0.20 per "
    "million requests (https://aws.amazon.com/lambda/pricing/; figures as also given by "
    "cloudchipr.com's \"AWS Lambda Pricing Breakdown\", 2024). Since 2025-08-01 the INIT "
    "phase of a cold start is billed like the handler (AWS Compute Blog, \"AWS Lambda "
    "standardizes billing for INIT phase\", 2025-04-29).",
    "API Gateway REST APIs: $3.50 per million requests for the first 333 million a month "
    "(https://aws.amazon.com/api-gateway/pricing/, and AWS's whitepaper \"Best Practices for "
    "Designing Amazon API Gateway Private APIs and Private Integration\", Cost optimization, "
    "its table 4).",
    "DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read "
    "request units, since the November 2024 reduction "
    "(https://aws.amazon.com/dynamodb/pricing/on-demand/, as given by airbyte.com's \"Amazon "
    "DynamoDB Pricing\" guide, 2025-07-21; AWS's own page was not among the stored pages).",
    "SES: $0.10 per 1,000 emails sent (https://aws.amazon.com/ses/pricing/; the stored copies "
    "held only AWS's SES FAQ, which points there; figure from third-party summaries).",
]

MEMORY_MB = 128
# Lambda gives CPU in proportion to memory, one vCPU at 1,769 MB: at 128 MB
# CPU-bound work takes this many times its CPU time (one bench core taken as
# one Graviton core: not checked).
SLOWDOWN = 1769 / MEMORY_MB
PER_MS = MEMORY_MB / 1024 * LAMBDA_ARM_GB_SECOND / 1000
DYNAMODB_CALL_MS = 5  # waiting for one DynamoDB call (assumed: the bench has no network)
SES_SEND_MS = 50  # waiting for one SES send (assumed)
# DynamoDB calls per request of each bench route.
CALLS = {"GET /health": 0, "GET /users/{id}": 1, "POST /users invalid": 0,
         "POST /users valid": 1, "GET /users": 1}
# A contact post: its transaction's four parts at 2 units an item (transactions
# cost double), the message's larger size and index writes, the notifier's claim
# and settle: about 12 write units; the form and the spam rules read strongly
# consistent: 2 read units.
WRITE_UNITS_PER_POST, READ_UNITS_PER_POST = 12, 2
# The notifier's own CPU per notification: taken as the valid create's (a claim
# and a settle are two conditional writes); its wait: two calls and the send.
NOTIFIER_CALLS = 2


def billed_ms(cpu_us: float, calls: int) -> int:
    """A warm request's billed duration at 128 MB: CPU slowed to the memory's
    share, plus the waits, rounded up to the millisecond as Lambda bills."""
    return max(1, math.ceil(cpu_us / 1000 * SLOWDOWN + calls * DYNAMODB_CALL_MS))


def money(value: float) -> str:
    """Dollars: whole above $10, cents above one, else to the first digit that counts."""
    if value >= 10:
        return f"${value:,.0f}"
    if value >= 0.01 or value == 0:
        return f"${value:.2f}"
    return f"${value:.{-math.floor(math.log10(value))}f}"


def section(warm_us: dict[str, dict[str, list[float]]], cold_cpu_ms: float,
            contact_cpu_ms: float | None) -> list[str]:
    """The cost model from this run: Frontdesk's warm CPU per route (µs, per
    round), its cold start's CPU as deployed (import + first GET /users/{id}),
    and, if measured, its first contact post's CPU from process start."""
    frontdesk = {route: statistics.median(by_name["frontdesk"])
                 for route, by_name in warm_us.items()}
    cold_low, cold_high = cold_cpu_ms, cold_cpu_ms * SLOWDOWN
    lines = ["## Lambda cost model (128 MB, arm64, us-east-1)", "",
             "Computed by bench/cost_model.py from this run's figures and list prices: a model, "
             "not a measurement on AWS.", "", "**Prices** (read 2026-12-07 in the stored copies "
             "of these pages; check them before relying on them):", ""]
    lines += [f"- {source}" for source in PRICE_SOURCES]
    lines += ["", f"**Assumptions.** Lambda gives a function CPU in proportion to its memory, "
              f"one vCPU at 1,769 MB, so at {MEMORY_MB} MB CPU-bound work takes {SLOWDOWN:.1f}× "
              f"its CPU time (one bench-machine core taken as one Graviton core: not checked); "
              f"a millisecond costs ${PER_MS:.2g}. Each DynamoDB call waits about "
              f"{DYNAMODB_CALL_MS} ms and an SES send about {SES_SEND_MS} ms (assumed, not "
              f"measured: the bench has no network). A cold start's CPU work ({cold_cpu_ms:.0f} ms "
              "as deployed in this run: the import and the first `GET /users/{id}`) is billed "
              f"at least at full speed, {cold_low:.0f} ms, if the init runs on a full core as it "
              f"is commonly observed to, and at most {SLOWDOWN:.1f}× that "
              f"({cold_high / 1000:.1f} s) at the {MEMORY_MB} MB share.", "",
              "| route | warm CPU (this run) | billed warm, 128 MB | cost of 1 million warm, "
              "duration + requests |", "|---|---|---|---|"]
    for route, us in frontdesk.items():
        calls = CALLS[route]
        billed = billed_ms(us, calls)
        detail = f" ({math.ceil(us / 1000 * SLOWDOWN)} ms CPU, {calls} call)" if calls else ""
        lines.append(f"| `{route}` | {us:,.0f} µs | {billed} ms{detail} | "
                     f"{money(billed * PER_MS * 1e6)} + {money(LAMBDA_REQUEST * 1e6)} |")
    lines.append(f"| any route, cold | {cold_cpu_ms:.0f} ms (import + first request) | "
                 f"{cold_low / 1000:.2f} s to {cold_high / 1000:.1f} s more | "
                 f"{money(cold_low * PER_MS)} to {money(cold_high * PER_MS)} per cold start |")

    create_ms = billed_ms(frontdesk["POST /users valid"], CALLS["POST /users valid"])
    notifier_ms = math.ceil(frontdesk["POST /users valid"] / 1000 * SLOWDOWN
                            + NOTIFIER_CALLS * DYNAMODB_CALL_MS + SES_SEND_MS)
    first_post = contact_cpu_ms if contact_cpu_ms is not None else cold_cpu_ms
    lines += ["", f"**A contact post** (warm, modelled as the valid create, whose transaction "
              f"is the same kind of work; the stream notifier's claim and settle taken as "
              f"another, plus the send): the API function ({create_ms} ms), the notifier "
              f"({notifier_ms} ms), one API Gateway request, two Lambda requests, about "
              f"{WRITE_UNITS_PER_POST} write and {READ_UNITS_PER_POST} read request units, one "
              "owner notification (two mails when the form has an autoresponse). At 10,000 posts "
              "a month most posts may start both functions cold (a post every four minutes), "
              f"each cold start billed as the first contact post's CPU in this run "
              f"({first_post:.0f} ms from process start"
              + ("" if contact_cpu_ms is not None else ", not measured: the GET's") +
              f") to {SLOWDOWN:.1f}× that; at a million (one every 2.6 s) cold starts are "
              "rare.", "",
              "| per month | Lambda | API Gateway | DynamoDB | SES | total |",
              "|---|---|---|---|---|---|"]
    for posts, cold in ((10_000, True), (1_000_000, False)):
        warm_lambda = posts * ((create_ms + notifier_ms) * PER_MS + 2 * LAMBDA_REQUEST)
        cold_low_cost = posts * 2 * first_post * PER_MS if cold else 0.0
        cold_high_cost = cold_low_cost * SLOWDOWN
        gateway = posts * API_GATEWAY_REST_REQUEST
        dynamodb = posts * (WRITE_UNITS_PER_POST * DYNAMODB_WRITE_UNIT
                            + READ_UNITS_PER_POST * DYNAMODB_READ_UNIT)
        ses = posts * SES_EMAIL
        low = warm_lambda + cold_low_cost + gateway + dynamodb + ses
        high = warm_lambda + cold_high_cost + gateway + dynamodb + ses
        if cold:
            lambda_text = (f"{money(warm_lambda + cold_low_cost)} to "
                           f"{money(warm_lambda + cold_high_cost)} (cold starts included; inside "
                           "the free tier, if the account has it)")
            total = f"about {money(low)} to {money(high)}"
        else:
            lambda_text, total = money(warm_lambda), f"about {money(low)}"
        lines.append(f"| {posts:,} posts | {lambda_text} | {money(gateway)} | {money(dynamodb)} "
                     f"| {money(ses)} | {total} |")
    lines += ["", "What this says: the mail and the API Gateway request are nearly all of the "
              "cost; Lambda is about 1% at a million posts and a few percent at ten thousand. "
              "The cold-start work is for the visitor's wait (a small site's form is usually hit "
              "cold), not for the bill.", ""]
    return lines


def from_run(run: dict[str, Any]) -> list[str]:
    cold = run["cold"]
    cold_cpu = statistics.median(s["cpu_ms"] for s in cold["deployed"])
    contact = cold.get("contact-deployed")
    contact_cpu = statistics.median(s["cpu_ms"] for s in contact) if contact else None
    return section(run["warm"]["us"], cold_cpu, contact_cpu)
