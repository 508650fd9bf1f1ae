"""Per-request values that code deep in the call stack may need (logs, errors).

Context variables rather than globals: `chalice local` serves requests on
threads, and each request must see only its own values.
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any

request_id: ContextVar[str] = ContextVar("request_id", default="-")


def client_ip(request_context: dict[str, Any] | None) -> str:
    """The caller's address as API Gateway saw it (not X-Forwarded-For, which
    the caller controls)."""
    identity = (request_context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")
