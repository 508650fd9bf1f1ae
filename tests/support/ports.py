"""Free ports for servers the tests start (devstack/launch.py has the one way)."""
from devstack.launch import free_port

__all__ = ["free_port"]
