"""The document is the contract: walk every route of app.py, probe it with
good and bad requests, and fail when /openapi.json misses an operation, a
parameter the code reads, or a status (with its body) the code answers.

What each route reads is observed, not taken from the document: a recording
middleware sits between the pipeline and the views and notes every header and
query parameter a view looks at, and whether it reads a body.
"""
from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from botocore.awsrequest import AWSResponse
from chalice.app import CaseInsensitiveMapping, Request
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource

from chalicelib.attachments.model import Attachment
from chalicelib.auth.roles import Role, role_of
from chalicelib.contact.store import MessageStore
from chalicelib.forms.definition import parse_definition
from chalicelib.forms.model import MAX_FORMS
from chalicelib.forms.store import FormStore
from chalicelib.http.operations import operation_of
from chalicelib.http.routing import not_routed
from tests.conftest import JSON, TEST_ORIGIN, LocalAws
from tests.contact.conftest import VALID
from tests.users.test_dynamodb_failures import _Raw

UNKNOWN_ID = "01JD0000000000000000000000"


def unknown_ids(names: list[str]) -> dict[str, str]:
    """Ids no record has; a form's is new each time (PUT creates it); an
    address nothing is stored about."""
    fresh = {"form_id": f"absent-{uuid.uuid4().hex[:8]}",
             "email": f"absent-{uuid.uuid4().hex[:8]}@example.com"}
    return {name: fresh.get(name, UNKNOWN_ID) for name in names}


# Read by the pipeline or Chalice for every route; the document covers them as
# security schemes (Authorization, X-Api-Key), CORS (Origin) and request and
# response bodies (Content-Type, Accept: OpenAPI ignores them as parameters).
# A form post also reads Referer and Host, only for the HTML page's "Back to the
# form" link (Host: whether the Referer is the form's own page on this API).
FRAMEWORK_HEADERS = {"authorization", "x-api-key", "origin", "content-type", "accept",
                     "referer", "host"}
VALID_BODIES = {
    "UserCreate": {"name": "Probe User", "email": "probe@example.com", "age": 40},
    "UserUpdate": {"name": "Probe Changed"},
    "ContactSubmission": VALID,
    "StatusChange": {"status": "read"},
    "BulkChange": {"ids": ["01KBD0000000000000000000A1"], "action": "archive"},
    "ReplyBody": {"body": "Thank you for writing."},
    "FormDefinition": {"name": "Probe form", "fields": [
        {"name": "email", "label": "Email", "type": "email", "required": True},
        {"name": "attachment", "label": "Attachment", "type": "file"}],
        "replyTo": "email"},
    "UploadRequest": {"field": "attachment", "filename": "probe.pdf",
                      "contentType": "application/pdf", "size": 1000},
    # A post to the probe's form (fresh_records below defines it).
    "FormSubmission": {"email": "visitor@example.com"},
    "SpamRules": {"blockedWords": ["casino"], "blockedSenders": ["spam.example"],
                  "maxLinks": 5, "duplicateWindowHours": 24},
}
# Valid too, but different: the same Idempotency-Key with it is a reused key.
OTHER_BODIES = {
    **{model: {**body, "name": "Someone Else", "email": "else@example.com"}
       for model, body in VALID_BODIES.items() if "email" in body},
    "ReplyBody": {"body": "Another reply."},
    "FormSubmission": {"email": "else@example.com"},
}
# Sent only while there is more to fetch (a CSV export's next page).
CONDITIONAL_HEADERS = {"Link"}


@dataclass
class Reads:
    headers: set[str] = field(default_factory=set)
    query: set[str] = field(default_factory=set)
    body: bool = False


class RecordingRequest(Request):
    recorded: Reads

    @property
    def raw_body(self) -> Any:
        self.recorded.body = True
        return super().raw_body


class RecordingHeaders(CaseInsensitiveMapping):
    def __init__(self, original: Mapping[str, Any], reads: Reads) -> None:
        super().__init__(dict(original))
        self._reads = reads

    def __getitem__(self, key: str) -> Any:
        self._reads.headers.add(key.lower())
        return super().__getitem__(key)


