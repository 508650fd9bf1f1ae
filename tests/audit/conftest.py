from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.dashboard.conftest import message_id, services, submit, visitor

__all__ = ["message_id", "services", "submit", "visitor"]


@pytest.fixture
def audit_log(client: Any, as_admin: dict[str, str]) -> Callable[..., dict[str, Any]]:
    """GET /dashboard/audit with these query parameters: its 200 body."""
    def read(**query: str) -> dict[str, Any]:
        path = "/dashboard/audit" + (f"?{urlencode(query)}" if query else "")
        response = client.get(path, headers=as_admin)
        assert response.status_code == 200, response.json_body
        return dict(response.json_body)
    return read
