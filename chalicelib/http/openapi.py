"""GET /openapi.json: the API described from the app itself.

Paths, methods and security come from the registered routes and their roles;
what each reads (body, query, headers) and answers from its @responds beside it
in app.py (chalicelib/http/operations.py); the statuses every operation of a
kind can answer (a body: 400/413/415, a role: 401/403, DynamoDB: 503) are added
from what it is. Request and response schemas come from the msgspec Structs
that validate the bodies and write the answers. What is left here cannot be
derived: summaries, links, parameter descriptions. Tests walk every
route, probe it, and fail on any operation, parameter or status the document
misses (tests/http/test_openapi_contract.py); `make fuzz` does the same at scale.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import msgspec
from chalice import Chalice

from chalicelib.api import audit, bodies, form_bodies, message_bodies, person_bodies, uploads
from chalicelib.attachments.uploads import UploadRequest
from chalicelib.audit.entry import ACTIONS
from chalicelib.auth.roles import Role, role_of
from chalicelib.contact.model import STATUSES, ContactSubmission, StatusChange
from chalicelib.core import text
from chalicelib.core.idempotency import HEADER as IDEMPOTENCY_KEY
from chalicelib.dashboard.bulk import BulkChange
from chalicelib.dashboard.replies import ReplyBody
from chalicelib.forms.model import FORM_ID, FormDefinition
from chalicelib.http.operations import CSV, HTML, JSON, Operation, operation_of
from chalicelib.http.responses import Error
from chalicelib.http.routing import not_routed
from chalicelib.spam.rules import SpamRules
from chalicelib.users.model import UserCreate, UserUpdate

# The bodies that are not JSON objects of ours: the rest are derived from their
# Structs (chalicelib/api/bodies.py, message_bodies.py, http/responses.py).
RESPONSE_SCHEMAS: dict[str, dict[str, Any]] = {
    "OpenApi": {"type": "object", "required": ["openapi", "info", "paths"]},
    "Csv": {"type": "string", "description": "RFC 4180, a header row first"},
    "HtmlPage": {"type": "string", "description": "A self-contained HTML page (UTF-8)"},
    "JsonSchema": {"type": "object", "description": "A form's fields as JSON Schema (draft "
                                                    "2020-12), for the JSON body of a post"},
}
# The request bodies that are no Struct of ours: a post to a form is whatever
# object its fields make (GET /forms/{form_id}/schema describes each form's).
REQUEST_SCHEMAS: dict[str, dict[str, Any]] = {
    "FormSubmission": {
        "type": "object", "properties": {},
        "additionalProperties": {"anyOf": [
            {"type": ["string", "number", "boolean"]},
            {"type": "array", "items": {"type": "string"}, "maxItems": 5}]},
        "description": "The form's fields by name (GET /forms/{form_id}/schema has them; a "
                       "file field's value is the list of its uploads' ids), "
                       "and optionally _subject (the owner mail's topic) and the honeypots "
                       "website and _gotcha, left empty"},
}
ANSWERS: tuple[type[msgspec.Struct], ...] = (*bodies.ANSWERS, *message_bodies.ANSWERS,
                                             *form_bodies.ANSWERS, *person_bodies.ANSWERS,
                                             *audit.ANSWERS, *uploads.ANSWERS, Error)

# Whatever the pipeline adds to every answer of an operation of that kind.
ERROR_DESCRIPTIONS = {
    400: "Malformed: every bad field, header or parameter is listed in `details`",
    401: "No valid ID token (Authorization: Bearer <token>)",
    403: "Signed in without the admin role, or no valid X-Api-Key",
    404: "No such record",
    409: "Conflicts with the current state",
    412: "If-Match names no current version of the record",
    413: "The body is larger than the limit",
    415: "The body is not application/json in UTF-8",
    428: "If-Match is required",
    429: "Too many requests from this client or admin; see Retry-After",
    500: "An unexpected error (a bug): nothing internal is disclosed",
    503: "A dependency (DynamoDB, SES, Cognito's keys) is busy or unavailable; see Retry-After",
}

# Cursors are opaque: only one this API returned (nextCursor) is valid.
CURSOR_FORMAT = "frontdesk-cursor"
# An ETag list as If-Match takes it (RFC 9110): "*" or "3", "4".
ETAG_LIST = r'(\*|(W/)?"[\x21\x23-\x7e\x80-\xff]*"([ \t]*,[ \t]*(W/)?"[\x21\x23-\x7e\x80-\xff]*")*)'

# An export's time bound; empty is the same as absent (no bound).
_MOMENT = {"type": "string", "anyOf": [{"format": "date-time", "maxLength": 40}, {"maxLength": 0}]}

PARAMETERS: dict[str, dict[str, Any]] = {
    "limit": {"name": "limit", "in": "query", "description": "Items per page",
              "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}},
    "cursor": {"name": "cursor", "in": "query",
               "description": "The nextCursor of the previous page of the same list",
               "schema": {"type": "string", "format": CURSOR_FORMAT, "maxLength": 200}},
    "status": {"name": "status", "in": "query",
               "description": "Which messages to list: one status, or all (empty or absent: new; "
                              "all when searching with email or q)",
               "schema": {"enum": [*STATUSES, "all", ""]}},
    "sender": {"name": "email", "in": "query",
               "description": "Only the messages from this address, whatever its case or "
                              "+tag (through the sender index, at flat cost; empty or absent: "
                              "any)",
               "schema": {}},  # filled in from the Email type below
    "q": {"name": "q", "in": "query",
          "description": "Words every message found holds, in its name, email, subject, text "
                         "or fields, whatever their case and accents. A search examines at most "
                         "500 messages, newest first, and says how many (searched); its "
                         "nextCursor searches on (empty or absent: no search)",
          "schema": {"type": "string", "maxLength": 200}},
    "form": {"name": "form", "in": "query",
             "description": "Only the messages posted to this form (a deleted form's too; "
                            "empty or absent: every form)",
             "schema": {"type": "string", "pattern": f"{FORM_ID}|^{text.END}"}},
    "export_form": {"name": "form", "in": "query",
                    "description": "Only the messages posted to this form, one column per "
                                   "field of its current definition (empty or absent: every "
                                   "form, the contact form's columns)",
                    "schema": {"type": "string", "pattern": f"{FORM_ID}|^{text.END}"}},
    "format": {"name": "format", "in": "query",
               "description": "json: the same page as an attachment, to save (empty or "
                              "absent: shown)",
               "schema": {"enum": ["json", ""]}},
    "email": {"name": "email", "in": "query",
              "description": "Find the one user with this email (limit and cursor are ignored)",
              "schema": {}},  # filled in from the Email type below
    "export_status": {"name": "status", "in": "query",
                      "description": "Only messages of this status (all, empty or absent: "
                                     "every status)",
                      "schema": {"enum": [*STATUSES, "all", ""]}},
    "from": {"name": "from", "in": "query",
             "description": "Received at or after (ISO 8601: a date-time, or a date)",
             "schema": _MOMENT},
    "to": {"name": "to", "in": "query",
           "description": "Received before (ISO 8601: a date-time, or a date)",
           "schema": _MOMENT},
    "actor": {"name": "actor", "in": "query",
              "description": "Only this actor's entries: an admin's sub (an entry's actor.sub; "
                             "\"operator\" for make admin; empty or absent: every actor)",
              "schema": {"type": "string", "maxLength": audit.MAX_ACTOR,
                         "pattern": "^[\\x21-\\x7e]*$"}},
    "action": {"name": "action", "in": "query",
               "description": "Only entries of this action (empty or absent: every action)",
               "schema": {"enum": [*ACTIONS, ""]}},
    "export_cursor": {"name": "cursor", "in": "query",
                      "description": "From the previous page's Link header",
                      "schema": {"type": "string", "format": CURSOR_FORMAT, "maxLength": 200}},
    "If-Match": {"name": "If-Match", "in": "header",
                 "description": 'The ETag last read ("3"), several, or "*" for any current version',
                 "schema": {"type": "string", "pattern": f"^[ \t]*{ETAG_LIST}[ \t]*$"}},
    "If-None-Match": {"name": "If-None-Match", "in": "header",
                      "description": '"*": create only; a form with this id already there is '
                                     "412 and stays as it is",
                      "schema": {"type": "string", "pattern": r"^[ \t]*\*?[ \t]*$"}},
    IDEMPOTENCY_KEY: {"name": IDEMPOTENCY_KEY, "in": "header",
                      "description": "A key of your own (a UUID): a retry with the same key and "
                                     "body gets the first answer; another body gets 409",
                      "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{8,128}$"}},
}

HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {"description": "The record's version, for If-Match", "schema": {"type": "string"}},
    "Location": {"description": "The new record's address; a redirect's target",
                 "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}},
    "Link": {"description": '<?...cursor=...>; rel="next" while rows remain',
             "schema": {"type": "string"}},
    "Content-Disposition": {"description": "attachment; filename=...",
                            "schema": {"type": "string"}},
    "Cache-Control": {"description": "How long the answer may be cached",
                      "schema": {"type": "string"}},
}


def _link(operation_id: str, id_from: str, *, etag: bool = False) -> dict[str, Any]:
    parameters = {("message_id" if "message" in operation_id else "user_id"): id_from}
    if etag:
        parameters["header.If-Match"] = "$response.header.ETag"
    return {"operationId": operation_id, "parameters": parameters}


_USER_LINKS = {"GetUser": _link("get_user", "$response.body#/id"),
               "UpdateUser": _link("update_user", "$response.body#/id", etag=True),
               "DeleteUser": _link("delete_user", "$response.body#/id", etag=True)}
_MESSAGE_LINKS = {"GetMessage": _link("get_message", "$response.body#/id"),
                  "UpdateMessage": _link("update_message", "$response.body#/id"),
                  "DeleteMessage": _link("delete_message", "$response.body#/id")}

# What a route's declaration cannot say: a line of prose, and the links a client
# follows next. By view name (the operationId); what each route answers and reads
# is declared beside it in app.py (@responds, chalicelib/http/operations.py).
SUMMARIES: dict[str, str] = {
    "health": "Liveness check",
    "openapi_document": "This document",
    "submit_contact": "Submit the contact form (the same as POST /forms/contact)",
    "submit_form": "Post to a form: its fields as JSON or as a plain HTML form",
    "get_form_page": "A form as an HTML page of its own that works without JavaScript "
                     "(a plain form posting to POST /forms/{form_id})",
    "get_form_site_page": "form.html?form={form_id} as the site serves it (its CloudFront "
                          "routes that address here): the site's page with the form drawn in, "
                          "which works without JavaScript, and the site's script that draws it "
                          "with",
    "get_form_schema": "A form's fields as JSON Schema, to check a post before sending it",
    "download_attachment": "Download one of a message's attachments: a redirect to a "
                           "presigned S3 GET, valid 5 minutes, answered as a download",
    "request_upload": "Ask to upload one file for a form's file field: a presigned S3 POST, "
                      "valid 5 minutes",
    "get_me": "The signed-in caller and their Users record",
    "list_users": "List users, newest first, or find one by email",
    "create_user": "Create a user",
    "export_users": "Users as CSV; at most a configured number of rows per call, the rest "
                    "behind the Link rel=\"next\" header",
    "get_user": "Get a user (with its ETag)",
    "update_user": "Change a user: absent fields stay, \"age\": null removes the age",
    "delete_user": "Delete a user (If-Match optional)",
    "list_messages": "List messages of one status, newest first",
    "export_messages": "Messages as CSV; at most a configured number of rows per call, the "
                       "rest behind the Link rel=\"next\" header",
    "get_message": "Get a message with its replies",
    "update_message": "Change a message's status",
    "bulk_messages": "Mark read, archive, mark spam or not spam, or delete up to 100 "
                     "messages: one result per id, one bad id never failing the others",
    "delete_message": "Delete a message",
    "reply_to_message": "Reply to the message's sender by email; the reply is stored, then mailed",
    "get_stats": "Counts for the dashboard",
    "get_person": "Everything stored about one address (any case or +tag of it), a page at a "
                  "time; format=json answers it as a file to save",
    "erase_person": "Erase everything stored about one address: idempotent, and a call cut "
                    "short is finished by the next (complete: false asks for another)",
    "list_audit": "The audit log: every admin write, newest first, by actor or action; "
                  "entries are kept auditRetentionDays and never changed through the API",
    "get_spam_rules": "The spam rules applied to every form's posts (with their ETag)",
    "put_spam_rules": "Replace the spam rules (If-Match optional); absent fields are empty",
    "list_forms": "List the forms, the built-in contact form included, sorted by id",
    "get_form": "Get a form's definition (with its ETag)",
    "put_form": "Create (201) or replace (200) a form; If-Match optional, If-None-Match: * "
                "only creates",
    "delete_form": "Delete a form (If-Match optional); the contact form cannot be deleted (409)",
    "service_get_user": "Get a user (API key)",
    "service_create_user": "Create a user (API key)",
}
LINKS: dict[str, dict[str, dict[str, Any]]] = {
    "submit_contact": _MESSAGE_LINKS,
    "submit_form": _MESSAGE_LINKS,
    "create_user": _USER_LINKS,
    "get_user": {k: v for k, v in _USER_LINKS.items() if k != "GetUser"},
    "update_user": {k: v for k, v in _USER_LINKS.items() if k != "UpdateUser"},
    "get_message": {k: v for k, v in _MESSAGE_LINKS.items() if k != "GetMessage"},
    "update_message": {"DeleteMessage": _MESSAGE_LINKS["DeleteMessage"]},
    "service_create_user": {"GetUser": {"operationId": "service_get_user",
                                        "parameters": {"user_id": "$response.body#/id"}}},
}
# The request bodies' models, by the names routes give them.
REQUEST_MODELS: tuple[type[msgspec.Struct], ...] = (
    UserCreate, UserUpdate, ContactSubmission, StatusChange, ReplyBody, FormDefinition, BulkChange,
    UploadRequest,
    SpamRules)

_PAGE_FIELDS = {
    "_next": "thank-you page, on one of the stage's allowed origins",
    "_error": "error page, given ?error=<code>&fields=<names>; on one of the allowed origins",
}


def _page_fields(allowed_origins: tuple[str, ...]) -> dict[str, Any]:
    """The hidden page fields, with exactly the addresses the API accepts
    (chalicelib/http/redirects.py): an allowed origin, then a path, query or
    fragment in printable ASCII without backslashes; or empty. None without origins."""
    origins = sorted({o.lower() for o in allowed_origins if o and o != "*"})
    if not origins:
        return {}
    # Empty counts as not sent (the stage's own page, or the API's).
    pattern = "^(?:(?:" + "|".join(re.escape(o) for o in origins) + r")(?:[/?#][!-\[\]-~]*)?)?$"
    return {name: {"type": "string", "pattern": pattern, "description": text}
            for name, text in _PAGE_FIELDS.items()}
_HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}


def _with_form_post(operation: dict[str, Any], model_schema: dict[str, Any],
                    allowed_origins: tuple[str, ...]) -> None:
    """The same fields as a form, plus the hidden page fields; a form is answered
    with a 303 (or, without pages, an HTML page with the error's own status)."""
    form_schema = {**model_schema, "properties": {**model_schema["properties"],
                                                  **_page_fields(allowed_origins)}}
    operation["requestBody"]["content"]["application/x-www-form-urlencoded"] = {
        "schema": form_schema}
    operation["responses"]["303"] = {
        "description": "A form post: to the thank-you page, or to the error page with "
                       "?error=<code>&fields=<comma-separated names>",
        "headers": {"Location": {"schema": {"type": "string"}}}}
    operation["responses"]["200"] = {
        "description": "A form post without a thank-you page: a short HTML page",
        "content": _HTML_PAGE}
    for status, response in operation["responses"].items():
        if status[0] in "45" and "content" in response:
            # Without an error page, a form post's error is that same status as HTML.
            response["content"] = {**response["content"], **_HTML_PAGE}


_SECURITY: dict[Role, list[dict[str, list[str]]]] = {
    Role.SIGNED_IN: [{"cognito": []}], Role.ADMIN: [{"cognito": []}],
    Role.SERVICE: [{"apiKey": []}], Role.PUBLIC: [],
}
_ROLE_STATUSES = {Role.SIGNED_IN: (401,), Role.ADMIN: (401, 403), Role.SERVICE: (403,),
                  Role.PUBLIC: ()}


def statuses_of(operation: Operation, role: Role, path_params: list[str]) -> list[int]:
    """Every status the operation can answer: its own, and its kind's."""
    statuses = {operation.success, *operation.statuses, *_ROLE_STATUSES[role]}
    if operation.creates:
        statuses.add(201)
    if operation.alternative:
        statuses.add(200)
    if operation.body is not None:
        statuses |= {400, 413, 415}
    if operation.query or operation.headers:
        statuses.add(400)
    if path_params and not operation.creates and not operation.empty_when_absent:
        statuses.add(404)
    if operation.uses_aws or role in (Role.SIGNED_IN, Role.ADMIN):
        statuses.add(503)  # DynamoDB, or (outside Lambda) the user pool's keys
    if operation.uses_aws:
        statuses.add(500)  # an answer from AWS the code does not understand
    return sorted(statuses)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


# -- request schemas as sent --------------------------------------------------
# The models validate values after normalizing them (spaces trimmed around
# names and emails). The document describes what may be *sent*, so such a
# field's limits move from minLength/maxLength into a pattern that allows the
# spaces around them: exactly what the API accepts, no more, no less.

_RUN_OF = re.compile(r"\^\[\^(?P<chars>.+)\]\*" + re.escape(text.END) + "$")


def _trimmed(schema: dict[str, Any]) -> dict[str, Any]:
    pattern = schema.get("pattern", "")
    run = _RUN_OF.match(pattern)
    if run is None:  # a structured pattern (email): spaces may surround it
        core = pattern.removeprefix("^").removesuffix(text.END)
        return {**schema, "pattern": f"^ *{core} *{text.END}"}
    edge, inner = f"[^{run['chars']} ]", f"[^{run['chars']}]"
    low, high = schema.pop("minLength", 0), schema.pop("maxLength")
    if low >= 2:
        content = f"{edge}{inner}{{{low - 2},{high - 2}}}{edge}"
    else:
        content = f"{edge}(?:{inner}{{0,{high - 2}}}{edge})?"
        if low == 0:
            content = f"(?:{content})?"
    return {**schema, "pattern": f"^ *{content} *{text.END}"}


# Rules that span fields, which the models' own schemas cannot carry.
_MODEL_RULES = {"UserUpdate": {"minProperties": 1}}  # UsersApi.update: change something


def _as_sent(schemas: dict[str, Any], models: list[type[msgspec.Struct]]) -> dict[str, Any]:
    for model in models:
        schemas[model.__name__].update(_MODEL_RULES.get(model.__name__, {}))
        normalize: dict[str, Callable[[str], str]] = getattr(model, "normalize", {})
        properties = schemas[model.__name__]["properties"]
        for name, function in normalize.items():
            if function in (text.trim_spaces, text.email_form):
                properties[name] = _as_sent_property(properties[name])
    return schemas


def _as_sent_property(schema: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" in schema:
        return {**schema, "anyOf": [_as_sent_property(s) for s in schema["anyOf"]]}
    return _trimmed(dict(schema)) if schema.get("type") == "string" else schema


# -- the document -------------------------------------------------------------

def _response(status: int, operation: Operation, links: dict[str, Any]) -> dict[str, Any]:
    if operation.alternative and status == 200:
        return {"description": "Asked with Accept: application/json: where the redirect goes",
                "content": {JSON: {"schema": _ref(operation.alternative)}}}
    if status == operation.success and 300 <= status < 400:
        return {"description": "Redirect", "headers": {
            name: HEADERS[name] for name in operation.success_headers}}
    if status == operation.success or (operation.creates and status == 201):
        answer: dict[str, Any] = {"description": "Created" if status == 201 and operation.creates
                                  else "Success"}
        if operation.answer:
            answer["content"] = {operation.media_type: {"schema": _ref(operation.answer)}}
        if operation.success_headers:
            answer["headers"] = {name: HEADERS[name] for name in operation.success_headers}
        if operation.media_type == CSV:  # only while rows remain, so not in success_headers
            answer.setdefault("headers", {})["Link"] = HEADERS["Link"]
        if links:
            answer["links"] = links
        return answer
    answer = {"description": ERROR_DESCRIPTIONS[status],
              "content": {JSON: {"schema": _ref("Error")}}}
    if status == 404 and operation.media_type == HTML:
        # A visitor who followed a bad link gets a page saying so, not JSON.
        answer["content"] = {HTML: {"schema": _ref("HtmlPage")}}
    if status in (429, 503):
        answer["headers"] = {"Retry-After": HEADERS["Retry-After"]}
    return answer


def _header(parameter: dict[str, Any], *, required: bool) -> dict[str, Any]:
    if parameter["name"] == "If-Match" and not required:
        # Where If-Match is optional, an empty one is the same as none.
        parameter = {**parameter, "schema": {"type": "string", "pattern": f"^[ \t]*{ETAG_LIST}?[ \t]*$"}}
    return {**parameter, "required": required}


def build_document(app: Chalice, *, version: str = "1.0.0",
                   allowed_origins: tuple[str, ...] = ()) -> dict[str, Any]:
    models = sorted(REQUEST_MODELS, key=lambda m: m.__name__)
    _, model_schemas = msgspec.json.schema_components(
        [*models, *ANSWERS], ref_template="#/components/schemas/{name}")
    model_schemas = {**_as_sent(model_schemas, models), **REQUEST_SCHEMAS}
    email = model_schemas["UserCreate"]["properties"]["email"]
    parameters = {**PARAMETERS, "email": {**PARAMETERS["email"], "schema": email},
                  "sender": {**PARAMETERS["sender"], "schema": {
                      "anyOf": [email, {"const": ""}]}}}
    paths: dict[str, dict[str, Any]] = {}
    for path, entries in sorted(app.routes.items()):
        for method, entry in entries.items():
            if entry.view_function is not_routed:
                continue
            operation = operation_of(entry.view_function)
            if operation is None:
                raise LookupError(f"{method} {path} declares no @responds")
            role = role_of(entry.view_function) or Role.PUBLIC
            spec: dict[str, Any] = {
                "operationId": entry.view_name, "summary": SUMMARIES[entry.view_name],
                "tags": [role.value], "security": _SECURITY[role],
                "responses": {str(status): _response(status, operation,
                                                     LINKS.get(entry.view_name, {}))
                              for status in statuses_of(operation, role, entry.view_args)},
            }
            if operation.body is not None:
                spec["requestBody"] = {"required": True, "content": {
                    JSON: {"schema": _ref(operation.body)}}}
                if operation.form_post:
                    _with_form_post(spec, model_schemas[operation.body], allowed_origins)
            # A path's {email} is an address by the same rule as a body's email.
            params = [{"name": name, "in": "path", "required": True,
                       "schema": email if name == "email" else {"type": "string"}}
                      for name in entry.view_args]
            params += [parameters[name] for name in operation.query]
            params += [_header(parameters[name], required=name in operation.required_headers)
                       for name in operation.headers]
            if params:
                spec["parameters"] = params
            paths.setdefault(path, {})[method.lower()] = spec
    unknown = {ref for item in paths.values() for spec in item.values()
               for ref in _refs(spec)} - {*model_schemas, *RESPONSE_SCHEMAS}
    if unknown:
        raise LookupError(f"routes name bodies no Struct declares: {sorted(unknown)}")
    return {
        "openapi": "3.1.0",
        "info": {"title": "Frontdesk API", "version": version,
                 "description": "Contact form, users and admin dashboard for a website. "
                                "Every error has the Error shape; a JSON number with no "
                                "fraction (50.0) counts as an integer."},
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


def _refs(value: Any) -> Iterator[str]:
    """The schema names `value` refers to."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str):
                yield item.rsplit("/", 1)[-1]
            else:
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


@lru_cache(maxsize=1)
def document_for(app: Chalice, allowed_origins: tuple[str, ...] = ()) -> dict[str, Any]:
    """Built on first request, then kept for the container's life."""
    return build_document(app, allowed_origins=allowed_origins)
