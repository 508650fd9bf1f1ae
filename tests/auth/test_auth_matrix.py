"""Every protected route against every kind of caller. Tokens come from the
mocked user pool; the forged and expired ones are made deliberately."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.auth.roles import Role, role_of
from chalicelib.http.routing import not_routed
from tests.conftest import TEST_API_KEY, TEST_ORIGIN
from tests.support.cognito import (
    Tokens,
    claims_of,
    expired,
    signed_by_pool_key,
    token_signed_by_another_key,
    unsigned_token,
)

SOME_ID = "01JD0000000000000000000000"
PASSWORD = "Str0ng-Passw0rd!"


def protected_routes() -> list[tuple[str, str, Role]]:
    import app as app_module  # imported by the session fixtures before collection runs tests

    return sorted((method, path.replace("{user_id}", SOME_ID).replace("{message_id}", SOME_ID)
                   .replace("{form_id}", "some-form"),
                   role_of(entry.view_function))
                  for path, entries in app_module.app.routes.items()
                  for method, entry in entries.items()
                  if entry.view_function is not not_routed
                  and role_of(entry.view_function) is not Role.PUBLIC)


@pytest.fixture(scope="session")
def callers(tokens: Tokens, admin_token: str, user_token: str,
            demo_users: dict[str, Any]) -> dict[str, dict[str, str]]:
    for group in ("admins", "superadmin", "not-admin"):
        tokens.create_user(f"{group}@example.com", PASSWORD, (group,))
    admin_claims = claims_of(admin_token)
    admin = demo_users["admin"]

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    return {
        "no token": {},
        "malformed header": {"Authorization": "garbage"},
        "empty bearer": {"Authorization": "Bearer "},
        "basic auth": {"Authorization": "Basic YWRtaW46cGFzcw=="},
        "three dots": bearer("a.b.c"),
        "alg none": bearer(unsigned_token(admin_claims)),
        "wrong key": bearer(token_signed_by_another_key(admin_claims)),
        "expired": bearer(signed_by_pool_key(expired(admin_claims))),
        "wrong audience": bearer(signed_by_pool_key({**admin_claims, "aud": "another-client"})),
        "wrong issuer": bearer(signed_by_pool_key({**admin_claims, "iss": "https://evil.test/x"})),
        "access token": bearer(tokens.access_token(admin["username"], admin["password"])),
        "plain user": bearer(user_token),
        "group admins": bearer(tokens.id_token("admins@example.com", PASSWORD)),
        "group superadmin": bearer(tokens.id_token("superadmin@example.com", PASSWORD)),
        "group not-admin": bearer(tokens.id_token("not-admin@example.com", PASSWORD)),
        "admin": bearer(admin_token),
        "admin, bare token": {"Authorization": admin_token},
        "api key right": {"X-Api-Key": TEST_API_KEY},
        "api key wrong": {"X-Api-Key": TEST_API_KEY[:-1] + "x"},
        "api key empty": {"X-Api-Key": ""},
    }


def expected_status(role: Role, caller: str) -> int | None:
    """401/403 for refusals; None means 'let through' (the route then answers)."""
    if role is Role.SERVICE:
        return None if caller == "api key right" else 403
    if caller in ("plain user", "group admins", "group superadmin", "group not-admin"):
        return 403 if role is Role.ADMIN else None
    if caller in ("admin", "admin, bare token"):
        return None
    return 401


CALLERS = ["no token", "malformed header", "empty bearer", "basic auth", "three dots", "alg none",
           "wrong key", "expired", "wrong audience", "wrong issuer", "access token", "plain user",
           "group admins", "group superadmin", "group not-admin", "admin", "admin, bare token",
           "api key right", "api key wrong", "api key empty"]


@pytest.mark.parametrize("caller", CALLERS)
def test_every_protected_route_refuses_or_admits(client: Any, callers: dict[str, Any],
                                                 caller: str) -> None:
    routes = protected_routes()
    assert len(routes) >= 8
    for method, path, role in routes:
        headers = {**callers[caller], "Origin": TEST_ORIGIN, "Content-Type": "application/json"}
        response = client.request(method, path, headers=headers,
                                  body=b"{}" if method in ("POST", "PATCH", "PUT") else b"")
        expected = expected_status(role, caller)
        where = f"{caller}: {method} {path} -> {response.status_code} {response.body[:200]!r}"
        if expected is None:
            assert response.status_code not in (401, 403), where
        else:
            assert response.status_code == expected, where
            error = response.json_body["error"]
            assert error["code"] == {401: "unauthorized", 403: "forbidden"}[expected], where
            assert error["requestId"] == response.headers["X-Request-Id"]
        assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN, where
        assert response.headers["Cache-Control"] == "no-store", where


def test_a_preflight_on_a_protected_route_needs_no_auth(client: Any) -> None:
    response = client.request("OPTIONS", "/users", headers={
        "Origin": TEST_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"


def test_me_describes_the_caller(client: Any, admin_token: str, as_admin: dict[str, str]) -> None:
    response = client.get("/me", headers=as_admin)
    assert response.status_code == 200
    claims = claims_of(admin_token)
    assert response.json_body == {"sub": claims["sub"], "email": "admin@example.com",
                                  "groups": ["admin"], "user": None}


def test_me_includes_the_users_record_with_the_same_email(client: Any, user_token: str,
                                                          as_admin: dict[str, str]) -> None:
    created = client.post("/users", headers={**as_admin, "Content-Type": "application/json"},
                          body=b'{"name": "Plain User", "email": "USER@example.com"}')
    assert created.status_code == 201
    response = client.get("/me", headers={"Authorization": f"Bearer {user_token}"})
    assert response.status_code == 200
    assert response.json_body["groups"] == []
    assert response.json_body["user"] == created.json_body


def test_me_links_no_record_through_an_unverified_email(
        client: Any, tokens: Tokens, local_aws: Any, as_admin: dict[str, str]) -> None:
    """A user who changes their email to someone else's, without proving it, must
    not get that person's record."""
    created = client.post("/users", headers={**as_admin, "Content-Type": "application/json"},
                          body=b'{"name": "Victim", "email": "victim@example.com"}')
    assert created.status_code == 201
    tokens.create_user("mallory@example.com", PASSWORD)
    cognito = local_aws.session.client("cognito-idp")
    cognito.admin_update_user_attributes(
        UserPoolId=tokens.pool_id, Username="mallory@example.com",
        UserAttributes=[{"Name": "email", "Value": "victim@example.com"},
                        {"Name": "email_verified", "Value": "false"}])
    token = cognito.initiate_auth(
        ClientId=tokens.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "victim@example.com", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["IdToken"]
    assert claims_of(token)["email_verified"] == "false"
    response = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json_body["email"] == "victim@example.com"
    assert response.json_body["user"] is None


def test_an_access_token_is_told_to_send_the_id_token(client: Any, tokens: Tokens,
                                                      demo_users: dict[str, Any]) -> None:
    admin = demo_users["admin"]
    access_token = tokens.access_token(admin["username"], admin["password"])
    response = client.get("/me", headers={"Authorization": f"Bearer {access_token}"})
    assert response.status_code == 401
    assert response.json_body["error"]["message"] == "Send the ID token, not the access token."


@pytest.mark.parametrize("change", [{"aud": "another-client"}, {"aud": None},
                                    {"token_use": "refresh"}])
def test_an_id_token_for_another_client_or_use_is_invalid(client: Any, admin_token: str,
                                                          change: dict[str, Any]) -> None:
    claims = {k: v for k, v in {**claims_of(admin_token), **change}.items() if v is not None}
    response = client.get("/me", headers={"Authorization": f"Bearer {signed_by_pool_key(claims)}"})
    assert response.status_code == 401
    assert response.json_body["error"]["message"] == "The token is invalid or expired."