class RecordingQuery(Mapping[str, Any]):
    def __init__(self, original: Mapping[str, Any], reads: Reads) -> None:
        self._original = original
        self._reads = reads

    def __getitem__(self, key: str) -> Any:
        self._reads.query.add(key)
        return self._original[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._original)

    def __len__(self) -> int:
        return len(self._original)

    def __bool__(self) -> bool:
        return True  # so a view's `query or {}` keeps it, and its lookups are noted


@dataclass
class Recorder:
    """An HTTP middleware noting what each route's view reads."""
    reads: dict[tuple[str, str], Reads] = field(default_factory=lambda: defaultdict(Reads))

    def __call__(self, request: Request, get_response: Any) -> Any:
        reads = self.reads[(request.method, request.context["resourcePath"])]
        request.headers = RecordingHeaders(request.headers, reads)
        request.__class__ = RecordingRequest
        request.recorded = reads  # type: ignore[attr-defined]
        # Views see a mapping even without a query (Chalice gives None then),
        # so every lookup is noted. This runs after the pipeline, which has
        # already refused any parameter the route does not declare.
        request.query_params = RecordingQuery(request.query_params or {}, reads)  # type: ignore
        return get_response(request)


@pytest.fixture
def recorder(frontdesk_app: Any) -> Iterator[Recorder]:
    recording = Recorder()
    frontdesk_app.middleware_handlers.append((recording, "http"))
    yield recording
    frontdesk_app.middleware_handlers.remove((recording, "http"))


@pytest.fixture
def document(client: Any) -> dict[str, Any]:
    return dict(client.get("/openapi.json").json_body)


def operations(app: Any) -> list[tuple[str, str, Any]]:
    return [(method, path, entry) for path, entries in app.routes.items()
            for method, entry in entries.items() if entry.view_function is not not_routed]


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_the_document_has_every_operation_and_no_other(document: dict[str, Any],
                                                       frontdesk_app: Any) -> None:
    routed = {(method.lower(), path) for method, path, _ in operations(frontdesk_app)}
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert documented == routed


def test_path_parameters_and_security_match_the_routes(document: dict[str, Any],
                                                       frontdesk_app: Any) -> None:
    security = {Role.PUBLIC: [], Role.SIGNED_IN: [{"cognito": []}], Role.ADMIN: [{"cognito": []}],
                Role.SERVICE: [{"apiKey": []}]}
    for method, path, entry in operations(frontdesk_app):
        spec = document["paths"][path][method.lower()]
        declared = {p["name"] for p in spec.get("parameters", []) if p["in"] == "path"}
        assert declared == set(entry.view_args), (method, path)
        assert spec["security"] == security[role_of(entry.view_function)], (method, path)


class Prober:
    """Sends requests to one operation and keeps every answer for judging."""

    def __init__(self, client: Any, credentials: dict[Role, dict[str, str]], dynamodb: Any,
                 table: str) -> None:
        self.client = client
        self.credentials = credentials
        self.dynamodb = dynamodb
        self.table = table
        self.answers: list[tuple[str, str, Any]] = []

    def send(self, method: str, template: str, path: str, *, role: Role | None,
             body: bytes | None = None, headers: dict[str, str] | None = None,
             query: str = "") -> Any:
        # Host as every HTTP/1.1 request has it (the test client sends none).
        all_headers = {"Host": "api.frontdesk.test", "Origin": TEST_ORIGIN,
                       **(self.credentials.get(role, {}) if role else {}),
                       **(headers or {})}
        response = self.client.request(method, f"{path}?{query}" if query else path,
                                       headers=all_headers, body=body or b"")
        self.answers.append((method, template, response))
        return response


@pytest.fixture
def prober(client: Any, as_admin: dict[str, str], as_service: dict[str, str],
           user_token: str, local_aws: LocalAws, fresh_table: str) -> Prober:
    return Prober(client, {Role.ADMIN: as_admin, Role.SIGNED_IN: as_admin, Role.SERVICE: as_service,
                           Role.PUBLIC: {}}, local_aws.session.client("dynamodb"), fresh_table)


