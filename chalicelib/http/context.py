"""Per-request values that code deep in the call stack may need (logs, errors).

Context variables rather than globals: `chalice local` serves requests on
threads, and each request must see only its own values.
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any

request_id: ContextVar[str] = ContextVar("request_id", default="-")
# True while the first request of a Lambda container (or local process) runs.
cold_start: ContextVar[bool] = ContextVar("cold_start", default=False)


def client_ip(request_context: dict[str, Any] | None) -> str:
    """The caller's address as API Gateway saw it (not X-Forwarded-For, which
    the caller controls)."""
    identity = (request_context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def api_address(request_context: dict[str, Any] | None, host: str | None,
                route_path: str) -> str | None:
    """The API's own address as the caller reached it (no trailing slash), from
    a request for `route_path` (such as "/forms/quote"). API Gateway names its
    domain (HTTPS only) and the path with the stage in front; Chalice's local
    server names no domain and has no stage, so there its Host header (plain
    HTTP). None when the request does not say."""
    context = request_context or {}
    path = str(context.get("path") or "")
    if not path.endswith(route_path):
        return None
    base = path[:len(path) - len(route_path)]
    domain = context.get("domainName")
    if domain:
        return f"https://{domain}{base}"
    return f"http://{host}{base}" if host else None
