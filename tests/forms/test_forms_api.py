"""The admin routes for forms: list, get, create or replace (ETag, If-Match,
If-None-Match), delete; the built-in contact form; who may call them."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.forms.store import FormStore
from tests.conftest import JSON, TEST_ORIGIN
from tests.forms.conftest import MINIMAL, QUOTE

CONTACT_FIELDS = [
    {"name": "name", "label": "Name", "type": "text", "required": True, "maxLength": 100},
    {"name": "email", "label": "Email", "type": "email", "required": True, "maxLength": 254},
    {"name": "subject", "label": "Subject", "type": "text", "required": False, "maxLength": 150},
    {"name": "message", "label": "Message", "type": "textarea", "required": True,
     "maxLength": 5000},
]


def error_fields(response: Any) -> dict[str, str]:
    assert response.status_code == 400, response.body
    assert response.json_body["error"]["code"] == "validation_failed"
    return {d["field"]: d["message"] for d in response.json_body["error"]["details"]}


def test_the_contact_form_exists_before_anything_is_stored(client: Any,
                                                           as_admin: dict[str, str]) -> None:
    listed = client.get("/dashboard/forms", headers=as_admin)
    assert listed.status_code == 200
    assert [f["formId"] for f in listed.json_body["forms"]] == ["contact"]
    contact = client.get("/dashboard/forms/contact", headers=as_admin)
    assert contact.status_code == 200 and contact.headers["ETag"] == '"1"'
    assert contact.json_body == {
        "formId": "contact", "name": "Contact", "fields": CONTACT_FIELDS, "recipients": [],
        "replyTo": "email", "extraFields": "reject", "captcha": True, "autoresponse": None,
        "retentionDays": None, "builtIn": True, "version": 1, "updatedAt": None}


def test_put_creates_with_201_then_replaces_with_200(put_form: Callable[..., Any], client: Any,
                                                      as_admin: dict[str, str]) -> None:
    created = put_form("quote", QUOTE)
    assert created.status_code == 201, created.body
    assert created.headers["ETag"] == '"1"'
    body = created.json_body
    assert body["formId"] == "quote" and body["version"] == 1 and body["builtIn"] is False
    assert body["updatedAt"].endswith("Z")
    # Every default is filled in: maxLength of each text-like field, required false.
    assert [f.get("maxLength") for f in body["fields"]] == [200, 254, 30, 300, None, None, None,
                                                           None, 2000]
    assert body["fields"][2]["required"] is False
    assert body["autoresponse"] == QUOTE["autoresponse"]
    assert client.get("/dashboard/forms/quote", headers=as_admin).json_body == body

    replaced = put_form("quote", MINIMAL)
    assert replaced.status_code == 200 and replaced.headers["ETag"] == '"2"'
    assert replaced.json_body["fields"] == [{"name": "email", "label": "Email", "type": "email",
                                             "required": False, "maxLength": 254}]
    assert replaced.json_body["extraFields"] == "reject"
    assert replaced.json_body["autoresponse"] is None and replaced.json_body["replyTo"] is None


def test_what_put_answers_can_be_put_back_without_its_read_only_properties(
        put_form: Callable[..., Any]) -> None:
    answer = put_form("quote", QUOTE).json_body
    read_only = {"formId", "builtIn", "version", "updatedAt"}
    again = put_form("quote", {k: v for k, v in answer.items() if k not in read_only},
                     **{"If-Match": '"1"'})
    assert again.status_code == 200
    assert {k: v for k, v in again.json_body.items() if k not in read_only} == \
        {k: v for k, v in answer.items() if k not in read_only}
    # Sent back whole, the read-only properties are unknown fields, like any other.
    assert set(error_fields(put_form("quote", answer))) == read_only


def test_the_list_is_sorted_by_id_and_has_every_form(put_form: Callable[..., Any], client: Any,
                                                     as_admin: dict[str, str]) -> None:
    for form_id in ("zeta", "alpha", "m-1"):
        assert put_form(form_id, MINIMAL).status_code == 201
    forms = client.get("/dashboard/forms", headers=as_admin).json_body["forms"]
    assert [f["formId"] for f in forms] == ["alpha", "contact", "m-1", "zeta"]


@pytest.mark.parametrize(("if_match", "status"), [('"1"', 200), ('"7", "1"', 200), ("*", 200),
                                                  ('"2"', 412), ('W/"1"', 412), ("1", 400)])
def test_put_honours_if_match(put_form: Callable[..., Any], if_match: str, status: int) -> None:
    assert put_form("quote", QUOTE).status_code == 201
    response = put_form("quote", MINIMAL, **{"If-Match": if_match})
    assert response.status_code == status, response.body
    if status == 412:
        assert response.json_body["error"]["code"] == "precondition_failed"


def test_a_stale_put_changes_nothing(put_form: Callable[..., Any], client: Any,
                                     as_admin: dict[str, str]) -> None:
    put_form("quote", QUOTE)
    put_form("quote", QUOTE, **{"If-Match": '"1"'})
    assert put_form("quote", MINIMAL, **{"If-Match": '"1"'}).status_code == 412
    current = client.get("/dashboard/forms/quote", headers=as_admin)
    assert current.headers["ETag"] == '"2"' and current.json_body["name"] == QUOTE["name"]


@pytest.mark.parametrize("if_match", ['"1"', "*"])
def test_if_match_on_a_form_that_does_not_exist_is_412_and_creates_nothing(
        put_form: Callable[..., Any], client: Any, as_admin: dict[str, str],
        if_match: str) -> None:
    assert put_form("quote", QUOTE, **{"If-Match": if_match}).status_code == 412
    assert client.get("/dashboard/forms/quote", headers=as_admin).status_code == 404


def test_if_none_match_star_only_creates(put_form: Callable[..., Any]) -> None:
    assert put_form("quote", QUOTE, **{"If-None-Match": "*"}).status_code == 201
    again = put_form("quote", MINIMAL, **{"If-None-Match": "*"})
    assert again.status_code == 412
    assert put_form("contact", {"name": "Contact", "fields": CONTACT_FIELDS, "replyTo": "email"},
                    **{"If-None-Match": "*"}).status_code == 412
    assert put_form("other", QUOTE, **{"If-None-Match": '"1"'}).status_code == 400
    # Both at once can never hold.
    assert put_form("quote", QUOTE, **{"If-None-Match": "*", "If-Match": '"1"'}).status_code == 412


def test_an_invalid_form_id_is_a_400_on_put_and_a_404_otherwise(
        put_form: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    for form_id in ("Quote", "1quote", "quote_form", "a" * 41, "-x", "%C3%A9t%C3%A9"):
        assert error_fields(put_form(form_id, QUOTE)) == {
            "formId": "must be a lower-case letter, then up to 39 lower-case letters, digits "
                      "or hyphens"}, form_id
        assert client.get(f"/dashboard/forms/{form_id}", headers=as_admin).status_code == 404
        assert client.delete(f"/dashboard/forms/{form_id}", headers=as_admin).status_code == 404
    assert put_form("a" + "-" * 39, MINIMAL).status_code == 201  # 40 characters


def test_a_bad_id_and_a_bad_body_are_reported_together(put_form: Callable[..., Any]) -> None:
    assert set(error_fields(put_form("Bad", {"name": "x"}))) == {"formId", "fields"}


def test_delete(put_form: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    put_form("quote", QUOTE)
    put_form("quote", QUOTE)
    assert client.delete("/dashboard/forms/quote", headers={**as_admin, "If-Match": '"1"'}
                         ).status_code == 412
    deleted = client.delete("/dashboard/forms/quote", headers={**as_admin, "If-Match": '"2"'})
    assert deleted.status_code == 204 and deleted.body == b""
    assert client.get("/dashboard/forms/quote", headers=as_admin).status_code == 404
    assert client.delete("/dashboard/forms/quote", headers=as_admin).status_code == 404
    # Created again, it starts over at version 1.
    assert put_form("quote", MINIMAL).headers["ETag"] == '"1"'


def test_the_contact_form_cannot_be_deleted(put_form: Callable[..., Any], client: Any,
                                            as_admin: dict[str, str]) -> None:
    for _ in range(2):  # built in, then stored
        refused = client.delete("/dashboard/forms/contact", headers=as_admin)
        assert refused.status_code == 409
        assert refused.json_body["error"]["code"] == "conflict"
        put_form("contact", {"name": "Contact us", "fields": CONTACT_FIELDS, "replyTo": "email"})
    assert client.get("/dashboard/forms/contact", headers=as_admin).json_body["name"] == "Contact us"


def test_the_contact_form_can_change_what_post_contact_does_not_fix(
        put_form: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    fields = [{**f, "label": f"My {f['label']}"} for f in CONTACT_FIELDS]
    edit = {"name": "Write to us", "fields": fields, "recipients": ["team@example.com"],
            "replyTo": "email", "captcha": False,
            "autoresponse": {"subject": "Thanks", "body": "We read every message."}}
    response = put_form("contact", edit, **{"If-Match": '"1"'})
    assert response.status_code == 200, response.body
    assert response.headers["ETag"] == '"2"'
    body = response.json_body
    assert body["builtIn"] is True and body["updatedAt"] is not None
    assert [f["label"] for f in body["fields"]] == ["My Name", "My Email", "My Subject",
                                                    "My Message"]
    assert body["recipients"] == ["team@example.com"] and body["captcha"] is False
    # Without maxLength, the fields take the same defaults: nothing changed.
    bare = [{k: v for k, v in f.items() if k != "maxLength" or f["type"] == "text"}
            for f in CONTACT_FIELDS]
    assert put_form("contact", {**edit, "fields": bare}).status_code == 200


def test_the_contact_form_keeps_post_contacts_contract(put_form: Callable[..., Any],
                                                       client: Any, as_admin: dict[str, str]) -> None:
    fields = [dict(f) for f in CONTACT_FIELDS]
    fields[0]["maxLength"] = 50
    fields[1]["type"] = "text"
    fields[2]["required"] = True
    problems = error_fields(put_form("contact", {"name": "Contact", "fields": fields,
                                                 "replyTo": None, "extraFields": "keep"}))
    assert problems == {
        "fields[0]": "must be the built-in name field: is fixed in the contact form (only its "
                     "label may change)",
        "fields[1]": "must be the built-in email field: is fixed in the contact form (only its "
                     "label may change)",
        "fields[2]": "must be the built-in subject field: is fixed in the contact form (only "
                     "its label may change)",
        "extraFields": "must be reject in the contact form",
        "replyTo": "must be email in the contact form"}
    assert set(error_fields(put_form("contact", {**MINIMAL, "replyTo": "email"}))) == {"fields"}
    renamed = [dict(f) for f in CONTACT_FIELDS]
    renamed[3]["name"] = "body"
    assert set(error_fields(put_form("contact", {"name": "C", "fields": renamed,
                                                 "replyTo": "email"}))) == {"fields[3]"}
    assert client.get("/dashboard/forms/contact", headers=as_admin).headers["ETag"] == '"1"'


def test_post_contact_is_unchanged_by_an_edited_contact_form(
        put_form: Callable[..., Any], client: Any) -> None:
    fields = [{**f, "label": "Changed"} for f in CONTACT_FIELDS]
    put_form("contact", {"name": "Changed", "fields": fields, "replyTo": "email"})
    response = client.post("/contact", headers=JSON, body=json.dumps(
        {"name": "Ada", "email": "ada@example.com", "message": "Hello"}).encode())
    assert response.status_code == 202


def test_a_stage_has_at_most_50_forms_the_contact_form_included(
        put_form: Callable[..., Any], store: FormStore, client: Any,
        as_admin: dict[str, str]) -> None:
    for n in range(49):
        assert put_form(f"form-{n}", MINIMAL).status_code == 201
    refused = put_form("one-too-many", MINIMAL)
    assert refused.status_code == 409
    assert refused.json_body["error"]["code"] == "conflict"
    assert "at most 50 forms" in refused.json_body["error"]["message"]
    assert client.get("/dashboard/forms/one-too-many", headers=as_admin).status_code == 404
    # Replacing one, or editing the contact form, is no new form.
    assert put_form("form-0", QUOTE).status_code == 200
    assert put_form("contact", {"name": "C", "fields": CONTACT_FIELDS,
                                "replyTo": "email"}).status_code == 200
    assert len(client.get("/dashboard/forms", headers=as_admin).json_body["forms"]) == 50
    assert client.delete("/dashboard/forms/form-7", headers=as_admin).status_code == 204
    assert put_form("one-more", MINIMAL).status_code == 201
    assert store.stored_count() == 49


@pytest.mark.parametrize(("method", "path"), [("GET", "/dashboard/forms"),
                                              ("GET", "/dashboard/forms/contact"),
                                              ("PUT", "/dashboard/forms/quote"),
                                              ("DELETE", "/dashboard/forms/quote")])
def test_only_admins_may_use_the_forms_routes(client: Any, user_token: str, method: str,
                                              path: str) -> None:
    body = json.dumps(QUOTE).encode() if method == "PUT" else b""
    for headers, status, code in [({}, 401, "unauthorized"),
                                  ({"Authorization": f"Bearer {user_token}"}, 403, "forbidden")]:
        response = client.request(method, path, body=body,
                                  headers={**headers, **JSON, "Origin": TEST_ORIGIN})
        assert response.status_code == status
        assert response.json_body["error"]["code"] == code
        assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN


@pytest.mark.parametrize("body", [
    b"[]", b"null", b'"form"', b"{not json", b'{"name": "\\ud800", "fields": []}',
    b'{"name": "x", "fields": ' + b"[" * 5000 + b"]" * 5000 + b"}",
])
def test_a_body_that_is_no_json_object_is_a_400(put_form: Callable[..., Any], body: bytes) -> None:
    response = put_form("quote", body)
    assert response.status_code == 400
    assert response.json_body["error"]["code"] in ("bad_request", "validation_failed")
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN


def test_a_huge_body_is_a_413(put_form: Callable[..., Any]) -> None:
    fields = [{"name": f"f{n}", "label": "x" * 100, "type": "text"} for n in range(1000)]
    response = put_form("quote", {"name": "Huge", "fields": fields})
    assert response.status_code == 413


def test_a_hostile_definition_is_reported_field_by_field_never_a_500(
        put_form: Callable[..., Any]) -> None:
    hostile = {
        "name": {"$gt": ""},
        "fields": [
            {"name": ["email"], "label": None, "type": 7, "required": "yes"},
            {"name": "ok", "label": "é\u2028", "type": "select", "options": [[], {}, "x" * 101]},
            {"name": "n", "label": "N", "type": "number", "min": "1", "max": 10 ** 40},
            {"name": "website", "label": "Website", "type": "url", "maxLength": 10 ** 9},
            "junk", None, [],
            {"name": "ok", "label": "\ud83d\ude00 Emoji label", "type": "checkbox", "extra": {}},
        ],
        "recipients": "owner@example.com",
        "replyTo": 3,
        "extraFields": "maybe",
        "captcha": "true",
        "autoresponse": ["subject"],
        "__proto__": {},
    }
    problems = error_fields(put_form("quote", hostile))
    assert {"name", "fields[0].name", "fields[0].label", "fields[0].type", "fields[0].required",
            "fields[1].label", "fields[1].options", "fields[2].min", "fields[2].max",
            "fields[3].name", "fields[3].maxLength", "fields[4]", "fields[5]", "fields[6]",
            "fields[7].extra", "recipients", "replyTo", "extraFields", "captcha",
            "autoresponse", "__proto__"} == set(problems)
