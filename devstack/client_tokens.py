"""ClientRequestToken on TransactWriteItems, as DynamoDB honours it and moto does not.

botocore fills the token itself and reuses it when it retries (after a read
timeout, say). DynamoDB answers a repeat of a successful transaction within
10 minutes with the same success, without applying it again; the same token
with a different request is IdempotentParameterMismatchException. moto
ignores the token, so the retry of a transaction that was applied fails its
own condition: a user just created answered 409.

A WSGI layer in front of moto: it sees whole requests and answers, so moto's
models stay untouched. Runs inside the one-request-at-a-time lock.
"""
from __future__ import annotations

import hashlib
import io
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

TRANSACT_WRITE_TARGET = "DynamoDB_20120810.TransactWriteItems"
TOKEN_LIFETIME_SECONDS = 10 * 60

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class _Answer:
    request_digest: str
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    at: float


def mismatch_answer() -> tuple[str, list[tuple[str, str]], bytes]:
    body = json.dumps({
        "__type": "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
        "message": "The request uses the same client token as a previous, but non-identical "
                   "request."}).encode()
    return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"),
                               ("Content-Length", str(len(body)))], body


class TransactionTokens:
    def __init__(self, app: WsgiApp, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._app = app
        self._clock = clock
        self._answers: OrderedDict[str, _Answer] = OrderedDict()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET") != TRANSACT_WRITE_TARGET:
            return self._app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            request = json.loads(body)
            token = request.pop("ClientRequestToken", None)
        except (ValueError, AttributeError):
            return self._app(environ, start_response)  # moto answers what it cannot parse
        if not isinstance(token, str):
            return self._app(environ, start_response)
        self._forget_expired()
        digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
        earlier = self._answers.get(token)
        if earlier is not None:
            if earlier.request_digest != digest:
                status, headers, answer = mismatch_answer()
                start_response(status, headers)
                return [answer]
            start_response(earlier.status, earlier.headers)
            return [earlier.body]
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            captured.update(status=status, headers=list(headers))
            return start_response(status, headers, *args)

        answer = b"".join(self._app(environ, capture))
        if captured.get("status", "").startswith("200"):
            # Only a success is remembered: DynamoDB applies a retry of a
            # cancelled transaction afresh.
            self._answers[token] = _Answer(digest, captured["status"], captured["headers"],
                                           answer, self._clock())
        return [answer]

    def _forget_expired(self) -> None:
        now = self._clock()
        while self._answers:
            token, answer = next(iter(self._answers.items()))
            if now - answer.at < TOKEN_LIFETIME_SECONDS:
                break
            del self._answers[token]
