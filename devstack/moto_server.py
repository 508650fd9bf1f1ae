"""moto's server as the local AWS, with what it lacks for a stack that runs all day.

From the outside in, each request passes:
1. FaultInjector (devstack/faults.py): fails a share of calls when a test asks.
2. One request at a time. Real DynamoDB applies each request atomically; moto
   does not lock, so two concurrent transactions could check the same
   condition and both succeed. Serializing requests gives the local stack (and
   the tests, which assert "two concurrent creates, exactly one wins")
   DynamoDB's per-request atomicity. Connections are still accepted concurrently.
3. TransactionTokens (devstack/client_tokens.py): ClientRequestToken honoured.
4. moto, with its DynamoDB patched (devstack/moto_parity.py) and its usage plans
   kept as API Gateway keeps them (devstack/moto_usage_plans.py).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from devstack import moto_parity, moto_usage_plans
from devstack.client_tokens import TransactionTokens
from devstack.faults import FaultInjector, FaultPlan


class _OneRequestAtATime:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            return list(self._app(environ, start_response))


class LocalAwsServer:
    def __init__(self, host: str, port: int) -> None:
        moto_parity.install()
        moto_usage_plans.install()
        self.faults = FaultPlan()
        app = FaultInjector(_OneRequestAtATime(TransactionTokens(
            DomainDispatcherApplication(create_backend_app))), self.faults)
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> LocalAwsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
