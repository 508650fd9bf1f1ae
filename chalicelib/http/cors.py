"""CORS for several origins, decided per request.

Chalice's CORSConfig holds one static origin and API Gateway answers its
preflights with static headers, so neither can serve a list of origins.
Frontdesk answers preflights in the Lambda instead (an OPTIONS route on every
path) and adds the response headers in one place, `http.pipeline`.
"""
from __future__ import annotations

from typing import Any

import msgspec

# Every request header a route reads (its @responds `headers`) must be here, or
# a browser's preflight refuses it (tests/http/test_cors.py holds the two together).
ALLOW_HEADERS = ("Content-Type", "Authorization", "X-Api-Key", "Idempotency-Key", "If-Match",
                 "If-None-Match")
EXPOSE_HEADERS = ("X-Request-Id", "ETag", "Location", "Retry-After", "Link", "Content-Disposition")
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_EXPOSE_HEADERS_VALUE = ", ".join(EXPOSE_HEADERS)


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says why).
class CorsPolicy(msgspec.Struct, frozen=True):
    allowed_origins: tuple[str, ...]
    max_age_seconds: int = 600

    def allows(self, origin: str | None) -> bool:
        if not origin:
            return False
        return "*" in self.allowed_origins or origin in self.allowed_origins

    def response_headers(self, origin: str | None) -> dict[str, str]:
        headers: dict[str, str] = {}
        self.add_response_headers(headers, origin)
        return headers

    def add_response_headers(self, headers: dict[str, Any], origin: str | None) -> None:
        """response_headers(origin), written into `headers` (on every response:
        no dict built and merged)."""
        # Vary goes on every response, allowed or not, so a shared cache never
        # hands one origin's answer to another.
        headers["Vary"] = "Origin"
        if self.allows(origin):
            assert origin is not None
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Expose-Headers"] = _EXPOSE_HEADERS_VALUE

    def preflight_headers(self, origin: str | None, methods: tuple[str, ...]) -> dict[str, str]:
        headers = self.response_headers(origin)
        headers.pop("Access-Control-Expose-Headers", None)
        if "Access-Control-Allow-Origin" in headers:
            headers["Access-Control-Allow-Methods"] = ", ".join((*methods, "OPTIONS"))
            headers["Access-Control-Allow-Headers"] = ", ".join(ALLOW_HEADERS)
            headers["Access-Control-Max-Age"] = str(self.max_age_seconds)
        return headers
