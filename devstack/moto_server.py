"""moto's server as the local AWS, with what it lacks for a stack that runs all day.

From the outside in, each request passes:
1. FaultInjector (devstack/faults.py): fails a share of calls when a test asks.
2. One request at a time. Real DynamoDB applies each request atomically; moto
   does not lock, so two concurrent transactions could check the same
   condition and both succeed. Serializing requests gives the local stack (and
   the tests, which assert "two concurrent creates, exactly one wins")
   DynamoDB's per-request atomicity. Connections are still accepted concurrently.
   DynamoDB's TTL (devstack/moto_ttl.py) sweeps under the same lock, every
   minute when asked to, and on POST /moto-api/frontdesk/ttl-sweep.
3. TransactionTokens (devstack/client_tokens.py): ClientRequestToken honoured.
4. moto, with its DynamoDB patched (devstack/moto_parity.py) and its usage plans
   kept as API Gateway keeps them (devstack/moto_usage_plans.py).
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from devstack import moto_parity, moto_ttl, moto_usage_plans
from devstack.client_tokens import TransactionTokens
from devstack.faults import FaultInjector, FaultPlan


class _OneRequestAtATime:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            if environ.get("PATH_INFO") == moto_ttl.SWEEP_PATH and \
                    environ.get("REQUEST_METHOD") == "POST":
                deleted = moto_ttl.sweep_request(environ)
                start_response("200 OK", [("Content-Type", "application/json")])
                return [json.dumps({"deleted": deleted}).encode()]
            return list(self._app(environ, start_response))

    def sweep_ttl(self, now: float | None = None) -> int:
        with self._lock:
            return moto_ttl.sweep(now)


class LocalAwsServer:
    """`ttl_sweep_seconds`: how often DynamoDB's TTL is applied (None: only when asked)."""

    def __init__(self, host: str, port: int, *, ttl_sweep_seconds: float | None = None) -> None:
        moto_parity.install()
        moto_usage_plans.install()
        self.faults = FaultPlan()
        self._serial = _OneRequestAtATime(TransactionTokens(
            DomainDispatcherApplication(create_backend_app)))
        app = FaultInjector(self._serial, self.faults)
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._stopping = threading.Event()
        self._sweeper = None if ttl_sweep_seconds is None else threading.Thread(
            target=self._sweep_every, args=(ttl_sweep_seconds,), daemon=True)

    def _sweep_every(self, seconds: float) -> None:
        while not self._stopping.wait(seconds):
            self._serial.sweep_ttl()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> LocalAwsServer:
        self._thread.start()
        if self._sweeper is not None:
            self._sweeper.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
