"""Frontdesk's HTTP API: routes, their roles, the Cognito authorizer and the middleware.

Each route is its decorators (path, methods, authorizer, role, and what it
answers and reads: @responds, from which /openapi.json describes it), then:
parse, call chalicelib, return. Everything else lives in chalicelib/.
"""
from typing import Any

from chalice import CognitoUserPoolAuthorizer, Rate, Response
from chalice.app import Request

from chalicelib.api.audit import actor_of
from chalicelib.api.bodies import HEALTHY, Health, Me
from chalicelib.api.services import Services
from chalicelib.audit.entry import SERVICE
from chalicelib.audit.log import Audited
from chalicelib.auth import me, roles
from chalicelib.auth.identity import current_identity
from chalicelib.core.idempotency import HEADER as KEY
from chalicelib.http import context, log
from chalicelib.http.application import Application
from chalicelib.http.body import read_json_object
from chalicelib.http.context import api_address, client_ip
from chalicelib.http.form import FORM_MEDIA_TYPE, form_post, is_form_post
from chalicelib.http.operations import CSV, HTML, responds
from chalicelib.http.pipeline import HttpPipeline
from chalicelib.platform.config import Settings
from chalicelib.platform.metrics import Metrics

settings = Settings.from_env()
# `metrics` is the one EMF writer of this container; services count their events on it.
metrics = Metrics(stage=settings.stage)
services = Services.create(settings, metrics)  # AWS clients: once per container, at init

# Each route, as it is declared, answers its errors through one table and gets
# OPTIONS and 405 routes for its path's other methods (chalicelib/http/application.py).
app = Application(app_name="frontdesk", configure_logs=False)
# The API reads and writes text only (JSON, form posts, CSV, HTML), so it
# declares no binary media types: Chalice then checks no response against
# its 16 default ones (docs/architecture.md, "Per-request cost").
app.api.binary_types = []
# app.log is the "frontdesk" logger; chalicelib's "frontdesk.*" loggers log through it.
log.configure(app.log)

# API Gateway verifies the ID token on every route that names this authorizer.
# Outside Lambda the pipeline's AccessGuard verifies it instead (see guard.py).
cognito = CognitoUserPoolAuthorizer("frontdesk-users", provider_arns=[settings.user_pool_arn])

# One middleware answers preflights, enforces each route's role, and gives every
# response, errors included, the JSON error shape and CORS headers.
app.register_middleware(HttpPipeline.for_app(app, settings, metrics), "http")


def request() -> Request:
    current = app.current_request
    assert current is not None  # Chalice sets it before calling any view
    return current


def json_body(max_bytes: int = settings.max_body_bytes) -> dict[str, Any]:
    return read_json_object(request(), max_bytes=max_bytes)


def audited() -> Audited:
    """Who is making this admin write, and in which request: what its audit entry records."""
    return services.audit.by(actor_of(current_identity()), context.request_id.get())


def header(name: str) -> str | None:
    value: str | None = request().headers.get(name)
    return value


# -- public -------------------------------------------------------------------

@app.route("/health", methods=["GET"])
@roles.public
@responds(200, "Health", uses_aws=False)
def health() -> Health:
    return HEALTHY


@app.route("/openapi.json", methods=["GET"])
@roles.public
@responds(200, "OpenApi", uses_aws=False)
def openapi_document() -> dict[str, Any]:
    from chalicelib.http import openapi  # no other request needs the document builder
    return openapi.document_for(app, settings.allowed_origins)


@app.route("/contact", methods=["POST"], content_types=["application/json", FORM_MEDIA_TYPE])
@roles.public
@responds(202, "ContactReceived", body="ContactSubmission", headers=(KEY,), statuses=(409, 429),
          form_post=True)
def submit_contact() -> Response:
    from chalicelib.api.contact import MAX_BODY_BYTES  # loaded with the contact API, on first use
    if is_form_post(request()):  # a plain HTML form: answered with a redirect or a page
        return services.contact_form_api.submit(form_post(request()))
    return services.contact_api.submit(json_body(MAX_BODY_BYTES),
                                       header("idempotency-key"),
                                       client_ip(request().context))


@app.route("/forms/{form_id}", methods=["POST"],
           content_types=["application/json", FORM_MEDIA_TYPE])
@roles.public
@responds(202, "ContactReceived", body="FormSubmission", headers=(KEY,), statuses=(409, 429),
          form_post=True)
def submit_form(form_id: str) -> Response:
    from chalicelib.api.contact import MAX_BODY_BYTES
    if is_form_post(request()):
        return services.contact_form_api.submit(form_post(request()), form_id)
    return services.contact_api.submit(json_body(MAX_BODY_BYTES), header("idempotency-key"),
                                       client_ip(request().context), form_id)


@app.route("/forms/{form_id}/uploads", methods=["POST"])
@roles.public
@responds(201, "UploadOffer", body="UploadRequest", statuses=(404, 429))
def request_upload(form_id: str) -> Response:
    return services.uploads_api.offer(form_id, json_body(), client_ip(request().context))


