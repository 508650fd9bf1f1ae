"""`chalice local`'s gateway, reshaped to answer as deployed API Gateway does.

Chalice's LocalGateway differs from Frontdesk's deployed API in three ways
(CHALICE-NOTES): an unknown path gets a CORS-less 403 "Missing Authentication
Token" (deployed, a gateway response turns it into our 404), a malformed
Authorization header crashes its Cognito emulation, and that emulation accepts
unverified tokens. Here unknown paths get the 404 / preflight the deployed
gateway responses give, and token checks are left to the app, which verifies
them whenever it is not behind API Gateway (chalicelib/auth/guard.py).
"""
from __future__ import annotations

import json
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any

from chalice import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LambdaContext, LocalGateway, LocalGatewayAuthorizer

from chalicelib.errors import NotFound
from chalicelib.http.cors import ALL_METHODS, CorsPolicy
from chalicelib.http.pipeline import common_headers
from chalicelib.http.responses import error_body


class UnknownPath(Exception):
    pass


class AppVerifiesTokens(LocalGatewayAuthorizer):
    """Pass every request through: the app verifies tokens and API keys itself."""

    def authorize(self, raw_path: str, lambda_event: Any, lambda_context: LambdaContext) -> Any:
        return lambda_event, lambda_context


class ParityGateway(LocalGateway):
    def __init__(self, app_object: Chalice, config: Config, cors: CorsPolicy) -> None:
        super().__init__(app_object, config)
        self._authorizer = AppVerifiesTokens(app_object)
        self._cors = cors

    def _generate_lambda_event(self, method: str, path: str, headers: Any, body: Any) -> Any:
        try:
            event = super()._generate_lambda_event(method, path, headers, body)
        except ValueError as exc:
            raise UnknownPath(path) from exc
        # API Gateway puts a request id in every event; the app echoes it.
        event["requestContext"]["requestId"] = str(uuid.uuid4())
        return event

    def handle_request(self, method: str, path: str, headers: Any, body: Any) -> Any:
        try:
            return super().handle_request(method, path, headers, body)
        except UnknownPath:
            return self._unknown_path_response(method, headers)

    def _unknown_path_response(self, method: str, headers: Any) -> dict[str, Any]:
        origin = {k.lower(): v for k, v in headers.items()}.get("origin")
        request_id = str(uuid.uuid4())
        if method == "OPTIONS":
            out = {**self._cors.preflight_headers(origin, ALL_METHODS), **common_headers(request_id)}
            return {"statusCode": 204, "headers": out, "multiValueHeaders": {}, "body": ""}
        out = {"Content-Type": "application/json", **self._cors.response_headers(origin),
               **common_headers(request_id)}
        body = json.dumps(error_body(NotFound(), request_id))
        return {"statusCode": 404, "headers": out, "multiValueHeaders": {}, "body": body}


class ParityRequestHandler(ChaliceRequestHandler):
    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Chalice,
                 config: Config, cors: CorsPolicy) -> None:
        self.local_gateway = ParityGateway(app_object, config, cors)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the app already writes one JSON access-log line per request
