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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.launch import START_SECONDS, stack_env, stop
from devstack.stack import PROJECT_DIR
from tests.support.local_stack import running_stack
from tests.support.ports import free_port


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
    with running_stack(tmp_path) as running:
        yield {"process": running.process, "ports": running.ports, "info": running.info,
               "stack_file": running.stack_file}


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_local_stack_serves_and_stops_cleanly(stack: dict[str, Any], stop_signal: int) -> None:
    info, ports = stack["info"], stack["ports"]
    for key in ("apiUrl", "awsEndpoint", "region", "userPoolId", "userPoolClientId", "tableName",
                "allowedOrigins", "users", "apiKey"):
        assert info[key], key
    assert {u["username"] for u in info["users"]} == {
        "admin@example.com", "user@example.com", "mfa-admin@example.com"}
    assert info["apiUrl"] == f"http://127.0.0.1:{ports['API_PORT']}"
    assert info["filesUrl"] == f"http://127.0.0.1:{ports['FILES_PORT']}"
    web_origin = f"http://127.0.0.1:{ports['WEB_PORT']}"
    assert set(info["allowedOrigins"]) == {web_origin, f"http://localhost:{ports['WEB_PORT']}"}

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
    # What the developer saw: readable request lines; the EMF went to a file beside stack.json.
    output = stack["stack_file"].with_name("stack.log").read_text()
    assert "GET /health  200  " in output and '"_aws"' not in output
    emf = [json.loads(line) for line in
           stack["stack_file"].with_name("metrics.jsonl").read_text().splitlines()]
    assert any(e.get("Route") == "GET /health" and e["Requests"] == [1.0] for e in emf)
    for port in stack["ports"].values():
        assert not port_is_open(port), f"port {port} still served after stop"
    assert not stack["stack_file"].exists()


def test_a_second_stack_on_a_taken_port_names_it_and_leaves_the_first_alone(
        stack: dict[str, Any]) -> None:
    before = stack["stack_file"].read_text()
    for variable in ("API_PORT", "AWS_PORT", "WEB_PORT", "FILES_PORT"):
        env = {**os.environ, "STACK_FILE": str(stack["stack_file"]),
               **{name: str(free_port()) for name in ("API_PORT", "AWS_PORT", "WEB_PORT",
                                                      "FILES_PORT")},
               variable: str(stack["ports"][variable])}
        second = subprocess.run([sys.executable, "-m", "devstack"], cwd=PROJECT_DIR, env=env,
                                capture_output=True, text=True, timeout=30)
        assert second.returncode != 0
        assert second.stdout == ""
        line, = second.stderr.splitlines()
        assert variable in line and str(stack["ports"][variable]) in line
        assert stack["stack_file"].read_text() == before
    assert request(stack["info"]["apiUrl"] + "/health").status == 200


def test_health_answers_only_once_the_stack_file_is_written(tmp_path: Path) -> None:
    """A script that polls /health and then reads .local/stack.json must find it."""
    ports = {name: free_port() for name in ("API_PORT", "AWS_PORT", "WEB_PORT", "FILES_PORT")}
    stack_file, log = tmp_path / "stack.json", tmp_path / "stack.log"
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "devstack"], cwd=PROJECT_DIR,
                                   env=stack_env(stack_file, ports), stdout=output,
                                   stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            try:
                with socket.create_connection(("127.0.0.1", ports["API_PORT"]), timeout=1) as sock:
                    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    status_line = sock.makefile("rb").readline()
            except OSError:
                time.sleep(0.002)
                continue
            if b" 200 " in status_line:
                written = stack_file.exists()
                break
        assert written
    finally:
        stop(process)


def test_a_port_taken_after_it_was_found_free_starts_the_stack_on_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Another process binds a port between free_port() and the stack's own bind
    # (tests running beside each other): the launch tries other ports.
    from devstack import launch

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1]])
        found_free = launch.free_port
        monkeypatch.setattr(launch, "free_port", lambda: next(ports, None) or found_free())
        started = launch.launch(tmp_path)
        try:
            assert taken.getsockname()[1] not in started.ports.values()
            assert request(started.info["apiUrl"] + "/health").status == 200
        finally:
            stop(started.process)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:
        return None


def test_form_html_is_the_api_s_site_page_under_the_site_s_headers(
        stack: dict[str, Any]) -> None:
    """As the deployed site's CloudFront routes it (infra/resources.yaml)."""
    info = stack["info"]
    web, api = info["webUrl"], info["apiUrl"]
    answer = request(f"{web}/form.html?utm_source=x&form=contact")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert answer.headers["Cache-Control"] == "public, max-age=60"
    # The site's CSP only: the API page's own is not passed on.
    [csp] = answer.headers.get_all("Content-Security-Policy")
    assert csp.startswith("default-src 'self'; script-src 'self'")
    assert answer.headers["X-Frame-Options"] == "DENY"
    page = answer.read().decode()
    assert f'<form method="post" action="{api}/forms/contact">' in page
    assert '<script type="module" src="js/form-page.js"></script>' in page
    assert f'value="{web}/thanks.html"' in page  # the _next the form posts

    # What a browser with JavaScript off then posts: straight to the API, back to the site.
    opener = urllib.request.build_opener(NoRedirect)
    post = urllib.request.Request(f"{api}/forms/contact", method="POST", data=(
        f"_next={web}/thanks.html&name=Ada&email=ada%40example.com&message=Hello+there"
    ).encode(), headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": web})
    try:
        opener.open(post, timeout=5)
        raise AssertionError("the post was not redirected")
    except urllib.error.HTTPError as redirected:
        assert (redirected.code, redirected.headers["Location"]) == (303, f"{web}/thanks.html")

    # A form nobody has, or none named: the site's own 404 page, as CloudFront answers.
    for query in ("form=no-such-form", "form=Bad", ""):
        missing = request(f"{web}/form.html?{query}")
        assert missing.status == 404
        assert "Page not found" in missing.read().decode()
    assert request(f"{web}/form.html?form=contact", method="HEAD").status == 200