@app.route("/forms/{form_id}", methods=["GET"])
@roles.public
@responds(200, "HtmlPage", success_headers=("Cache-Control",), media_type=HTML)
def get_form_page(form_id: str) -> Response:
    return services.form_page_api.page(form_id)


@app.route("/forms/{form_id}/site-page", methods=["GET"])
@roles.public
@responds(200, "HtmlPage", success_headers=("Cache-Control",), media_type=HTML)
def get_form_site_page(form_id: str) -> Response:
    return services.form_page_api.site_page(form_id, api_address(
        request().context, header("host"), f"/forms/{form_id}/site-page"))


@app.route("/forms/{form_id}/schema", methods=["GET"])
@roles.public
@responds(200, "JsonSchema", success_headers=("Cache-Control",))
def get_form_schema(form_id: str) -> Response:
    return services.forms_api.schema(form_id)


# -- signed-in ----------------------------------------------------------------

@app.route("/me", methods=["GET"], authorizer=cognito)
@roles.signed_in
@responds(200, "Me")
def get_me() -> Me:
    return me.describe(current_identity(), services.users)


# -- admin: users -------------------------------------------------------------

@app.route("/users", methods=["GET"], authorizer=cognito)
@roles.admin
@responds(200, "UserPage", query=("limit", "cursor", "email"))
def list_users() -> Response:
    return services.users_api.list(request().query_params)


@app.route("/users", methods=["POST"], authorizer=cognito)
@roles.admin
@responds(201, "User", body="UserCreate", headers=(KEY,), statuses=(409,),
          success_headers=("Location", "ETag"))
def create_user() -> Response:
    return services.users_api.create(json_body(), header("idempotency-key"), audited())


@app.route("/users/export", methods=["GET"], authorizer=cognito)
@roles.admin
@responds(200, "Csv", query=("export_cursor",), success_headers=("Content-Disposition",),
          media_type=CSV)
def export_users() -> Response:
    return services.dashboard_api.export_users(request().query_params)


@app.route("/users/{user_id}", methods=["GET"], authorizer=cognito)
@roles.admin
@responds(200, "User", success_headers=("ETag",))
def get_user(user_id: str) -> Response:
    return services.users_api.get(user_id)


@app.route("/users/{user_id}", methods=["PATCH"], authorizer=cognito)
@roles.admin
@responds(200, "User", body="UserUpdate", headers=("If-Match",), required_headers=("If-Match",),
          statuses=(409, 412, 428), success_headers=("ETag",))
def update_user(user_id: str) -> Response:
    return services.users_api.update(user_id, json_body(), header("if-match"), audited())


@app.route("/users/{user_id}", methods=["DELETE"], authorizer=cognito)
@roles.admin
@responds(204, None, headers=("If-Match",), statuses=(409, 412))
def delete_user(user_id: str) -> Response:
    return services.users_api.delete(user_id, header("if-match"), audited())


# -- admin: dashboard ---------------------------------------------------------

@app.route("/dashboard/messages", methods=["GET"], authorizer=cognito)
@roles.admin
@responds(200, "MessagePage", query=("status", "form", "sender", "q", "limit", "cursor"))
def list_messages() -> Response:
    return services.dashboard_api.list(request().query_params)


@app.route("/dashboard/messages/export", methods=["GET"], authorizer=cognito)
@roles.admin
@responds(200, "Csv", query=("export_status", "export_form", "from", "to", "export_cursor"),
          statuses=(404,), success_headers=("Content-Disposition",), media_type=CSV)
def export_messages() -> Response:
    return services.dashboard_api.export_messages(request().query_params)


@app.route("/dashboard/messages/bulk", methods=["POST"], authorizer=cognito)
@roles.admin
@responds(200, "BulkResults", body="BulkChange")
def bulk_messages() -> Response:
    return services.dashboard_api.bulk(json_body(), audited())


@app.route("/dashboard/messages/{message_id}", methods=["GET"], authorizer=cognito)
@roles.admin
@responds(200, "MessageThread")
def get_message(message_id: str) -> Response:
    return services.dashboard_api.get(message_id)


@app.route("/dashboard/messages/{message_id}", methods=["PATCH"], authorizer=cognito)
@roles.admin
@responds(200, "MessageThread", body="StatusChange")
def update_message(message_id: str) -> Response:
    return services.dashboard_api.update(message_id, json_body(), audited())


@app.route("/dashboard/messages/{message_id}", methods=["DELETE"], authorizer=cognito)
@roles.admin
@responds(204, None)
def delete_message(message_id: str) -> Response:
    return services.dashboard_api.delete(message_id, audited())


@app.route("/dashboard/messages/{message_id}/attachments/{index}", methods=["GET"],
           authorizer=cognito)
@roles.admin
@responds(302, None, success_headers=("Location", "Cache-Control"), alternative="AttachmentLink")
def download_attachment(message_id: str, index: str) -> Response:
    return services.dashboard_api.attachment(message_id, index, header("accept"))


