"""Make any attempt to leave this machine fail loudly.

Installed for the whole test session by conftest.py. Only loopback is
reachable: moto's server and the local stack. A test that builds a boto3
client without the local endpoint gets RealNetworkBlocked, not a timeout.
The guard itself is devstack/offline.py, which the rehearsal uses too.
"""
from __future__ import annotations

from devstack import offline
from devstack.offline import LOOPBACK, RealNetworkBlocked

__all__ = ["LOOPBACK", "RealNetworkBlocked", "install"]


def install() -> None:
    offline.install(offline.is_loopback)
