from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.users.store import UserStore
from tests.conftest import JSON, LocalAws


@pytest.fixture
def store(local_aws: LocalAws, fresh_table: str) -> UserStore:
    return UserStore(local_aws.session.client("dynamodb"), fresh_table)


@pytest.fixture
def create(client: Any, as_admin: dict[str, str]) -> Callable[..., Any]:
    def create_user(**body: Any) -> Any:
        import json

        return client.post("/users", headers={**as_admin, **JSON}, body=json.dumps(body).encode())
    return create_user
