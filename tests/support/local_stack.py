"""The real local stack (`python -m devstack`, what `make dev` runs) on free
ports, in its own process, as a developer's machine has it."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devstack.launch import LaunchedStack, StackDidNotStart, launch, stop

# One stack, one process: devstack/launch.py starts and stops it.
RunningStack = LaunchedStack


@contextmanager
def running_stack(directory: Path, **extra: str) -> Iterator[RunningStack]:
    try:
        stack = launch(directory, **extra)
    except StackDidNotStart as failed:
        pytest.fail(str(failed))
    try:
        yield stack
    finally:
        stop(stack.process)


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
    # All of moto's state, serialized: slow on a loaded machine.
    messages: list[dict[str, Any]] = call(f"{aws_endpoint}/moto-api/data.json",
                                          timeout=60).json()["ses"]["Message"]
    return messages