def fresh_records(prober: Prober) -> dict[str, str]:
    email = f"target{len(prober.answers)}-{uuid.uuid4().hex[:8]}@example.com"
    user = prober.client.post("/users", headers={**prober.credentials[Role.ADMIN], **JSON},
                              body=json.dumps({"name": "Target", "email": email}).encode()).json_body
    # Stored directly: the contact route's rate limit is for its own probes.
    message = MessageStore(prober.dynamodb, prober.table).create(VALID, None, attachments=[
        Attachment(uuid.uuid4().hex, "attachment", "probe.pdf", "application/pdf", 5)])
    form_id = f"probe-{uuid.uuid4().hex[:8]}"
    FormStore(prober.dynamodb, prober.table).put(
        form_id, parse_definition(VALID_BODIES["FormDefinition"]))
    return {"user_id": user["id"], "message_id": message["id"], "email": email,
            "form_id": form_id, "index": "0"}


def body_model(spec: dict[str, Any]) -> str | None:
    reference = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get(
        "schema", {}).get("$ref")
    return str(reference).rsplit("/", 1)[-1] if reference else None


def forget_rate_windows(prober: Prober) -> None:
    """Every client's rate windows gone: the contact form's limit is every
    form's (one per client), and each operation's probes start below it."""
    pages = prober.dynamodb.get_paginator("scan").paginate(
        TableName=prober.table, FilterExpression="begins_with(pk, :rate)",
        ExpressionAttributeValues={":rate": {"S": "RATE#"}}, ProjectionExpression="pk, sk")
    for page in pages:
        for key in page["Items"]:
            prober.dynamodb.delete_item(TableName=prober.table, Key=key)


def forget_probe_forms(prober: Prober) -> None:
    """The forms earlier probes made (fresh_records: one or more per route) gone,
    so the routes' probes together stay under the stage's cap of forms."""
    forms = FormStore(prober.dynamodb, prober.table)
    for form in forms.list():
        if form.id.startswith("probe-"):
            forms.delete(form.id)


def probe(prober: Prober, method: str, template: str, entry: Any, recorder: Recorder,
          document: dict[str, Any], user_token: str) -> None:
    forget_rate_windows(prober)
    forget_probe_forms(prober)
    role = role_of(entry.view_function)
    spec = document["paths"][template][method.lower()]
    ids = fresh_records(prober)
    path = template.format(**ids)
    model = body_model(spec)
    valid = dict(VALID_BODIES[model]) if model else {"probe": 1}
    if model == "UserCreate":  # each create route makes its own user
        valid["email"] = f"probe-{uuid.uuid4().hex[:8]}@example.com"
    good = json.dumps(valid).encode()
    as_json = dict(JSON)

    def send(**kwargs: Any) -> Any:
        kwargs.setdefault("role", role)
        kwargs.setdefault("body", good if method in ("POST", "PATCH", "PUT") else None)
        headers = {**(as_json if kwargs["body"] is not None else {}), **kwargs.pop("headers", {})}
        return prober.send(method, template, kwargs.pop("path", path), headers=headers, **kwargs)

    if_match = {"If-Match": '"1"'} if method == "PATCH" and "users" in template else {}
    send(headers=if_match)  # the happy path: observes what the view reads
    reads = recorder.reads[(method, template)]
    if role is not Role.PUBLIC:
        send(role=None)
        send(role=None, headers={"Authorization": "Bearer not-a-token", "X-Api-Key": "wrong"})
    if role is Role.ADMIN:
        send(headers={"Authorization": f"Bearer {user_token}"})
    if entry.view_args:
        send(path=template.format(**unknown_ids(entry.view_args)), headers=if_match)
    if "form_id" in entry.view_args:  # the built-in form: kept whole, never deleted
        send(path=template.format(form_id="contact"))
    if "email" in entry.view_args:  # an address that is none: refused, whatever it is for
        send(path=template.format(email="not-an-address"))
    if reads.body:
        for content_type, body in [("text/plain", good),
                                   ("application/json; charset=iso-8859-1", good),
                                   ("application/json", b"{not json"),
                                   ("application/json", b'{"unknown": 1}'),
                                   ("application/json", b'{"pad": "' + b"x" * 70_000 + b'"}')]:
            send(body=body, headers={**if_match, "Content-Type": content_type})
    if "if-match" in reads.headers:
        fresh = fresh_records(prober)
        target = template.format(**fresh)
        for value in ["2", '"99"', "*"]:
            send(path=target, headers={"If-Match": value})
        send(path=template.format(**fresh_records(prober)), headers={})
    if "idempotency-key" in reads.headers:
        send(headers={"Idempotency-Key": "bad key"})
        other = OTHER_BODIES[model]
        send(headers={"Idempotency-Key": "probe-key-0001"})
        send(headers={"Idempotency-Key": "probe-key-0001"}, body=json.dumps(other).encode())
    if operation_of(entry.view_function).alternative:  # type: ignore[union-attr]
        send(headers={"Accept": "application/json"})
    if "form" in reads.query:  # a form nobody defined: an export has no columns for it
        send(query="form=no-such-form")
    for name in reads.query:
        send(query=f"{name}=%00bad")
        send(query=f"{name}=")  # empty: as if not sent (a CSV export answers its rows)
    documented = {int(status) for status in spec["responses"]}
    if model == "UserUpdate":  # another user's email
        taken = fresh_records(prober)["email"]
        send(path=template.format(**fresh_records(prober)), headers={"If-Match": '"1"'},
             body=json.dumps({"email": taken}).encode())
    if "application/x-www-form-urlencoded" in spec.get("requestBody", {}).get("content", {}):
        form = urlencode(VALID_BODIES[model]).encode()
        as_form = {"Content-Type": "application/x-www-form-urlencoded"}
        send(body=form, headers=as_form)  # no page named: the API's own HTML page
        send(body=form + b"&" + urlencode({"_next": f"{TEST_ORIGIN}/thanks"}).encode(),
             headers=as_form)  # to the site's page
    if model == "FormDefinition":  # past the cap of forms
        forms = FormStore(prober.dynamodb, prober.table)
        fillers = [f"filler-{n}" for n in range(MAX_FORMS - len(forms.list()))]
        for filler in fillers:
            forms.put(filler, parse_definition(valid))
        send(path=template.format(**unknown_ids(entry.view_args)))
        for filler in fillers:  # room again for the next probes' forms
            forms.delete(filler)
    if 429 in documented:
        # Past the rate limit: contact by address, replies by admin (20 per message).
        for attempt in range(60):
            target = template.format(**fresh_records(prober)) if attempt % 15 == 0 else path
            path = target
            if send(path=path, body=good, headers={}).status_code == 429:
                break


