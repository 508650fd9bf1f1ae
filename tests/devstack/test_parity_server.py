"""The local server itself, over real HTTP: what a hostile or busy client
does to it must not drop connections or crash its handler."""
from __future__ import annotations

import functools
import http.client
import json
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from chalice.local import LocalDevServer

from devstack import gateway
from devstack.gateway import ParityRequestHandler
from tests.conftest import TEST_ORIGIN
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
    thread = threading.Thread(target=local.server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
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


def answer(port: int, request: bytes) -> http.client.HTTPResponse:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(request)
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response


def assert_is_the_apis(response: http.client.HTTPResponse, status: int, code: str) -> None:
    assert response.status == status
    assert json.loads(response.read())["error"]["code"] == code
    assert response.getheader("Access-Control-Allow-Origin") == TEST_ORIGIN
    assert response.getheader("X-Request-Id")
    assert response.getheader("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize("length,status,code", [
    ("abc", 400, "bad_request"), ("-5", 400, "bad_request"), ("99999999999", 413, "payload_too_large"),
    (str(11 * 1024 * 1024), 413, "payload_too_large"), ("1" * 40, 400, "bad_request")])
def test_a_bad_content_length_is_answered_in_the_apis_shape(server: int, length: str, status: int,
                                                            code: str) -> None:
    reply = answer(server, f"POST /contact HTTP/1.1\r\nHost: x\r\nOrigin: {TEST_ORIGIN}\r\n"
                           f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{}}"
                           .encode())
    assert_is_the_apis(reply, status, code)


def test_a_body_shorter_than_its_length_is_400_after_a_bounded_wait(
        server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gateway, "BODY_WAIT_SECONDS", 0.3)
    reply = answer(server, f"POST /contact HTTP/1.1\r\nHost: x\r\nOrigin: {TEST_ORIGIN}\r\n"
                           f"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{}}"
                           .encode())
    assert_is_the_apis(reply, 400, "bad_request")


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "BREW", "CONNECT"])
def test_any_method_is_answered_with_405_and_allow(server: int, method: str) -> None:
    reply = answer(server, f"{method} /health HTTP/1.1\r\nHost: x\r\nOrigin: {TEST_ORIGIN}\r\n"
                           f"Content-Length: 0\r\n\r\n".encode())
    assert reply.getheader("Allow") == "GET, OPTIONS"
    assert_is_the_apis(reply, 405, "method_not_allowed")


def test_an_unknown_method_on_an_unknown_path_is_404(server: int) -> None:
    reply = answer(server, f"TRACE /nowhere HTTP/1.1\r\nHost: x\r\nOrigin: {TEST_ORIGIN}\r\n\r\n"
                   .encode())
    assert_is_the_apis(reply, 404, "not_found")


def test_an_over_long_url_is_414(server: int) -> None:
    reply = answer(server, f"GET /health?q={'x' * 100_000} HTTP/1.1\r\nHost: x\r\n"
                           f"Origin: {TEST_ORIGIN}\r\n\r\n".encode())
    assert_is_the_apis(reply, 414, "uri_too_long")


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_header_line_over_64_kb_is_431_with_cors(server: int, where: str) -> None:
    origin, long_line = f"Origin: {TEST_ORIGIN}\r\n", f"X-Big: {'x' * 70_000}\r\n"
    headers = origin + long_line if where == "before" else long_line + origin
    reply = answer(server, f"GET /health HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
    assert_is_the_apis(reply, 431, "header_fields_too_large")


@pytest.mark.parametrize("where", ["before", "after"])
def test_more_than_100_headers_is_431_with_cors(server: int, where: str) -> None:
    origin, many = f"Origin: {TEST_ORIGIN}\r\n", "".join(f"X-H{n}: v\r\n" for n in range(120))
    headers = origin + many if where == "before" else many + origin
    reply = answer(server, f"GET /health HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
    assert_is_the_apis(reply, 431, "header_fields_too_large")


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
