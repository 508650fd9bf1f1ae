"""moto's server, with one difference: requests are applied one at a time.

Real DynamoDB applies each request atomically. moto does not lock: its
TransactWriteItems snapshots whole tables and restores them on failure, so two
concurrent transactions can check the same condition and both succeed, or one
can undo the other. Serializing requests gives the local stack (and the tests,
which assert "two concurrent creates, exactly one wins") DynamoDB's per-request
atomicity. Connections are still accepted concurrently.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Iterable

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server


class _OneRequestAtATime:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            return list(self._app(environ, start_response))


class LocalAwsServer:
    def __init__(self, host: str, port: int) -> None:
        self._server: BaseWSGIServer = make_server(
            host, port, _OneRequestAtATime(DomainDispatcherApplication(create_backend_app)),
            threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> "LocalAwsServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