@app.route("/dashboard/messages/{message_id}/replies", methods=["POST"], authorizer=cognito)
@roles.admin
@responds(202, "ReplyAccepted", body="ReplyBody", headers=(KEY,), statuses=(409, 429))
def reply_to_message(message_id: str) -> Response:
    return services.dashboard_api.reply(message_id, json_body(), header("idempotency-key"),
                                        current_identity(), audited())


@app.route("/dashboard/audit", methods=["GET"], authorizer=cognito)
@roles.admin
@responds(200, "AuditPage", query=("actor", "action", "limit", "cursor"))
def list_audit() -> Response:
    return services.audit_api.list(request().query_params)


@app.route("/dashboard/stats", methods=["GET"], authorizer=cognito)
@roles.admin
@responds(200, "Stats")
def get_stats() -> Response:
    return services.dashboard_api.stats()


# -- admin: a person's data ---------------------------------------------------

@app.route("/dashboard/people/{email}", methods=["GET"], authorizer=cognito)
@roles.admin
@responds(200, "PersonData", query=("limit", "cursor", "format"),
          success_headers=("Content-Disposition",), empty_when_absent=True)
def get_person(email: str) -> Response:
    return services.people_api.get(email, request().query_params)


@app.route("/dashboard/people/{email}", methods=["DELETE"], authorizer=cognito)
@roles.admin
@responds(200, "Erased", statuses=(400,), empty_when_absent=True)
def erase_person(email: str) -> Response:
    return services.people_api.erase(email, audited())


# -- admin: spam rules --------------------------------------------------------

@app.route("/dashboard/spam-rules", methods=["GET"], authorizer=cognito)
@roles.admin
@responds(200, "SpamRules", success_headers=("ETag",))
def get_spam_rules() -> Response:
    return services.spam_rules_api.get()


@app.route("/dashboard/spam-rules", methods=["PUT"], authorizer=cognito)
@roles.admin
@responds(200, "SpamRules", body="SpamRules", headers=("If-Match",), statuses=(412,),
          success_headers=("ETag",))
def put_spam_rules() -> Response:
    return services.spam_rules_api.put(json_body(), header("if-match"), audited())


# -- admin: forms -------------------------------------------------------------

@app.route("/dashboard/forms", methods=["GET"], authorizer=cognito)
@roles.admin
@responds(200, "FormList")
def list_forms() -> Response:
    return services.forms_api.list()


@app.route("/dashboard/forms/{form_id}", methods=["GET"], authorizer=cognito)
@roles.admin
@responds(200, "Form", success_headers=("ETag",))
def get_form(form_id: str) -> Response:
    return services.forms_api.get(form_id)


@app.route("/dashboard/forms/{form_id}", methods=["PUT"], authorizer=cognito)
@roles.admin
@responds(200, "Form", body="FormDefinition", headers=("If-Match", "If-None-Match"),
          statuses=(409, 412), success_headers=("ETag",), creates=True)
def put_form(form_id: str) -> Response:
    return services.forms_api.put(form_id, json_body(), header("if-match"),
                                  header("if-none-match"), audited())


@app.route("/dashboard/forms/{form_id}", methods=["DELETE"], authorizer=cognito)
@roles.admin
@responds(204, None, headers=("If-Match",), statuses=(409, 412))
def delete_form(form_id: str) -> Response:
    return services.forms_api.delete(form_id, header("if-match"), audited())


# -- service (API key) --------------------------------------------------------

@app.route("/service/users/{user_id}", methods=["GET"], api_key_required=True)
@roles.service
@responds(200, "User", success_headers=("ETag",))
def service_get_user(user_id: str) -> Response:
    return services.users_api.get(user_id)


@app.route("/service/users", methods=["POST"], api_key_required=True)
@roles.service
@responds(201, "User", body="UserCreate", headers=(KEY,), statuses=(409,),
          success_headers=("Location", "ETag"))
def service_create_user() -> Response:
    return services.users_api.create(json_body(), header("idempotency-key"),
                                     services.audit.by(SERVICE, context.request_id.get()),
                                     location_prefix="/service/users")


# -- the outbox (notifications, replies): store first, mail after -------------

# TRIM_HORIZON: a subscription made anew (a new stage, or a stream the stack
# replaced: infra/stream_subscription.py) reads its stream from the start.
@app.on_dynamodb_record(stream_arn=settings.table_stream_arn, batch_size=10,
                        starting_position="TRIM_HORIZON")
def notify_owner(event: Any) -> None:
    """The table's stream. First attempt, as soon as a delivery is stored (never
    raises: a failed attempt stays pending and the schedule below retries it);
    then the counts of the messages DynamoDB's TTL deleted, each once (raises
    only when the table is unavailable: Lambda retries the batch)."""
    records = list(event)
    services.deliveries.on_inserted(
        record.new_image for record in records if record.event_name == "INSERT")
    services.expired_messages.on_removed(record.to_dict() for record in records)


@app.schedule(Rate(5, unit=Rate.MINUTES))
def retry_notifications(event: Any) -> None:
    services.deliveries.retry_due()

