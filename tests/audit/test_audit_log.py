"""GET /dashboard/audit: every admin write's entry, newest first, paged and
filtered by actor and action, each list one Query whatever the table holds."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from chalicelib.http.routing import not_routed
from tests.conftest import JSON

Read = Callable[..., dict[str, Any]]


def patch(client: Any, headers: dict[str, str], message_id: str, status: str) -> Any:
    return client.patch(f"/dashboard/messages/{message_id}", headers={**headers, **JSON},
                        body=json.dumps({"status": status}))


def test_a_status_change_is_recorded_with_its_actor_request_and_summary(
        client: Any, as_admin: dict[str, str], message_id: str, visitor: str,
        audit_log: Read) -> None:
    response = patch(client, as_admin, message_id, "archived")
    assert response.status_code == 200
    [entry] = audit_log()["items"]
    assert entry["action"] == "message.update"
    assert entry["target"] == {"type": "message", "id": message_id}
    assert entry["summary"] == "status new → archived"
    assert entry["requestId"] == response.headers["X-Request-Id"]
    assert entry["actor"]["email"] and entry["actor"]["sub"]
    assert visitor not in json.dumps(entry)


def test_a_change_to_the_status_it_has_writes_nothing_and_records_nothing(
        client: Any, as_admin: dict[str, str], message_id: str, audit_log: Read) -> None:
    assert patch(client, as_admin, message_id, "new").status_code == 200
    assert audit_log()["items"] == []


def test_a_refused_change_records_nothing(client: Any, as_admin: dict[str, str],
                                          audit_log: Read) -> None:
    missing = "01JAAAAAAAAAAAAAAAAAAAAAAA"
    assert patch(client, as_admin, missing, "read").status_code == 404
    assert audit_log()["items"] == []


def test_the_log_is_newest_first_and_paged(client: Any, as_admin: dict[str, str],
                                           message_id: str, audit_log: Read) -> None:
    for status in ("read", "archived", "new", "read"):
        assert patch(client, as_admin, message_id, status).status_code == 200
    first = audit_log(limit="3")
    assert [e["summary"] for e in first["items"]] == [
        "status new → read", "status archived → new", "status read → archived"]
    rest = audit_log(limit="3", cursor=first["nextCursor"])
    assert [e["summary"] for e in rest["items"]] == ["status new → read"]
    assert rest["nextCursor"] is None


def test_filters_by_action_by_actor_and_by_both(client: Any, as_admin: dict[str, str],
                                                message_id: str, audit_log: Read) -> None:
    assert patch(client, as_admin, message_id, "read").status_code == 200
    assert client.delete(f"/dashboard/messages/{message_id}", headers=as_admin).status_code == 204
    sub = audit_log()["items"][0]["actor"]["sub"]
    assert [e["action"] for e in audit_log(action="message.delete")["items"]] == ["message.delete"]
    assert [e["action"] for e in audit_log(actor=sub)["items"]] == ["message.delete",
                                                                   "message.update"]
    assert [e["action"] for e in audit_log(actor=sub, action="message.update")["items"]] == [
        "message.update"]
    assert audit_log(actor="someone-else")["items"] == []
    # A cursor belongs to its list.
    page = audit_log(actor=sub, limit="1")
    wrong = client.get(f"/dashboard/audit?cursor={page['nextCursor']}", headers=as_admin)
    assert wrong.status_code == 400


def test_bad_filters_are_400_naming_each(client: Any, as_admin: dict[str, str]) -> None:
    response = client.get("/dashboard/audit?action=message.explode&actor=a%20b&limit=0",
                          headers=as_admin)
    assert response.status_code == 400
    assert {d["field"] for d in response.json_body["error"]["details"]} == {"action", "actor", "limit"}


def test_the_log_is_for_admins_only(client: Any, user_token: str) -> None:
    response = client.get("/dashboard/audit", headers={"Authorization": f"Bearer {user_token}"})
    assert response.status_code == 403


def test_no_route_changes_or_deletes_an_entry(frontdesk_app: Any) -> None:
    writes = {(path, method) for path, entries in frontdesk_app.routes.items()
              for method, entry in entries.items()
              if "audit" in path and method not in ("GET", "OPTIONS")
              and entry.view_function is not not_routed}
    assert writes == set()
    assert "GET" in frontdesk_app.routes["/dashboard/audit"]
