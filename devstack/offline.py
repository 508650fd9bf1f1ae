"""Make any attempt to reach what must not be reached fail loudly, in this process.

One guard, two policies:
- the tests (tests/conftest.py): only loopback, i.e. moto's server and the
  local stack;
- the rehearsal (devstack/rehearsal) and every Python process it starts: no
  AWS endpoint, whatever the credentials. It deploys for real into a private
  moto, so it needs the package index `chalice deploy` fetches Lambda wheels
  from, but never AWS.
A blocked attempt raises RealNetworkBlocked, not a timeout.
"""
from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
# Every AWS endpoint's host ends in one of these (partitions aws, aws-cn, dual-stack).
AWS_DOMAINS = ("amazonaws.com", "amazonaws.com.cn", "api.aws", "amazonaws.eu")


class RealNetworkBlocked(RuntimeError):
    """RuntimeError, not OSError, so neither urllib3 nor botocore retries or wraps it."""


def is_loopback(host: str) -> bool:
    return host in LOOPBACK


def is_not_aws(host: str) -> bool:
    host = host.lower().rstrip(".")
    return not any(host == d or host.endswith(f".{d}") for d in AWS_DOMAINS)


_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect


def install(allowed: Callable[[str], bool] = is_loopback,
            refusal: str = "tests are offline: something tried to reach {host!r}. Point it at "
                           "the moto server (AWS_ENDPOINT_URL) instead.",
            check_addresses: bool = True) -> None:
    """`check_addresses`: judge connections by address too, not only names
    (the tests' loopback policy; an AWS address cannot be told by its number)."""
    def check(host: Any) -> None:
        if isinstance(host, (bytes, bytearray)):
            host = host.decode()
        if not allowed(str(host)):
            raise RealNetworkBlocked(refusal.format(host=host))

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None:
            check(host)
        return _real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> Any:
        if check_addresses and self.family in (socket.AF_INET, socket.AF_INET6):
            check(address[0])
        return _real_connect(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[method-assign,assignment]


def install_no_aws() -> None:
    install(is_not_aws, "the rehearsal never reaches AWS: something tried to reach {host!r}. "
                        "Point it at the private moto (AWS_ENDPOINT_URL) instead.",
            check_addresses=False)
