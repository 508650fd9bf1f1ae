"""Behind API Gateway the Cognito authorizer has verified the token and passes
its claims, flattened to strings. These run the guard in that mode."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.auth.guard import AccessGuard
from chalicelib.auth.identity import parse_groups
from chalicelib.auth.roles import Role
from chalicelib.http.errors import Forbidden, Unauthorized
from chalicelib.platform.config import Settings
from tests.support.deployed import deployed_environment

DEPLOYED = AccessGuard(verifier=None)


def request(claims: dict[str, Any] | None, headers: dict[str, str] | None = None) -> Any:
    context: dict[str, Any] = {"resourcePath": "/users"}
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    return SimpleNamespace(context=context, headers=headers or {})


def claims(groups: Any) -> dict[str, Any]:
    return {"sub": "abc", "email": "A@Example.com", "token_use": "id", "cognito:groups": groups}


@pytest.mark.parametrize("groups,expected", [
    (["admin", "editors"], ("admin", "editors")),
    ("admin,editors", ("admin", "editors")),
    ("[admin editors]", ("admin", "editors")),
    ("[admin, editors]", ("admin", "editors")),
    ("admin", ("admin",)),
    (" admin,, editors\t", ("admin", "editors")),
    ("[admin\u2003editors]", ("admin", "editors")),  # any Unicode whitespace separates
    ("[]", ()),
    ("", ()),
    (None, ()),
])
def test_groups_arrive_as_lists_or_strings(groups: Any, expected: tuple[str, ...]) -> None:
    assert parse_groups(groups) == expected


@pytest.mark.parametrize("groups", ["admin,editors", "[editors admin]", ["admin"]])
def test_the_admin_group_in_any_form_is_admin(groups: Any) -> None:
    identity = DEPLOYED.check(Role.ADMIN, request(claims(groups)))
    assert identity is not None and identity.email == "a@example.com"


@pytest.mark.parametrize("groups", ["admins", "superadmin", "not-admin", "[admins editors]",
                                    "administrators", ""])
def test_groups_that_merely_contain_admin_are_not_admin(groups: str) -> None:
    with pytest.raises(Forbidden):
        DEPLOYED.check(Role.ADMIN, request(claims(groups)))


def test_a_protected_route_without_claims_is_refused_not_trusted() -> None:
    with pytest.raises(Unauthorized):
        DEPLOYED.check(Role.SIGNED_IN, request(None, {"authorization": "Bearer whatever"}))


def test_access_token_claims_are_refused() -> None:
    with pytest.raises(Unauthorized):
        DEPLOYED.check(Role.SIGNED_IN, request({**claims("admin"), "token_use": "access"}))


def test_an_undeclared_role_is_refused() -> None:
    with pytest.raises(Forbidden):
        DEPLOYED.check(None, request(claims("admin")))


def test_deployed_service_routes_trust_the_usage_plan() -> None:
    assert DEPLOYED.check(Role.SERVICE, request(None)) is None


@pytest.mark.parametrize("env,behind", [
    ({"STAGE": "local", "AWS_LAMBDA_FUNCTION_NAME": "frontdesk-local"}, False),
    ({"STAGE": "dev"}, False),
    (deployed_environment("dev"), True),
    (deployed_environment("prod"), True),
])
def test_tokens_are_verified_in_app_unless_in_a_deployed_lambda(env: dict[str, str],
                                                                 behind: bool) -> None:
    assert Settings.from_env(env).behind_api_gateway is behind


def test_local_stage_without_a_pool_refuses_every_token() -> None:
    guard = AccessGuard.from_settings(Settings.from_env({"STAGE": "local"}))
    with pytest.raises(Unauthorized):
        guard.check(Role.SIGNED_IN, request(None, {"authorization": "Bearer a.b.c"}))


def test_local_stage_without_a_key_refuses_every_api_key() -> None:
    guard = AccessGuard.from_settings(Settings.from_env({"STAGE": "local"}))
    with pytest.raises(Forbidden):
        guard.check(Role.SERVICE, request(None, {"x-api-key": ""}))


@pytest.mark.parametrize("claim,verified", [(True, True), ("true", True), ("True", True),
                                            (False, False), ("false", False), (None, False)])
def test_email_verified_arrives_as_a_boolean_or_a_string(claim: Any, verified: bool) -> None:
    identity = DEPLOYED.check(Role.SIGNED_IN, request({**claims("admin"), "email_verified": claim}))
    assert identity is not None and identity.email_verified is verified
