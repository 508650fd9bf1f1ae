"""Every route the app registers declares a role, and each role's routes are
exactly the expected table. Nothing becomes public by accident."""
from __future__ import annotations

from typing import Any

from chalice import CognitoUserPoolAuthorizer

from chalicelib.auth.roles import Role, role_of
from chalicelib.http.routing import not_routed

EXPECTED = {
    Role.PUBLIC: {("GET", "/health"), ("POST", "/contact"), ("GET", "/openapi.json"),
                  ("POST", "/forms/{form_id}"), ("GET", "/forms/{form_id}"),
                  ("GET", "/forms/{form_id}/schema"), ("GET", "/forms/{form_id}/site-page"),
                  ("POST", "/forms/{form_id}/uploads")},
    Role.SIGNED_IN: {("GET", "/me")},
    Role.ADMIN: {("GET", "/users"), ("POST", "/users"), ("GET", "/users/{user_id}"),
                 ("PATCH", "/users/{user_id}"), ("DELETE", "/users/{user_id}"),
                 ("GET", "/dashboard/messages"), ("GET", "/dashboard/messages/{message_id}"),
                 ("PATCH", "/dashboard/messages/{message_id}"),
                 ("DELETE", "/dashboard/messages/{message_id}"),
                 ("POST", "/dashboard/messages/bulk"), ("GET", "/dashboard/stats"),
                 ("POST", "/dashboard/messages/{message_id}/replies"),
                 ("GET", "/dashboard/messages/export"), ("GET", "/users/export"),
                 ("GET", "/dashboard/messages/{message_id}/attachments/{index}"),
                 ("GET", "/dashboard/forms"), ("GET", "/dashboard/forms/{form_id}"),
                 ("PUT", "/dashboard/forms/{form_id}"), ("DELETE", "/dashboard/forms/{form_id}"),
                 ("GET", "/dashboard/spam-rules"), ("PUT", "/dashboard/spam-rules"),
                 ("GET", "/dashboard/people/{email}"), ("DELETE", "/dashboard/people/{email}"),
                 ("GET", "/dashboard/audit")},
    Role.SERVICE: {("GET", "/service/users/{user_id}"), ("POST", "/service/users")},
}


def declared_routes(app: Any) -> dict[tuple[str, str], Any]:
    return {(method, path): entry for path, entries in app.routes.items()
            for method, entry in entries.items() if entry.view_function is not not_routed}


def test_every_route_declares_a_role(frontdesk_app: Any) -> None:
    for (method, path), entry in declared_routes(frontdesk_app).items():
        assert role_of(entry.view_function) is not None, f"{method} {path} declares no role"


def test_each_role_has_exactly_the_expected_routes(frontdesk_app: Any) -> None:
    routes = declared_routes(frontdesk_app)
    for role, expected in EXPECTED.items():
        actual = {key for key, entry in routes.items() if role_of(entry.view_function) is role}
        assert actual == expected, f"{role.value}: extra {actual - expected}, missing {expected - actual}"


def test_gateway_configuration_matches_each_role(frontdesk_app: Any) -> None:
    for (method, path), entry in declared_routes(frontdesk_app).items():
        role = role_of(entry.view_function)
        cognito = isinstance(entry.authorizer, CognitoUserPoolAuthorizer)
        assert cognito == (role in (Role.SIGNED_IN, Role.ADMIN)), f"{method} {path}"
        assert bool(entry.api_key_required) == (role is Role.SERVICE), f"{method} {path}"


def test_filled_in_methods_are_public_and_unauthenticated(frontdesk_app: Any) -> None:
    for path, entries in frontdesk_app.routes.items():
        assert "OPTIONS" in entries, path  # preflights reach the Lambda, never an authorizer
        for method, entry in entries.items():
            if entry.view_function is not_routed:
                assert entry.authorizer is None and not entry.api_key_required, (method, path)
