"""A stack of a test module's own, for tests that post more messages than the
contact form's rate limit lets the session's shared stack take from one
address. A module uses it by importing these three fixtures: they replace the
session's `stack`, `demo` and `admin_api` there (and so `admin_tab`'s)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import running_stack
from tests.e2e.support import Api, cognito_sign_in
from tests.support.cognito import demo_role


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with running_stack(tmp_path_factory.mktemp("own-stack"),
                       {"CONTACT_RATE_LIMIT": "1000"}) as info:
        yield info


@pytest.fixture(scope="module")
def demo(stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {demo_role(u): u for u in stack["users"]}


@pytest.fixture(scope="module")
def admin_api(stack: dict[str, Any], demo: dict[str, dict[str, Any]]) -> Api:
    tokens = cognito_sign_in(stack, demo["admin"]["username"], demo["admin"]["password"])
    return Api(stack["apiUrl"], tokens["IdToken"])