def conforms(document: dict[str, Any], schema: dict[str, Any], instance: Any) -> list[str]:
    registry = Registry().with_resource("doc", Resource.opaque(document))
    if "$ref" in schema:
        schema = {"$ref": schema["$ref"].replace("#", "doc#", 1)}
    validator = Draft202012Validator(schema, registry=registry)
    return [error.message for error in validator.iter_errors(instance)]


DYNAMODB_OPERATIONS = ("GetItem", "Query", "TransactWriteItems", "BatchGetItem", "PutItem",
                       "UpdateItem", "DeleteItem")


@contextmanager
def failing(app: Any, operations: tuple[str, ...], code: str,
            **details: Any) -> Iterator[None]:
    """The app's own DynamoDB client answered `code` (status 400, with `details`
    in its body) for `operations`, every time, as DynamoDB would send it: in
    place of sending the request."""
    import app as app_module

    events = app_module.services.clients.dynamodb.meta.events
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}",
                       "message": "injected", **details}).encode()

    def answer(**_: Any) -> AWSResponse:
        return AWSResponse("http://dynamodb.local", 400,
                           {"Content-Type": "application/x-amz-json-1.0"}, _Raw(body))
    for operation in operations:
        events.register(f"before-send.dynamodb.{operation}", answer)
    try:
        yield
    finally:
        for operation in operations:
            events.unregister(f"before-send.dynamodb.{operation}", answer)


