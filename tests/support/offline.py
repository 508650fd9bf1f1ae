"""Make any attempt to leave this machine fail loudly.

Installed for the whole test session by conftest.py. Only loopback is
reachable: moto's server and the local stack. A test that builds a boto3
client without the local endpoint gets RealNetworkBlocked, not a timeout.
"""
from __future__ import annotations

import socket
from typing import Any

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class RealNetworkBlocked(RuntimeError):
    """RuntimeError, not OSError, so neither urllib3 nor botocore retries or wraps it."""


_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect


def _check(host: Any) -> None:
    if isinstance(host, (bytes, bytearray)):
        host = host.decode()
    if host not in LOOPBACK:
        raise RealNetworkBlocked(
            f"tests are offline: something tried to reach {host!r}. Point it at the "
            f"moto server (AWS_ENDPOINT_URL) instead.")


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    _check(host)
    return _real_getaddrinfo(host, *args, **kwargs)


def _connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address[0])
    return _real_connect(self, address)


def install() -> None:
    socket.getaddrinfo = _getaddrinfo
    socket.socket.connect = _connect  # type: ignore[method-assign]
