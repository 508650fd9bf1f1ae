"""GET /openapi.json describes every route, and real responses match it."""
from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from chalicelib.http.routing import not_routed
from tests.conftest import JSON


@pytest.fixture
def document(client: Any) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json_body


def conforms(document: dict[str, Any], schema_name: str, instance: Any) -> None:
    registry = Registry().with_resource("doc", Resource.opaque(document))
    validator = Draft202012Validator({"$ref": f"doc#/components/schemas/{schema_name}"},
                                     registry=registry)
    errors = [error.message for error in validator.iter_errors(instance)]
    assert errors == [], f"{schema_name}: {errors}"


def test_every_route_is_documented_with_its_security(document: dict[str, Any],
                                                     frontdesk_app: Any) -> None:
    for path, entries in frontdesk_app.routes.items():
        for method, entry in entries.items():
            if entry.view_function is not_routed:
                continue
            operation = document["paths"][path][method.lower()]
            assert operation["summary"]
            if path.startswith(("/users", "/dashboard", "/me")):
                assert operation["security"] == [{"cognito": []}]
            if path.startswith("/service"):
                assert operation["security"] == [{"apiKey": []}]


def test_every_schema_has_its_model_s_own_name(document: dict[str, Any]) -> None:
    """msgspec names two models of one name by their module paths
    (`chalicelib.api.message_bodies.Autoresponse`): give each model a name of its own."""
    assert [name for name in document["components"]["schemas"] if "." in name] == []


def test_request_schemas_come_from_the_validators(document: dict[str, Any]) -> None:
    schema = document["components"]["schemas"]["UserCreate"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"name", "email"}
    assert schema["properties"]["age"]["anyOf"][0]["minimum"] == 18
    contact = document["components"]["schemas"]["ContactSubmission"]
    assert contact["properties"]["message"]["maxLength"] == 5000


def test_real_responses_match_the_documented_schemas(client: Any, document: dict[str, Any],
                                                     as_admin: dict[str, str]) -> None:
    user = client.post("/users", headers={**as_admin, **JSON},
                       body=b'{"name": "Doc User", "email": "doc@example.com", "age": 30}')
    conforms(document, "User", user.json_body)
    conforms(document, "UserPage", client.get("/users", headers=as_admin).json_body)
    conforms(document, "Me", client.get("/me", headers=as_admin).json_body)
    received = client.post("/contact", headers=JSON, body=json.dumps(
        {"name": "Doc", "email": "doc@example.com", "message": "Hi", "subject": "S"}).encode())
    conforms(document, "ContactReceived", received.json_body)
    page = client.get("/dashboard/messages", headers=as_admin).json_body
    conforms(document, "MessagePage", page)
    conforms(document, "Stats", client.get("/dashboard/stats", headers=as_admin).json_body)
    conforms(document, "Health", client.get("/health").json_body)
    error = client.post("/users", headers={**as_admin, **JSON}, body=b'{"name": 1}')
    conforms(document, "Error", error.json_body)


def test_a_route_without_responds_or_with_an_unknown_body_is_not_documented() -> None:
    from chalicelib.auth import roles
    from chalicelib.http import openapi
    from chalicelib.http.application import Application
    from chalicelib.http.operations import responds

    bare = Application(app_name="bare", configure_logs=False)

    @bare.route("/bare", methods=["GET"])
    @roles.public
    def bare_view() -> None: ...

    with pytest.raises(LookupError, match="GET /bare declares no @responds"):
        openapi.build_document(bare)

    unknown = Application(app_name="unknown", configure_logs=False)

    @unknown.route("/health", methods=["GET"])
    @roles.public
    @responds(200, "Healthy", uses_aws=False)
    def health() -> None: ...

    with pytest.raises(LookupError, match="Healthy"):
        openapi.build_document(unknown)
