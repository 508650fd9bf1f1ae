"""One rule per kind of doubtful input, on every route (issue 24, part 5),
walked from the app's own route table so a route added later is held to them:

- a query parameter the route does not declare: 400 naming it;
- a declared query parameter given twice: 400 naming it;
- a JSON body naming a key twice: 400 naming it.

Each is `validation_failed` with CORS, as a form post sending a field twice is."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.auth.roles import Role, role_of
from chalicelib.http.operations import HTML, operation_of
from chalicelib.http.query import query_name
from chalicelib.http.routing import not_routed
from tests.auth.test_route_roles import EXPECTED
from tests.conftest import JSON, TEST_API_KEY, TEST_ORIGIN

SOME_ID = "01JD0000000000000000000000"
# A value each declared parameter takes, so only the rule under test can refuse it.
VALID = {"limit": "5", "cursor": "", "status": "new", "form": "contact", "email": "a@x.io",
         "from": "2026-11-01", "to": "2026-11-02", "q": "words", "actor": "someone",
         "action": "message.update", "format": "json"}


# Every declared route, from the roles table (a table, so the tests can be
# parametrised before the app is imported); the first test holds it to the app.
ROUTES = sorted(set().union(*EXPECTED.values()))


def test_the_walk_covers_every_route_the_app_declares(frontdesk_app: Any) -> None:
    assert set(ROUTES) == {(method, path) for path, entries in frontdesk_app.routes.items()
                           for method, entry in entries.items()
                           if entry.view_function is not not_routed}


def entry_of(app: Any, method: str, path: str) -> Any:
    return app.routes[path][method]


def url_of(path: str) -> str:
    return (path.replace("{user_id}", SOME_ID).replace("{message_id}", SOME_ID)
            .replace("{form_id}", "contact").replace("{email}", "someone%40example.com"))


def headers_for(role: Role, admin_token: str) -> dict[str, str]:
    # Host as every HTTP/1.1 request has it (the test client sends none).
    headers = {"Host": "api.frontdesk.test", "Origin": TEST_ORIGIN, **JSON}
    if role is Role.SERVICE:
        headers["X-Api-Key"] = TEST_API_KEY
    elif role in (Role.ADMIN, Role.SIGNED_IN):
        headers["Authorization"] = f"Bearer {admin_token}"
    return headers


def send(client: Any, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Any:
    if method in ("POST", "PUT", "PATCH"):
        return client.request(method=method, path=url, headers=headers, body=body or b"{}")
    return client.request(method=method, path=url, headers=headers)


def refused_naming(response: Any, field: str) -> None:
    assert response.status_code == 400, response.body
    error = response.json_body["error"]
    assert error["code"] == "validation_failed"
    assert field in [detail["field"] for detail in error["details"]], error
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_an_undeclared_query_parameter_is_400_naming_it(
        client: Any, frontdesk_app: Any, admin_token: str, method: str, path: str) -> None:
    entry = entry_of(frontdesk_app, method, path)
    headers = headers_for(role_of(entry.view_function) or Role.PUBLIC, admin_token)
    response = send(client, method, f"{url_of(path)}?_=1700000000", headers, None)
    if operation_of(entry.view_function).media_type == HTML:  # type: ignore[union-attr]
        # A page is linked to from elsewhere, with what others add: shown all the same.
        assert response.status_code == 200, response.body
        return
    refused_naming(response, "_")


def test_a_page_is_shown_whatever_links_add_to_its_address(client: Any) -> None:
    response = client.get("/forms/contact?utm_source=newsletter&fbclid=x&fbclid=y")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("method", "path"), [
    route for route in ROUTES if route[1] in {"/users", "/users/export", "/dashboard/messages",
                                                "/dashboard/messages/export", "/dashboard/audit",
                                                "/dashboard/people/{email}"}
    and route[0] == "GET"])
def test_each_declared_query_parameter_given_twice_is_400_naming_it(
        client: Any, frontdesk_app: Any, admin_token: str, method: str, path: str) -> None:
    entry = entry_of(frontdesk_app, method, path)
    operation = operation_of(entry.view_function)
    assert operation is not None and operation.query
    headers = headers_for(role_of(entry.view_function) or Role.PUBLIC, admin_token)
    for declared in operation.query:
        name = query_name(declared)
        value = VALID[name]
        response = send(client, method, f"{url_of(path)}?{urlencode([(name, value)] * 2)}",
                        headers, None)
        refused_naming(response, name)
        assert [d["message"] for d in response.json_body["error"]["details"]
                if d["field"] == name] == ["must be sent once"]


def test_every_route_that_takes_query_parameters_is_walked_above(frontdesk_app: Any) -> None:
    with_query = {(method, path) for method, path in ROUTES
                  if (op := operation_of(entry_of(frontdesk_app, method, path).view_function))
                  and op.query}
    assert with_query == {("GET", "/users"), ("GET", "/users/export"),
                          ("GET", "/dashboard/messages"), ("GET", "/dashboard/messages/export"),
                          ("GET", "/dashboard/audit"), ("GET", "/dashboard/people/{email}")}


@pytest.mark.parametrize(("method", "path"), [
    route for route in ROUTES if route[0] in ("POST", "PUT", "PATCH")])
def test_a_json_key_sent_twice_is_400_naming_it(
        client: Any, frontdesk_app: Any, admin_token: str, method: str, path: str) -> None:
    entry = entry_of(frontdesk_app, method, path)
    assert operation_of(entry.view_function).body is not None  # type: ignore[union-attr]
    headers = {**headers_for(role_of(entry.view_function) or Role.PUBLIC, admin_token),
               "If-Match": "*"}
    body = b'{"name": "Ada", "email": "ada@example.com", "name": "Eve"}'
    refused_naming(send(client, method, url_of(path), headers, body), "name")


def test_the_declared_parameters_once_each_are_not_refused(
        client: Any, as_admin: dict[str, str]) -> None:
    for url in ("/users?limit=5&cursor=", "/users?email=a%40x.io",
                "/dashboard/messages?status=new&form=contact&limit=5&cursor=",
                "/dashboard/messages/export?status=new&form=contact&from=2026-11-01"
                "&to=2026-11-02&cursor=", "/users/export?cursor="):
        response = client.get(url, headers=as_admin)
        assert response.status_code == 200, (url, response.body)


def test_the_query_names_match_the_documented_parameters() -> None:
    from chalicelib.http.openapi import PARAMETERS

    for declared, parameter in PARAMETERS.items():
        if parameter["in"] == "query":
            assert query_name(declared) == parameter["name"], declared


def test_a_json_body_with_keys_sent_once_still_passes(client: Any,
                                                      as_admin: dict[str, str]) -> None:
    body = json.dumps({"name": "Ada: the first", "email": "ada@example.com"}).encode()
    assert client.post("/users", headers={**as_admin, **JSON}, body=body).status_code == 201
