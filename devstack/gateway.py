"""`chalice local`'s gateway, reshaped to answer as deployed API Gateway does.

Chalice's LocalGateway differs from Frontdesk's deployed API in three ways
(CHALICE-NOTES): an unknown path gets a CORS-less 403 "Missing Authentication
Token", a malformed Authorization header crashes its Cognito emulation, and
that emulation accepts unverified tokens. Here an unknown path reaches the app
as the deployed catch-all resource (`/{proxy+}`) sends it, so the app's own
404 and preflight answer it in both places; and token checks are left to the
app, which verifies them whenever it is not behind API Gateway
(chalicelib/auth/guard.py).
"""
from __future__ import annotations

import json
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any

from chalice import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    LambdaContext,
    LambdaEventConverter,
    LocalGateway,
    LocalGatewayAuthorizer,
    LocalGatewayException,
)

from chalicelib.errors import ApiError, BadRequest, PayloadTooLarge
from chalicelib.http.responses import error_body

CATCH_ALL = "/{proxy+}"


class AppVerifiesTokens(LocalGatewayAuthorizer):
    """Pass every request through: the app verifies tokens and API keys itself."""

    def authorize(self, raw_path: str, lambda_event: Any, lambda_context: LambdaContext) -> Any:
        return lambda_event, lambda_context


class ParityGateway(LocalGateway):
    def __init__(self, app_object: Chalice, config: Config) -> None:
        super().__init__(app_object, config)
        self._authorizer = AppVerifiesTokens(app_object)

    def _generate_lambda_event(self, method: str, path: str, headers: Any, body: Any) -> Any:
        try:
            event = super()._generate_lambda_event(method, path, headers, body)
        except ValueError:
            # No declared route: deployed, the catch-all resource sends the
            # request to the app, which answers 404 (or 204 to a preflight).
            event = self._catch_all_event(method, path, headers, body)
        # API Gateway puts a request id in every event; the app echoes it.
        event["requestContext"]["requestId"] = str(uuid.uuid4())
        return event

    def _catch_all_event(self, method: str, path: str, headers: Any, body: Any) -> Any:
        plain_path = path.split("?", 1)[0]
        return {
            "requestContext": {"httpMethod": method, "resourcePath": CATCH_ALL,
                               "identity": {"sourceIp": LambdaEventConverter.LOCAL_SOURCE_IP},
                               "path": plain_path},
            "headers": {k.lower(): v for k, v in headers.items()},
            "pathParameters": {"proxy": plain_path.lstrip("/")},
            "multiValueQueryStringParameters": None,
            "stageVariables": {},
            "body": body,
        }

    def _has_user_defined_options_method(self, lambda_event: Any) -> bool:
        # Preflights always reach the app (it registers OPTIONS on every path,
        # and answers the catch-all's too), never Chalice's static CORS answer.
        return True


# API Gateway refuses bodies over 10 MB before anything runs.
MAX_REQUEST_BYTES = 10 * 1024 * 1024


class BadContentLength(LocalGatewayException):
    """Refused before the app runs, as API Gateway would, in the error shape."""

    def __init__(self, error: ApiError) -> None:
        self.CODE = error.status
        body = json.dumps(error_body(error, str(uuid.uuid4())))
        super().__init__({"Content-Type": "application/json"}, body.encode())


class ParityRequestHandler(ChaliceRequestHandler):
    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Chalice,
                 config: Config) -> None:
        self.local_gateway = ParityGateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def _parse_payload(self) -> Any:
        # Chalice's int(Content-Length) raises on "abc" and reads a claimed 99 GB
        # into memory; answer those as API Gateway would, without reading.
        declared = self.headers.get("content-length", "0").strip() or "0"
        if not declared.isdigit() or len(declared) > 12:
            raise BadContentLength(BadRequest("Content-Length must be a number of bytes."))
        if int(declared) > MAX_REQUEST_BYTES:
            raise BadContentLength(PayloadTooLarge())
        return super()._parse_payload()

    def _generic_handle(self) -> None:
        try:
            super()._generic_handle()
        except BadContentLength as error:
            self.close_connection = True  # the unread body must not be taken for a request
            self._send_error_response(error)

    def _send_http_response(self, code: int, headers: Any, body: Any) -> None:
        # Chalice's server gives every response with a body (even an empty
        # one) a Content-Type; a 204 has no content, so none (RFC 9110 15.3.5).
        super()._send_http_response(code, headers, None if code == 204 else body)

    # Chalice binds these to its own _generic_handle; point them at ours.
    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the app already writes one JSON access-log line per request
