"""Every admin write route records its audit entry: the walk.

The routes are read from the app's own route table: every route with the
admin or the service role and a method that writes. Each must have a case
below (how to call it with valid input, and the entries it must leave), so a
write route added without one fails the first test; one that writes no
entry, or another entry than its own, fails its case."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.audit.hashing import erased_address
from chalicelib.auth.roles import Role, role_of
from chalicelib.http.routing import not_routed
from tests.conftest import JSON
from tests.forms.conftest import MINIMAL

WRITES = ("POST", "PUT", "PATCH", "DELETE")
TEXT = "A question only the visitor wrote"


@dataclass
class World:
    """What a case calls through: the client, the admin's headers, and the visitor."""
    client: Any
    as_admin: dict[str, str]
    as_service: dict[str, str]
    visitor: str

    def message(self) -> str:
        response = self.client.post("/contact", headers=JSON, body=json.dumps(
            {"name": "Ada", "email": self.visitor, "message": TEXT}))
        assert response.status_code == 202, response.body
        return str(response.json_body["id"])

    def user(self) -> str:
        response = self.client.post("/users", headers={**self.as_admin, **JSON}, body=json.dumps(
            {"name": "Grace", "email": f"grace-{uuid.uuid4().hex[:8]}@example.com"}))
        assert response.status_code == 201, response.body
        return str(response.json_body["id"])

    def form(self) -> str:
        response = self.client.put("/dashboard/forms/newsletter",
                                   headers={**self.as_admin, **JSON}, body=json.dumps(MINIMAL))
        assert response.status_code == 201, response.body
        return "newsletter"


@dataclass
class Call:
    method: str
    path: str
    body: Any = None
    headers: dict[str, str] | None = None
    # The entries it must leave: (action, target type, target id), in any order.
    entries: list[tuple[str, str, str]] | None = None
    actor: str = "admin"  # or "service"


def patch_message(world: World) -> Call:
    message_id = world.message()
    return Call("PATCH", f"/dashboard/messages/{message_id}", {"status": "read"},
                entries=[("message.update", "message", message_id)])


def delete_message(world: World) -> Call:
    message_id = world.message()
    return Call("DELETE", f"/dashboard/messages/{message_id}",
                entries=[("message.delete", "message", message_id)])


def bulk(world: World) -> Call:
    ids = [world.message(), world.message()]
    # One entry per message changed, each in that message's own transaction.
    return Call("POST", "/dashboard/messages/bulk", {"ids": ids, "action": "archive"},
                entries=[("message.update", "message", i) for i in ids])


def reply(world: World) -> Call:
    message_id = world.message()
    return Call("POST", f"/dashboard/messages/{message_id}/replies", {"body": "Thanks, Ada!"},
                entries=[("reply.create", "message", message_id)])


def put_spam_rules(world: World) -> Call:
    return Call("PUT", "/dashboard/spam-rules", {"blockedWords": ["casino"],
                                                 "blockedSenders": [world.visitor]},
                entries=[("spam_rules.put", "spamRules", "spamRules")])


def put_form(world: World) -> Call:
    return Call("PUT", "/dashboard/forms/quote", MINIMAL,
                entries=[("form.put", "form", "quote")])


def delete_form(world: World) -> Call:
    form_id = world.form()
    return Call("DELETE", f"/dashboard/forms/{form_id}",
                entries=[("form.delete", "form", form_id)])


def create_user(world: World) -> Call:
    return Call("POST", "/users", {"name": "Ada", "email": "ada-user@example.com"},
                entries=[("user.create", "user", "<new>")])


def update_user(world: World) -> Call:
    user_id = world.user()
    return Call("PATCH", f"/users/{user_id}", {"name": "Grace H."}, {"If-Match": '"1"'},
                entries=[("user.update", "user", user_id)])


def delete_user(world: World) -> Call:
    user_id = world.user()
    return Call("DELETE", f"/users/{user_id}", entries=[("user.delete", "user", user_id)])


