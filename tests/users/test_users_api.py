"""The /users contract, status by status."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import JSON, TEST_ORIGIN

ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def patch(client: Any, as_admin: dict[str, str], user_id: str, body: dict[str, Any],
          etag: str | None) -> Any:
    headers = {**as_admin, **JSON, **({"If-Match": etag} if etag is not None else {})}
    return client.patch(f"/users/{user_id}", headers=headers, body=json.dumps(body).encode())


def test_create_returns_201_with_location_and_etag(create: Callable[..., Any]) -> None:
    response = create(name="  Ada Lovelace  ", email="Ada@Example.COM", age=36)
    assert response.status_code == 201
    user = response.json_body
    assert ULID.match(user["id"])
    assert user["name"] == "Ada Lovelace" and user["email"] == "ada@example.com"
    assert user["age"] == 36 and user["version"] == 1
    assert ISO_UTC.match(user["createdAt"]) and user["createdAt"] == user["updatedAt"]
    assert response.headers["Location"] == f"/users/{user['id']}"
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN


def test_age_is_optional_and_absent_from_the_record(create: Callable[..., Any]) -> None:
    response = create(name="No Age", email="noage@example.com")
    assert response.status_code == 201
    assert "age" not in response.json_body


def test_every_invalid_field_is_reported_at_once(create: Callable[..., Any]) -> None:
    response = create(name=" a ", email="not-an-email", age=17, role="admin")
    assert response.status_code == 400
    error = response.json_body["error"]
    assert error["code"] == "validation_failed"
    fields = {detail["field"]: detail["message"] for detail in error["details"]}
    assert set(fields) == {"name", "email", "age", "role"}
    assert all(isinstance(message, str) and message for message in fields.values())


@pytest.mark.parametrize("body,field", [
    ({"email": "a@example.com"}, "name"),
    ({"name": "Ab"}, "email"),
    ({"name": "x" * 101, "email": "a@example.com"}, "name"),
    ({"name": "Ab\u0000c", "email": "a@example.com"}, "name"),
    ({"name": 12345, "email": "a@example.com"}, "name"),
    ({"name": "Ab", "email": "a@b"}, "email"),
    ({"name": "Ab", "email": "a b@example.com"}, "email"),
    ({"name": "Ab", "email": "a@example.com\r\nBcc: x@evil.test"}, "email"),
    ({"name": "Ab", "email": "a@example.com", "age": 121}, "age"),
    ({"name": "Ab", "email": "a@example.com", "age": "30"}, "age"),
    ({"name": "Ab", "email": "a@example.com", "age": 30.5}, "age"),
    ({"name": "Ab", "email": "a@example.com", "age": 1e300}, "age"),
    ({"name": "Ab", "email": "a@example.com", "age": 121.0}, "age"),
    ({"name": "Ab", "email": "a@example.com", "age": True}, "age"),
    ({"name": "Ab", "email": "a@example.com", "id": "01JD0000000000000000000000"}, "id"),
])
def test_bad_fields_are_400_validation_failed(create: Callable[..., Any], body: dict[str, Any],
                                              field: str) -> None:
    response = create(**body)
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "validation_failed"
    assert [d["field"] for d in response.json_body["error"]["details"]] == [field]


@pytest.mark.parametrize("raw_age", ["50.0", "5e1", "50.000", "500e-1"])
def test_a_whole_number_written_as_a_float_is_an_integer(client: Any, as_admin: dict[str, str],
                                                         raw_age: str) -> None:
    # JSON Schema's "integer", which /openapi.json publishes, accepts these too.
    body = f'{{"name": "Float Age", "email": "float@example.com", "age": {raw_age}}}'.encode()
    response = client.post("/users", headers={**as_admin, **JSON}, body=body)
    assert response.status_code == 201
    assert response.json_body["age"] == 50 and isinstance(response.json_body["age"], int)


def test_an_email_already_in_use_is_409(create: Callable[..., Any]) -> None:
    assert create(name="First", email="same@example.com").status_code == 201
    response = create(name="Second", email="SAME@example.com")
    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "conflict"


def test_get_returns_the_user_with_its_etag(client: Any, as_admin: dict[str, str],
                                            create: Callable[..., Any]) -> None:
    created = create(name="Grace", email="grace@example.com").json_body
    response = client.get(f"/users/{created['id']}", headers=as_admin)
    assert response.status_code == 200
    assert response.json_body == created
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("user_id", ["01JD0000000000000000000000", "nope", "x" * 3000,
                                     "%00", "..%2F..%2Fetc"])
def test_an_unknown_or_malformed_id_is_404(client: Any, as_admin: dict[str, str],
                                           user_id: str) -> None:
    response = client.get(f"/users/{user_id}", headers=as_admin)
    assert response.status_code == 404
    assert response.json_body["error"]["code"] == "not_found"


def test_patch_with_the_current_etag_updates_and_bumps_it(client: Any, as_admin: dict[str, str],
                                                          create: Callable[..., Any]) -> None:
    created = create(name="Alan", email="alan@example.com", age=41)
    user = created.json_body
    response = patch(client, as_admin, user["id"], {"name": "Alan Turing"},
                     created.headers["ETag"])
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    updated = response.json_body
    assert updated["name"] == "Alan Turing" and updated["age"] == 41 and updated["version"] == 2
    assert updated["createdAt"] == user["createdAt"] and updated["updatedAt"] >= user["updatedAt"]


def test_patch_age_null_removes_it(client: Any, as_admin: dict[str, str],
                                   create: Callable[..., Any]) -> None:
    user = create(name="Old", email="old@example.com", age=80).json_body
    response = patch(client, as_admin, user["id"], {"age": None}, '"1"')
    assert response.status_code == 200
    assert "age" not in response.json_body
    assert "age" not in client.get(f"/users/{user['id']}", headers=as_admin).json_body


def test_patch_with_a_stale_etag_is_412(client: Any, as_admin: dict[str, str],
                                        create: Callable[..., Any]) -> None:
    user = create(name="Stale", email="stale@example.com").json_body
    assert patch(client, as_admin, user["id"], {"name": "First"}, '"1"').status_code == 200
    response = patch(client, as_admin, user["id"], {"name": "Second"}, '"1"')
    assert response.status_code == 412
    assert response.json_body["error"]["code"] == "precondition_failed"
    assert client.get(f"/users/{user['id']}", headers=as_admin).json_body["name"] == "First"


@pytest.mark.parametrize("if_match", [None, "", "   "])
def test_patch_without_if_match_is_428(client: Any, as_admin: dict[str, str],
                                       create: Callable[..., Any], if_match: str | None) -> None:
    user = create(name="Needs", email="needs@example.com").json_body
    response = patch(client, as_admin, user["id"], {"name": "Changed"}, if_match)
    assert response.status_code == 428
    assert response.json_body["error"]["code"] == "precondition_required"


@pytest.mark.parametrize("if_match", ['W/"1"', '"abc"', '"2", "3"', '"01"'])
def test_patch_with_an_etag_that_names_no_current_version_is_412(
        client: Any, as_admin: dict[str, str], create: Callable[..., Any], if_match: str) -> None:
    user = create(name="Weird", email="weird@example.com").json_body
    response = patch(client, as_admin, user["id"], {"name": "X y"}, if_match)
    assert response.status_code == 412
    assert response.json_body["error"]["code"] == "precondition_failed"


@pytest.mark.parametrize("if_match", ["*", '"1"', '"3", "1"', ' "1" '])
def test_if_match_star_or_a_list_naming_the_current_version_matches(
        client: Any, as_admin: dict[str, str], create: Callable[..., Any], if_match: str) -> None:
    user = create(name="Matched", email="matched@example.com").json_body
    response = patch(client, as_admin, user["id"], {"name": "Changed"}, if_match)
    assert response.status_code == 200
    assert response.json_body["version"] == 2 and response.headers["ETag"] == '"2"'


def test_if_match_star_follows_the_current_version(client: Any, as_admin: dict[str, str],
                                                   create: Callable[..., Any]) -> None:
    user = create(name="Starred", email="starred@example.com").json_body
    for version in (2, 3):
        response = patch(client, as_admin, user["id"], {"name": f"Starred {version}"}, "*")
        assert response.json_body["version"] == version


@pytest.mark.parametrize("if_match", ["1", "2", "abc", '"1', 'W/1', '"1" "2"', '"1",x', "**"])
def test_a_malformed_if_match_is_400_and_changes_nothing(
        client: Any, as_admin: dict[str, str], create: Callable[..., Any], if_match: str) -> None:
    user = create(name="Intact", email="intact@example.com").json_body
    response = patch(client, as_admin, user["id"], {"name": "Changed"}, if_match)
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "bad_request"
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    deleted = client.delete(f"/users/{user['id']}", headers={**as_admin, "If-Match": if_match})
    assert deleted.status_code == 400
    assert client.get(f"/users/{user['id']}", headers=as_admin).json_body["name"] == "Intact"


def test_if_match_star_on_an_unknown_user_is_404(client: Any, as_admin: dict[str, str]) -> None:
    assert patch(client, as_admin, "01JD0000000000000000000000", {"name": "Ghost"},
                 "*").status_code == 404
    assert client.delete("/users/01JD0000000000000000000000",
                         headers={**as_admin, "If-Match": "*"}).status_code == 404


def test_delete_with_if_match_star_deletes(client: Any, as_admin: dict[str, str],
                                           create: Callable[..., Any]) -> None:
    user = create(name="Starry", email="starry@example.com").json_body
    patch(client, as_admin, user["id"], {"name": "Starry Two"}, '"1"')
    response = client.delete(f"/users/{user['id']}", headers={**as_admin, "If-Match": "*"})
    assert response.status_code == 204
    assert client.get(f"/users/{user['id']}", headers=as_admin).status_code == 404


def test_patch_to_an_email_in_use_is_409_and_changes_nothing(
        client: Any, as_admin: dict[str, str], create: Callable[..., Any]) -> None:
    create(name="Taken", email="taken@example.com")
    user = create(name="Mover", email="mover@example.com").json_body
    response = patch(client, as_admin, user["id"], {"email": "taken@example.com"}, '"1"')
    assert response.status_code == 409
    assert client.get(f"/users/{user['id']}", headers=as_admin).json_body["version"] == 1


def test_changing_email_frees_the_old_one(client: Any, as_admin: dict[str, str],
                                          create: Callable[..., Any]) -> None:
    user = create(name="Mover", email="before@example.com").json_body
    assert patch(client, as_admin, user["id"], {"email": "after@example.com"},
                 '"1"').status_code == 200
    assert create(name="Newcomer", email="before@example.com").status_code == 201
    assert create(name="Clash", email="after@example.com").status_code == 409


def test_patch_validates_every_field_and_refuses_an_empty_change(
        client: Any, as_admin: dict[str, str], create: Callable[..., Any]) -> None:
    user = create(name="Valid", email="valid@example.com").json_body
    response = patch(client, as_admin, user["id"], {"name": "", "email": "x", "age": 5}, '"1"')
    assert {d["field"] for d in response.json_body["error"]["details"]} == {"name", "email", "age"}
    assert patch(client, as_admin, user["id"], {}, '"1"').status_code == 400


def test_patch_an_unknown_user_is_404(client: Any, as_admin: dict[str, str]) -> None:
    response = patch(client, as_admin, "01JD0000000000000000000000", {"name": "Ghost"}, '"1"')
    assert response.status_code == 404


def test_delete_is_204_then_404_and_frees_the_email(client: Any, as_admin: dict[str, str],
                                                    create: Callable[..., Any]) -> None:
    user = create(name="Leaving", email="leaving@example.com").json_body
    response = client.delete(f"/users/{user['id']}", headers=as_admin)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    assert "Content-Type" not in response.headers and response.body == b""
    assert client.get(f"/users/{user['id']}", headers=as_admin).status_code == 404
    assert client.delete(f"/users/{user['id']}", headers=as_admin).status_code == 404
    assert create(name="Returning", email="leaving@example.com").status_code == 201


def test_delete_with_a_stale_if_match_is_412(client: Any, as_admin: dict[str, str],
                                             create: Callable[..., Any]) -> None:
    user = create(name="Guarded", email="guarded@example.com").json_body
    patch(client, as_admin, user["id"], {"name": "Guarded Two"}, '"1"')
    response = client.delete(f"/users/{user['id']}", headers={**as_admin, "If-Match": '"1"'})
    assert response.status_code == 412


def test_service_routes_share_the_users_code(client: Any, as_service: dict[str, str],
                                             as_admin: dict[str, str]) -> None:
    body = json.dumps({"name": "From Backend", "email": "backend@example.com"}).encode()
    created = client.post("/service/users", headers={**as_service, **JSON}, body=body)
    assert created.status_code == 201
    assert created.headers["Location"] == f"/service/users/{created.json_body['id']}"
    again = client.post("/service/users", headers={**as_service, **JSON}, body=body)
    assert again.status_code == 409
    bad = client.post("/service/users", headers={**as_service, **JSON}, body=b'{"name": 1}')
    assert {d["field"] for d in bad.json_body["error"]["details"]} == {"name", "email"}
    fetched = client.get(f"/service/users/{created.json_body['id']}", headers=as_service)
    assert fetched.json_body == created.json_body
    assert client.get(f"/users/{created.json_body['id']}",
                      headers=as_admin).json_body == created.json_body


def test_a_lone_surrogate_is_400_not_500(client: Any, as_admin: dict[str, str]) -> None:
    response = client.post("/users", headers={**as_admin, **JSON},
                           body=b'{"name": "\\ud800ab", "email": "sur@example.com"}')
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "bad_request"


@pytest.mark.parametrize("name", ["Ada\n", "\rAda", "Ada\u0085", "Ada\u2028Lovelace"])
def test_a_name_with_a_line_break_is_refused(create: Callable[..., Any], name: str) -> None:
    response = create(name=name, email="lb@example.com")
    assert response.status_code == 400
    assert [d["field"] for d in response.json_body["error"]["details"]] == ["name"]
