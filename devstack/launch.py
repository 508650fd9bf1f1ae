"""The local stack (`python -m devstack`, what `make dev` runs) started in its
own process on free ports, as tools other than `make dev` need it: the tests
that use it over HTTP (tests/support/local_stack.py) and `make soak`."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.platform.branding import ENVIRONMENT
from devstack.stack import PROJECT_DIR

# What a caller's own environment may hold for an in-process stack of its own
# (the test session sets these); the launched stack sets its own.
NOT_INHERITED = ("AWS_ENDPOINT_URL", "STAGE", "TABLE_NAME", "ATTACHMENTS_BUCKET", "USER_POOL_ID",
                 "ALLOWED_ORIGINS",
                 "CONTACT_RATE_LIMIT", "CAPTCHA_PROVIDER", "CHAT_FORMAT", "AKISMET_BLOG",
                 *ENVIRONMENT)
START_SECONDS = 60
PORT_ATTEMPTS = 3
# What the stack says when a port was taken: found taken at start (PortTaken),
# or taken between that check and the server's bind.
PORT_TAKEN = ("is already in use: set", "Address already in use")


class StackDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LaunchedStack:
    process: subprocess.Popen[str]
    ports: dict[str, int]
    info: dict[str, Any]
    stack_file: Path
    env: dict[str, str]
    log: Path


def stack_env(stack_file: Path, ports: dict[str, int], **extra: str) -> dict[str, str]:
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "STACK_FILE": str(stack_file)}
    for name in NOT_INHERITED:
        env.pop(name, None)
    return {**env, **extra}


def launch(directory: Path, **extra: str) -> LaunchedStack:
    """Start a stack whose files (stack.json, stack.log, metrics.jsonl) are in
    `directory`, with `extra` in its environment; returns once it is serving.
    A port found free can be taken by another process before the stack binds it:
    then the stack says so (PortTaken) and is started again on other ports."""
    for attempt in range(PORT_ATTEMPTS):
        try:
            return _launch_once(directory, **extra)
        except _PortRace:
            if attempt == PORT_ATTEMPTS - 1:
                raise StackDidNotStart(f"the local stack found no free ports in {PORT_ATTEMPTS} "
                                       f"tries:\n{(directory / 'stack.log').read_text()}") from None
    raise AssertionError("unreachable")


class _PortRace(Exception):
    pass


def _launch_once(directory: Path, **extra: str) -> LaunchedStack:
    ports = {"API_PORT": free_port(), "AWS_PORT": free_port(), "WEB_PORT": free_port(),
             "FILES_PORT": free_port()}
    stack_file = directory / "stack.json"
    env = stack_env(stack_file, ports, **extra)
    log = directory / "stack.log"  # a file, not a pipe: an unread pipe fills and blocks the stack
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "devstack"], cwd=PROJECT_DIR, env=env,
                                   stdout=output, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + START_SECONDS
    while not stack_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            if any(sign in log.read_text() for sign in PORT_TAKEN):
                raise _PortRace
            raise StackDidNotStart(f"the local stack did not start:\n{log.read_text()}")
        time.sleep(0.1)
    return LaunchedStack(process, ports, json.loads(stack_file.read_text()), stack_file, env, log)


def stop(process: subprocess.Popen[str], signum: int = signal.SIGTERM,
         timeout: float = 15) -> float:
    """Stop the stack as Ctrl-C (SIGINT) or SIGTERM would, killing it if it
    hangs; returns the seconds it took."""
    began = time.monotonic()
    if process.poll() is None:
        process.send_signal(signum)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return time.monotonic() - began
