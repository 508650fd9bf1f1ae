"""Tell the local AWS to fail, so tests can see what the API does when AWS does.

A WSGI layer in front of moto, driven over HTTP at `/_frontdesk/faults`:
- `POST` `{"seed": 7, "rules": [{"service": "dynamodb", "kind": "throttle", "share": 0.3}]}`
  replaces the rules; `DELETE` clears them; `GET` shows them and what was injected.
- service: `dynamodb` (the DynamoDB API, not its stream), `ses`, or `jwks`
  (Cognito's signing keys); `operations` narrows it (`["TransactWriteItems"]`).
- kind: `throttle` (DynamoDB ThrottlingException, SES Throttling, JWKS 429),
  `error` (a 500 from the service; 503 for JWKS), or `stall` (the request is
  applied, then its answer held `stallSeconds`: the client's read timeout).
- share: the fraction of matching calls that fail, drawn from a generator
  seeded by `seed`, so a run can be repeated; `count` caps how many.
Each call is one draw: botocore's own retries are separate calls, as they are
against AWS.
"""
from __future__ import annotations

import io
import json
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs

CONTROL_PATH = "/_frontdesk/faults"
SERVICES = ("dynamodb", "ses", "jwks")
KINDS = ("throttle", "error", "stall")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Answer = tuple[str, list[tuple[str, str]], bytes]


class FaultRuleInvalid(ValueError):
    pass


@dataclass(frozen=True)
class FaultRule:
    service: str
    kind: str
    share: float = 1.0
    operations: tuple[str, ...] = ()
    stall_seconds: float = 1.0
    count: int | None = None

    @classmethod
    def from_json(cls, raw: Any) -> FaultRule:
        if not isinstance(raw, dict):
            raise FaultRuleInvalid("each rule is an object")
        service, kind = raw.get("service"), raw.get("kind")
        if service not in SERVICES or kind not in KINDS:
            raise FaultRuleInvalid(f"service must be one of {SERVICES}, kind one of {KINDS}")
        share = raw.get("share", 1.0)
        if not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise FaultRuleInvalid("share must be a number from 0 to 1")
        stall = raw.get("stallSeconds", 1.0)
        if not isinstance(stall, (int, float)) or not 0 <= stall <= 60:
            raise FaultRuleInvalid("stallSeconds must be a number from 0 to 60")
        count = raw.get("count")
        if count is not None and (not isinstance(count, int) or count < 0):
            raise FaultRuleInvalid("count must be a whole number")
        operations = raw.get("operations", [])
        if not isinstance(operations, list) or not all(isinstance(o, str) for o in operations):
            raise FaultRuleInvalid("operations must be a list of names")
        return cls(service, kind, float(share), tuple(operations), float(stall), count)


@dataclass(frozen=True)
class Call:
    service: str | None
    operation: str


def classify(environ: dict[str, Any], body: Callable[[], bytes]) -> Call:
    """Which service and operation a request to moto's server is."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith("DynamoDB_20120810."):
        return Call("dynamodb", target.partition(".")[2])
    if environ.get("PATH_INFO", "").endswith("/.well-known/jwks.json"):
        return Call("jwks", "GetJwks")
    if "/ses/aws4_request" in environ.get("HTTP_AUTHORIZATION", ""):
        action = parse_qs(body().decode("utf-8", "replace")).get("Action", [""])[0]
        return Call("ses", action)
    return Call(None, "")


def fault_answer(service: str, kind: str) -> Answer:
    request_id = str(uuid.uuid4())
    if service == "dynamodb":
        code, status = (("ThrottlingException", "400 Bad Request") if kind == "throttle"
                        else ("InternalServerError", "500 Internal Server Error"))
        body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}",
                           "message": f"Injected by the local AWS ({kind})."}).encode()
        return status, [("Content-Type", "application/x-amz-json-1.0"),
                        ("x-amzn-RequestId", request_id)], body
    if service == "ses":
        code, status = (("Throttling", "400 Bad Request") if kind == "throttle"
                        else ("InternalFailure", "500 Internal Server Error"))
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
                f"<Message>Injected by the local AWS ({kind}).</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        return status, [("Content-Type", "text/xml")], body
    status = "429 Too Many Requests" if kind == "throttle" else "503 Service Unavailable"
    return status, [("Content-Type", "text/plain")], b"Injected by the local AWS.\n"


class FaultPlan:
    """The rules in force, the seeded draws, and a count of what was injected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._spent: Counter[int] = Counter()
        self._random = random.Random(0)  # noqa: S311 (seeded on purpose: a run repeats)
        self.injected: Counter[str] = Counter()

    def configure(self, rules: list[FaultRule], seed: int = 0) -> None:
        with self._lock:
            self._rules, self._spent = list(rules), Counter()
            self._random = random.Random(seed)  # noqa: S311 (seeded on purpose)
            self.injected = Counter()

    def clear(self) -> None:
        self.configure([])

    def draw(self, call: Call) -> FaultRule | None:
        with self._lock:
            for index, rule in enumerate(self._rules):
                if rule.service != call.service or (rule.operations
                                                    and call.operation not in rule.operations):
                    continue
                if rule.count is not None and self._spent[index] >= rule.count:
                    continue
                if self._random.random() >= rule.share:
                    continue  # spared by this rule; a later one may still apply
                self._spent[index] += 1
                self.injected[f"{rule.service}.{rule.kind}"] += 1
                return rule
            return None

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {"rules": [asdict(rule) for rule in self._rules],
                    "injected": dict(self.injected)}


class FaultInjector:
    def __init__(self, app: WsgiApp, plan: FaultPlan, *,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._app = app
        self.plan = plan
        self._sleep = sleep

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == CONTROL_PATH:
            return self._control(environ, start_response)
        cached: list[bytes] = []

        def body() -> bytes:
            if not cached:
                cached.append(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
                environ["wsgi.input"] = io.BytesIO(cached[0])
            return cached[0]

        rule = self.plan.draw(classify(environ, body))
        if rule is None:
            return self._app(environ, start_response)
        if rule.kind == "stall":
            # Applied, then answered late: the caller cannot tell whether it was.
            answer = list(self._app(environ, start_response))
            self._sleep(rule.stall_seconds)
            return answer
        status, headers, payload = fault_answer(rule.service, rule.kind)
        start_response(status, [*headers, ("Content-Length", str(len(payload)))])
        return [payload]

    def _control(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        status = "200 OK"
        if method == "POST":
            try:
                raw = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
                if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list):
                    raise FaultRuleInvalid('send {"rules": [...], "seed": n}')
                seed = raw.get("seed", 0)
                if not isinstance(seed, int):
                    raise FaultRuleInvalid("seed must be a whole number")
                self.plan.configure([FaultRule.from_json(r) for r in raw["rules"]], seed)
            except ValueError as error:  # FaultRuleInvalid, or JSON that does not parse
                return _json(start_response, "400 Bad Request", {"message": str(error)})
        elif method == "DELETE":
            self.plan.clear()
        elif method != "GET":
            status = "405 Method Not Allowed"
        return _json(start_response, status, self.plan.describe())


def _json(start_response: Callable[..., Any], status: str, body: Any) -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(payload)))])
    return [payload]
