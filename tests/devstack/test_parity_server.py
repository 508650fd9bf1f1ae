"""The local server itself, over real HTTP: what a hostile or busy client
does to it must not drop connections or crash its handler."""
from __future__ import annotations

import functools
import http.client
import json
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator

import pytest
from chalice.local import LocalDevServer

from devstack.gateway import ParityRequestHandler
from tests.support.ports import free_port


@pytest.fixture
def server(frontdesk_app: Any, fresh_table: str) -> Iterator[int]:
    """The API as `make dev` serves it (parity handler, backlog raised)."""
    from chalice.cli.factory import CLIFactory

    from devstack.stack import PROJECT_DIR

    config = CLIFactory(str(PROJECT_DIR)).create_config_obj("local")
    port = free_port()
    local = LocalDevServer(frontdesk_app, config, "127.0.0.1", port,
                           handler_cls=functools.partial(ParityRequestHandler))  # type: ignore
    local.server.socket.listen(128)
    thread = threading.Thread(target=local.server.serve_forever, daemon=True)
    thread.start()
    yield port
    local.server.shutdown()
    local.server.server_close()


def raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        return b"".join(chunks)


@pytest.mark.parametrize("length,status", [("abc", b"400"), ("-5", b"400"),
                                           ("99999999999", b"413"), ("1" * 40, b"400")])
def test_a_bad_content_length_is_answered_not_dropped(server: int, length: str,
                                                      status: bytes) -> None:
    reply = raw(server, f"POST /contact HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                        f"\r\nContent-Length: {length}\r\n\r\n{{}}".encode())
    assert reply.startswith(b"HTTP/1.1 " + status), reply[:200]


def test_twenty_parallel_requests_all_get_answers(server: int) -> None:
    def health(_: int) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
        connection.request("GET", "/health")
        status = connection.getresponse().status
        connection.close()
        return status

    with ThreadPoolExecutor(20) as pool:
        assert list(pool.map(health, range(40))) == [200] * 40


def test_an_unknown_path_is_the_apps_404(server: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    connection.request("GET", "/nowhere", headers={"Origin": "http://localhost:8080"})
    response = connection.getresponse()
    assert response.status == 404
    assert json.loads(response.read())["error"]["code"] == "not_found"
    assert response.getheader("Access-Control-Allow-Origin") == "http://localhost:8080"


def test_a_204_carries_no_content_type(server: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    connection.request("OPTIONS", "/contact", headers={
        "Origin": "http://localhost:8080", "Access-Control-Request-Method": "POST"})
    response = connection.getresponse()
    assert response.status == 204
    assert response.getheader("Content-Type") is None
    assert response.read() == b""
    assert response.getheader("Access-Control-Allow-Origin") == "http://localhost:8080"