def test_every_parameter_read_and_every_status_answered_is_documented(
        frontdesk_app: Any, document: dict[str, Any], recorder: Recorder, prober: Prober,
        user_token: str) -> None:
    for method, template, entry in operations(frontdesk_app):
        probe(prober, method, template, entry, recorder, document, user_token)
    # InternalFailure with a 400: a 503 to us, and not retried by botocore (no backoff
    # waits). Then an error no store understands: a bug to us, 500.
    for code in ("InternalFailure", "ValidationException"):
        with failing(frontdesk_app, DYNAMODB_OPERATIONS, code):
            for method, template, entry in operations(frontdesk_app):
                probe_path = template.format(**unknown_ids(entry.view_args))
                model = body_model(document["paths"][template][method.lower()])
                body = json.dumps(VALID_BODIES[model]).encode() if model else None
                # A query parameter the route reads, empty (every route refuses unknown ones).
                query = next((f"{name}=" for name in sorted(recorder.reads[(method, template)].query)),
                             "")
                prober.send(method, template, probe_path, role=role_of(entry.view_function),
                            body=body, query=query,
                            headers={**JSON, "If-Match": "*"} if body else {"If-Match": "*"})
    # Another change overtaking each of its tries: a delete that gives way is 409.
    overtaken = [{"Code": "ConditionalCheckFailed"}, {"Code": "None"}, {"Code": "None"}]
    target = fresh_records(prober)["user_id"]
    with failing(frontdesk_app, ("TransactWriteItems",), "TransactionCanceledException",
                 CancellationReasons=overtaken):
        prober.send("DELETE", "/users/{user_id}", f"/users/{target}", role=Role.ADMIN)

    problems = []
    for (method, template), reads in recorder.reads.items():
        spec = document["paths"][template][method.lower()]
        params = {(p["in"], p["name"].lower()) for p in spec.get("parameters", [])}
        for header in reads.headers - FRAMEWORK_HEADERS:
            if ("header", header) not in params:
                problems.append(f"{method} {template} reads header {header}, undocumented")
        for name in reads.query:
            if ("query", name.lower()) not in params:
                problems.append(f"{method} {template} reads query {name}, undocumented")
        if reads.body and "requestBody" not in spec:
            problems.append(f"{method} {template} reads a body, undocumented")
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    for method, template, response in prober.answers:
        spec = document["paths"][template][method.lower()]
        status = response.status_code
        seen[(method, template)].add(status)
        documented = spec["responses"].get(str(status))
        if documented is None:
            problems.append(f"{method} {template} answered {status}, undocumented: "
                            f"{response.body[:200]!r}")
            continue
        if "content" in documented:
            # A form post's errors may also be HTML: judge the body by the type sent.
            sent = response.headers.get("Content-Type", "application/json")
            media_type, content = next(
                ((m, c) for m, c in documented["content"].items() if sent.startswith(m)),
                next(iter(documented["content"].items())))
            if media_type == "application/json":  # Chalice's default Content-Type
                body = json.loads(response.body)
            else:
                sent_type = response.headers.get("Content-Type", "")
                if not sent_type.startswith(media_type):
                    problems.append(f"{method} {template} {status} is {sent_type!r}, "
                                    f"not {media_type}")
                    continue
                body = response.body.decode()
            errors = conforms(document, content["schema"], body)
            if errors:
                problems.append(f"{method} {template} {status} body: {errors}")
        elif status == 204:
            assert response.body == b"" and "Content-Type" not in response.headers
        for header in documented.get("headers", {}):
            if header not in response.headers and header not in CONDITIONAL_HEADERS:
                problems.append(f"{method} {template} {status} lacks documented header {header}")
    # Nothing is promised that no probe got: each documented status was answered.
    for (method, template), statuses in seen.items():
        documented = {int(s) for s in document["paths"][template][method.lower()]["responses"]}
        if documented - statuses:
            problems.append(f"{method} {template} documents {sorted(documented - statuses)}, "
                            "which no probe got")
    assert problems == []
    # The probes reached what they were meant to: each route's own statuses.
    assert {201, 400, 401, 403, 409, 413, 415, 503} <= seen[("POST", "/users")]
    assert {200, 400, 404, 412, 428, 503} <= seen[("PATCH", "/users/{user_id}")]
    assert {202, 400, 409, 415, 503} <= seen[("POST", "/contact")]
    assert {200, 400, 401, 403, 503} <= seen[("GET", "/dashboard/messages")]
    assert {202, 400, 404, 409, 503} <= seen[("POST", "/dashboard/messages/{message_id}/replies")]
    assert {200, 400, 403} <= seen[("GET", "/users/export")]
    assert {200, 201, 400, 409, 412, 413, 503} <= seen[("PUT", "/dashboard/forms/{form_id}")]
    assert {204, 404, 409, 412} <= seen[("DELETE", "/dashboard/forms/{form_id}")]
    assert {204, 404, 409, 412} <= seen[("DELETE", "/users/{user_id}")]
