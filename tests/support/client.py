from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chalice import Chalice
from chalice.test import Client

from devstack.gateway import ParityGateway


@contextmanager
def parity_client(app: Chalice, stage: str = "local") -> Iterator[Any]:
    """chalice.test.Client's HTTP client, behind the gateway `make dev` uses."""
    with Client(app, stage_name=stage) as chalice_client:
        http = chalice_client.http
        # The test client builds Chalice's stock LocalGateway (private attribute,
        # no public hook); swap in the parity gateway so tests see what
        # developers see.
        http._local_gateway = ParityGateway(app, http._config)
        yield http
