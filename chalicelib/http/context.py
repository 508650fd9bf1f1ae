"""Per-request values that code deep in the call stack may need (logs, errors).

Context variables rather than globals: `chalice local` serves requests on
threads, and each request must see only its own values.
"""
from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
# True while the first request of a Lambda container (or local process) runs.
cold_start: ContextVar[bool] = ContextVar("cold_start", default=False)
