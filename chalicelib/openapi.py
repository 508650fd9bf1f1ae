"""GET /openapi.json: the API described from the app itself.

Paths, methods and security come from the registered routes and their roles;
request bodies from the same msgspec models that validate them. Only the
summaries and response schemas below are written by hand, and a test checks
real responses against them, so the document cannot drift from the code.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import msgspec
from chalice import Chalice

from chalicelib.auth.roles import Role, role_of
from chalicelib.contact.model import STATUSES, ContactSubmission, StatusChange
from chalicelib.dashboard.replies import ReplyBody
from chalicelib.errors import ERROR_BY_STATUS
from chalicelib.http.routing import not_routed
from chalicelib.users.model import UserCreate, UserUpdate

_ISO = {"type": "string", "format": "date-time"}
RESPONSE_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message", "requestId"],
        "properties": {
            "code": {"type": "string", "enum": sorted({c.code for c in ERROR_BY_STATUS.values()}
                                                      | {"validation_failed"})},
            "message": {"type": "string"}, "requestId": {"type": "string"},
            "details": {"type": "array", "items": {
                "type": "object", "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}}}}},
    "User": {"type": "object", "additionalProperties": False,
             "required": ["id", "name", "email", "createdAt", "updatedAt", "version"],
             "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                            "email": {"type": "string"}, "age": {"type": "integer"},
                            "createdAt": _ISO, "updatedAt": _ISO, "version": {"type": "integer"}}},
    "UserPage": {"type": "object", "required": ["items", "nextCursor"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
        "nextCursor": {"type": ["string", "null"]}}},
    "Me": {"type": "object", "required": ["sub", "email", "groups", "user"], "properties": {
        "sub": {"type": "string"}, "email": {"type": ["string", "null"]},
        "groups": {"type": "array", "items": {"type": "string"}},
        "user": {"oneOf": [{"$ref": "#/components/schemas/User"}, {"type": "null"}]}}},
    "ContactReceived": {"type": "object", "required": ["id", "status"], "properties": {
        "id": {"type": "string"}, "status": {"const": "received"}}},
    "Message": {"type": "object", "additionalProperties": False,
                "required": ["id", "name", "email", "message", "status", "createdAt",
                             "updatedAt", "notification"],
                "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"},
                    "email": {"type": "string"}, "subject": {"type": "string"},
                    "message": {"type": "string"},
                    "status": {"enum": list(STATUSES)},
                    "createdAt": _ISO, "updatedAt": _ISO,
                    "replyCount": {"type": "integer"},
                    "notification": {"type": "object", "required": ["status", "attempts"],
                                     "properties": {
                                         "status": {"enum": ["pending", "sent", "failed"]},
                                         "attempts": {"type": "integer"},
                                         "nextAttemptAt": _ISO, "sentAt": _ISO,
                                         "lastError": {"type": "string"}}}}},
    "Reply": {"type": "object", "additionalProperties": False,
              "required": ["id", "body", "author", "createdAt", "status", "attempts"],
              "properties": {"id": {"type": "string"}, "body": {"type": "string"},
                             "author": {"type": "string"}, "createdAt": _ISO,
                             "status": {"enum": ["pending", "sent", "failed"]},
                             "attempts": {"type": "integer"}, "sentAt": _ISO,
                             "lastError": {"type": "string"}}},
    "ReplyAccepted": {"type": "object", "required": ["id", "status"], "properties": {
        "id": {"type": "string"}, "status": {"const": "pending"}}},
    "MessagePage": {"type": "object", "required": ["items", "nextCursor"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
        "nextCursor": {"type": ["string", "null"]}}},
    "Stats": {"type": "object", "required": ["users", "messages", "notifications"], "properties": {
        "users": {"type": "integer"},
        "messages": {"type": "object", "required": ["new", "read", "archived"],
                     "properties": {s: {"type": "integer"} for s in STATUSES}},
        "notifications": {"type": "object", "required": ["pending", "failed"],
                          "properties": {s: {"type": "integer"} for s in ("pending", "failed")}}}},
    "Health": {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}}},
}

CSV = "text/csv"  # a response that is a CSV file, not JSON
_QUERY = {"in": "query", "required": False, "schema": {"type": "string"}}
QUERY_PARAMETERS: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("GET", "/dashboard/messages/export"): [
        {"name": "status", **_QUERY, "schema": {"enum": list(STATUSES)},
         "description": "only this status (default: every status)"},
        {"name": "from", **_QUERY, "description": "ISO 8601; received at or after"},
        {"name": "to", **_QUERY, "description": "ISO 8601; received before"},
        {"name": "cursor", **_QUERY, "description": "from the previous page's Link header"}],
    ("GET", "/users/export"): [
        {"name": "cursor", **_QUERY, "description": "from the previous page's Link header"}],
    ("POST", "/dashboard/messages/{message_id}/replies"): [
        {"name": "Idempotency-Key", "in": "header", "required": False,
         "schema": {"type": "string", "minLength": 8, "maxLength": 128}}],
}
_CSV_RESPONSE = {
    "content": {CSV: {"schema": {"type": "string"}}},
    "headers": {"Link": {"schema": {"type": "string"},
                         "description": "<...?cursor=...>; rel=\"next\" while rows remain"},
                "Content-Disposition": {"schema": {"type": "string"}}},
}

# A message as GET /dashboard/messages/{id} answers it: with its replies.
_MESSAGE = RESPONSE_SCHEMAS["Message"]
RESPONSE_SCHEMAS["MessageThread"] = {
    **_MESSAGE, "required": [*_MESSAGE["required"], "replies"],
    "properties": {**_MESSAGE["properties"], "replies": {
        "type": "array", "description": "oldest first",
        "items": {"$ref": "#/components/schemas/Reply"}},
        # On a stage with chat notifications: the chat post's delivery (chalicelib/contact/chat.py).
        "chat": {**_MESSAGE["properties"]["notification"],
                 "description": "the chat webhook's delivery; absent without one"}}}
_COUNTS = {"type": "object", "required": ["pending", "failed"],
           "properties": {s: {"type": "integer"} for s in ("pending", "failed")}}
RESPONSE_SCHEMAS["Stats"]["properties"]["deliveries"] = {
    "type": "object", "description": "pending and failed deliveries per channel",
    "properties": {"email": _COUNTS, "chat": _COUNTS}}

# (method, path) -> summary, request model, success status, response schema.
OPERATIONS: dict[tuple[str, str], tuple[str, type[msgspec.Struct] | None, int, str | None]] = {
    ("GET", "/health"): ("Liveness check", None, 200, "Health"),
    ("GET", "/openapi.json"): ("This document", None, 200, None),
    ("POST", "/contact"): ("Submit the contact form (optional Idempotency-Key header)",
                           ContactSubmission, 202, "ContactReceived"),
    ("GET", "/me"): ("The signed-in caller and their Users record", None, 200, "Me"),
    ("GET", "/users"): ("List users, newest first (limit, cursor) or find one (email)",
                        None, 200, "UserPage"),
    ("POST", "/users"): ("Create a user", UserCreate, 201, "User"),
    ("GET", "/users/{user_id}"): ("Get a user (with ETag)", None, 200, "User"),
    ("PATCH", "/users/{user_id}"): ("Update a user (If-Match required)", UserUpdate, 200, "User"),
    ("DELETE", "/users/{user_id}"): ("Delete a user", None, 204, None),
    ("GET", "/dashboard/messages"): ("List messages by status (status, limit, cursor)",
                                     None, 200, "MessagePage"),
    ("GET", "/dashboard/messages/{message_id}"): ("Get a message with its replies", None, 200,
                                                  "MessageThread"),
    ("PATCH", "/dashboard/messages/{message_id}"): ("Change a message's status", StatusChange,
                                                    200, "MessageThread"),
    ("POST", "/dashboard/messages/{message_id}/replies"): (
        "Reply to the message's sender by email (optional Idempotency-Key header); the reply "
        "is stored, then mailed", ReplyBody, 202, "ReplyAccepted"),
    ("GET", "/dashboard/messages/export"): (
        "Messages as CSV (status, from, to, cursor); at most a configured number of rows per "
        "call, the rest behind the Link rel=\"next\" header", None, 200, CSV),
    ("GET", "/users/export"): (
        "Users as CSV (cursor); at most a configured number of rows per call, the rest behind "
        "the Link rel=\"next\" header", None, 200, CSV),
    ("DELETE", "/dashboard/messages/{message_id}"): ("Delete a message", None, 204, None),
    ("GET", "/dashboard/stats"): ("Counts for the dashboard", None, 200, "Stats"),
    ("GET", "/service/users/{user_id}"): ("Get a user (API key)", None, 200, "User"),
    ("POST", "/service/users"): ("Create a user (API key)", UserCreate, 201, "User"),
}

# Operations that also take a plain HTML form post (chalicelib/api/contact_form.py).
FORM_POSTS = {("POST", "/contact")}
_FORM_FIELDS = {
    "_next": {"type": "string", "format": "uri",
              "description": "thank-you page; its origin must be one of the stage's allowed "
                             "origins"},
    "_error": {"type": "string", "format": "uri",
               "description": "error page, given ?error=<code>&fields=<names>; same rule"},
}
_HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}


def _with_form_post(operation: dict[str, Any], model_schema: dict[str, Any]) -> None:
    """The same fields as a form, plus the hidden page fields; a form is answered
    with a 303 (or, without pages, an HTML page with the error's own status)."""
    form_schema = {**model_schema, "properties": {**model_schema["properties"], **_FORM_FIELDS}}
    operation["requestBody"]["content"]["application/x-www-form-urlencoded"] = {
        "schema": form_schema}
    operation["responses"]["303"] = {
        "description": "A form post: to the thank-you page, or to the error page with "
                       "?error=<code>&fields=<comma-separated names>",
        "headers": {"Location": {"schema": {"type": "string"}}}}
    operation["responses"]["200"] = {
        "description": "A form post without a thank-you page: a short HTML page",
        "content": _HTML_PAGE}
    operation["responses"]["default"]["content"] = {
        **operation["responses"]["default"]["content"], **_HTML_PAGE}
    operation["responses"]["default"]["description"] = (
        "An error: JSON, or for a form post without an error page, an HTML page")


_SECURITY: dict[Role, list[dict[str, list[str]]]] = {
    Role.SIGNED_IN: [{"cognito": []}], Role.ADMIN: [{"cognito": []}],
    Role.SERVICE: [{"apiKey": []}], Role.PUBLIC: [],
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def build_document(app: Chalice, *, version: str = "1.0.0") -> dict[str, Any]:
    models = sorted({m for _, m, _, _ in OPERATIONS.values() if m is not None},
                    key=lambda m: m.__name__)
    _, model_schemas = msgspec.json.schema_components(
        models, ref_template="#/components/schemas/{name}")
    paths: dict[str, dict[str, Any]] = {}
    for path, entries in sorted(app.routes.items()):
        for method, entry in entries.items():
            if entry.view_function is not_routed:
                continue
            summary, model, status, response = OPERATIONS[(method, path)]
            role = role_of(entry.view_function) or Role.PUBLIC
            operation: dict[str, Any] = {
                "operationId": entry.view_name, "summary": summary,
                "tags": [role.value], "security": _SECURITY[role],
                "responses": {str(status): {"description": "Success"} | (
                    _CSV_RESPONSE if response == CSV else
                    {"content": {"application/json": {"schema": _ref(response)}}}
                    if response else {}),
                    "default": {"description": "An error",
                                "content": {"application/json": {"schema": _ref("Error")}}}},
            }
            if model is not None:
                operation["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": _ref(model.__name__)}}}
                if (method, path) in FORM_POSTS:
                    _with_form_post(operation, model_schemas[model.__name__])
            params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in entry.view_args] + QUERY_PARAMETERS.get((method, path), [])
            if params:
                operation["parameters"] = params
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Frontdesk API", "version": version,
                 "description": "Contact form, users and admin dashboard for a website."},
        "paths": paths,
        "components": {
            "schemas": {**model_schemas, **RESPONSE_SCHEMAS},
            "securitySchemes": {
                "cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                            "description": "A Cognito user pool ID token"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
        },
    }


@lru_cache(maxsize=1)
def document_for(app: Chalice) -> dict[str, Any]:
    """Built on first request, then kept for the container's life."""
    return build_document(app)