def service_create_user(world: World) -> Call:
    return Call("POST", "/service/users", {"name": "Ada", "email": "ada-svc@example.com"},
                entries=[("user.create", "user", "<new>")], actor="service")


def erase_person(world: World) -> Call:
    world.message()
    import app as app_module  # the stage's salt, as the app reads it
    hashed = erased_address(world.visitor, app_module.services.audit_salt())
    return Call("DELETE", f"/dashboard/people/{quote(world.visitor, safe='')}",
                entries=[("person.erase", "person", hashed)])


CASES: dict[tuple[str, str], Callable[[World], Call]] = {
    ("PATCH", "/dashboard/messages/{message_id}"): patch_message,
    ("DELETE", "/dashboard/messages/{message_id}"): delete_message,
    ("POST", "/dashboard/messages/bulk"): bulk,
    ("POST", "/dashboard/messages/{message_id}/replies"): reply,
    ("PUT", "/dashboard/spam-rules"): put_spam_rules,
    ("PUT", "/dashboard/forms/{form_id}"): put_form,
    ("DELETE", "/dashboard/forms/{form_id}"): delete_form,
    ("POST", "/users"): create_user,
    ("PATCH", "/users/{user_id}"): update_user,
    ("DELETE", "/users/{user_id}"): delete_user,
    ("POST", "/service/users"): service_create_user,
    ("DELETE", "/dashboard/people/{email}"): erase_person,
}


def write_routes(app: Any) -> set[tuple[str, str]]:
    return {(method, path) for path, entries in app.routes.items()
            for method, entry in entries.items()
            if method in WRITES and entry.view_function is not not_routed
            and role_of(entry.view_function) in (Role.ADMIN, Role.SERVICE)}


def test_every_admin_write_route_has_a_case(frontdesk_app: Any) -> None:
    routes = write_routes(frontdesk_app)
    assert routes - set(CASES) == set(), "a write route without a case here: add one, and " \
                                         "its audit entry (chalicelib/audit)"
    assert set(CASES) - routes == set(), "a case for a route the app no longer has"


def entries(client: Any, as_admin: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/dashboard/audit?limit=100", headers=as_admin)
    assert response.status_code == 200
    return list(response.json_body["items"])


@pytest.mark.parametrize(("method", "path"), sorted(CASES))
def test_each_admin_write_records_its_own_entries_and_no_more(
        client: Any, as_admin: dict[str, str], as_service: dict[str, str],
        method: str, path: str) -> None:
    world = World(client, as_admin, as_service, f"visitor-{uuid.uuid4().hex[:10]}@example.com")
    call = CASES[(method, path)](world)
    assert call.method == method
    before = {e["id"] for e in entries(client, as_admin)}
    headers = {**(as_service if call.actor == "service" else as_admin), **(call.headers or {})}
    if call.body is not None:
        headers.update(JSON)
    response = client.request(method=method, path=call.path, headers=headers,
                              body=json.dumps(call.body).encode() if call.body is not None
                              else b"")
    assert response.status_code < 300, response.body
    new = [e for e in entries(client, as_admin) if e["id"] not in before]
    created = response.json_body.get("id") if response.status_code == 201 else None
    expected = sorted((action, kind, created if target == "<new>" else target)
                      for action, kind, target in call.entries or [])
    assert sorted((e["action"], e["target"]["type"], e["target"]["id"]) for e in new) == expected
    me = client.get("/me", headers=as_admin).json_body
    for entry in new:
        assert entry["requestId"] == response.headers["X-Request-Id"]
        assert entry["actor"] == ({"sub": "service", "email": None} if call.actor == "service"
                                  else {"sub": me["sub"], "email": me["email"]})
        assert world.visitor not in json.dumps(entry) and TEXT not in json.dumps(entry)
        assert entry["summary"]
