"""The real local stack (`python -m devstack`, what `make dev` runs) on free
ports, in its own process, as a developer's machine has it."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.ports import free_port

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Set by the test session for its in-process world; a stack sets its own.
NOT_INHERITED = ("AWS_ENDPOINT_URL", "STAGE", "TABLE_NAME", "USER_POOL_ID", "ALLOWED_ORIGINS",
                 "CONTACT_RATE_LIMIT", "CAPTCHA_PROVIDER", "CHAT_FORMAT")


@dataclass
class RunningStack:
    process: subprocess.Popen[str]
    ports: dict[str, int]
    info: dict[str, Any]
    stack_file: Path
    env: dict[str, str]


def stack_env(stack_file: Path, ports: dict[str, int], **extra: str) -> dict[str, str]:
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "STACK_FILE": str(stack_file)}
    for name in NOT_INHERITED:
        env.pop(name, None)
    return {**env, **extra}


@contextmanager
def running_stack(directory: Path, **extra: str) -> Iterator[RunningStack]:
    ports = {"API_PORT": free_port(), "AWS_PORT": free_port(), "WEB_PORT": free_port()}
    stack_file = directory / "stack.json"
    env = stack_env(stack_file, ports, **extra)
    log = directory / "stack.log"  # a file, not a pipe: an unread pipe fills and blocks the stack
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "devstack"], cwd=PROJECT_DIR, env=env,
                                   stdout=output, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not stack_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(f"local stack did not start:\n{log.read_text()}")
        time.sleep(0.1)
    try:
        yield RunningStack(process, ports, json.loads(stack_file.read_text()), stack_file, env)
    finally:
        if process.poll() is None:  # stopped as Ctrl-C would, killed if it hangs
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Reply:
    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(url: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None,
         timeout: float = 15) -> Reply:
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json"} if data is not None else {}
    request = urllib.request.Request(url, method=method, data=data,
                                     headers={**all_headers, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read())


def sent_mail(aws_endpoint: str) -> list[dict[str, Any]]:
    """Every message moto's SES accepted."""
    messages: list[dict[str, Any]] = call(f"{aws_endpoint}/moto-api/data.json").json()["ses"]["Message"]
    return messages
