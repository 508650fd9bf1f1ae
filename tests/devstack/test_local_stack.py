"""Start the real local stack (`python -m devstack`, what `make dev` runs) on
free ports, use it over real HTTP, stop it, and check nothing is left behind."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.ports import free_port

PROJECT_DIR = Path(__file__).resolve().parents[2]


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def request(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Any:
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        return urllib.request.urlopen(req, timeout=5)
    except urllib.error.HTTPError as error:
        return error


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict[str, Any]]:
    ports = {"API_PORT": free_port(), "AWS_PORT": free_port(), "WEB_PORT": free_port()}
    stack_file = tmp_path / "stack.json"
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "STACK_FILE": str(stack_file)}
    for name in ("AWS_ENDPOINT_URL", "STAGE", "TABLE_NAME", "USER_POOL_ID", "ALLOWED_ORIGINS"):
        env.pop(name, None)  # the stack sets its own, as on a developer's machine
    process = subprocess.Popen([sys.executable, "-m", "devstack"], cwd=PROJECT_DIR, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while not stack_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"local stack did not start:\n{process.communicate()[0]}")
        time.sleep(0.1)
    info = json.loads(stack_file.read_text())
    yield {"process": process, "ports": ports, "info": info, "stack_file": stack_file}
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_local_stack_serves_and_stops_cleanly(stack: dict[str, Any], stop_signal: int) -> None:
    info, ports = stack["info"], stack["ports"]
    for key in ("apiUrl", "awsEndpoint", "region", "userPoolId", "userPoolClientId", "tableName",
                "allowedOrigins", "users", "apiKey"):
        assert info[key], key
    assert {u["username"] for u in info["users"]} == {
        "admin@example.com", "user@example.com", "mfa-admin@example.com"}
    assert info["apiUrl"] == f"http://127.0.0.1:{ports['API_PORT']}"
    web_origin = f"http://127.0.0.1:{ports['WEB_PORT']}"
    assert web_origin in info["allowedOrigins"]

    health = request(info["apiUrl"] + "/health", headers={"Origin": web_origin})
    assert health.status == 200
    assert json.loads(health.read()) == {"ok": True}
    assert health.headers.get_all("Access-Control-Allow-Origin") == [web_origin]

    preflight = request(info["apiUrl"] + "/health", method="OPTIONS",
                        headers={"Origin": web_origin, "Access-Control-Request-Method": "GET"})
    assert preflight.status == 204
    assert preflight.headers.get_all("Access-Control-Allow-Origin") == [web_origin]

    missing = request(info["apiUrl"] + "/nowhere", headers={"Origin": web_origin})
    assert missing.status == 404
    assert json.loads(missing.read())["error"]["code"] == "not_found"

    process = stack["process"]
    process.send_signal(stop_signal)
    assert process.wait(timeout=15) == 0
    for port in stack["ports"].values():
        assert not port_is_open(port), f"port {port} still served after stop"
    assert not stack["stack_file"].exists()
