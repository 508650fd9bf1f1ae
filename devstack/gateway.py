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

import http.client
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
    RouteMatcher,
)

from chalicelib.http.cors import ALL_METHODS, CorsPolicy
from chalicelib.http.errors import (
    FOR_STATUS,
    ApiError,
    BadRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
)
from chalicelib.http.pipeline import common_headers
from chalicelib.http.responses import error_body, json_text
from chalicelib.http.routing import declared_methods
from chalicelib.platform.config import Settings

CATCH_ALL = "/{proxy+}"


class UriTooLong(ApiError):
    """API Gateway's own limit (its 414 is not one the app can produce)."""
    status, code, default_message = 414, "uri_too_long", "The request URL is too long."


class HeaderFieldsTooLarge(ApiError):
    """The local server's limits on headers (64 KB a line, 100 lines)."""
    status, code = 431, "header_fields_too_large"
    default_message = "The request's headers are too large."


# http.server's messages for its two header limits, said as the API says things.
HEADER_LIMITS = {"Line too long": "A request header line is over 64 KB.",
                 "Too many headers": "The request has more than 100 headers."}
# How much more of a refused header block is read to find the Origin in it.
MAX_HEADER_BLOCK_BYTES = 1024 * 1024


class _RecordedLines:
    """The request's file, recording each line read: when http.server gives up
    on the headers, the lines it had read are gone with its exception."""

    def __init__(self, rfile: Any) -> None:
        self._rfile = rfile
        self.lines: list[bytes] = []

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self._rfile.readline(limit)
        self.lines.append(line)
        return line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rfile, name)


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
# How long a body may take to arrive in full; a body shorter than its
# Content-Length would otherwise hold the connection (and a thread) forever.
BODY_WAIT_SECONDS = 5.0
FORWARDED_METHODS = frozenset({*ALL_METHODS, "OPTIONS", "HEAD"})


class Refused(Exception):
    """Answered by the local server itself, before the app runs, in the app's shape."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.message)
        self.error = error


class ParityRequestHandler(ChaliceRequestHandler):
    """Every answer, the server's own refusals included, carries what the app's
    do: the error shape, X-Request-Id, nosniff and CORS for an allowed Origin."""

    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Chalice,
                 config: Config, cors: CorsPolicy | None = None) -> None:
        self.local_gateway = ParityGateway(app_object, config)
        self._app_object = app_object
        self._cors = cors or CorsPolicy(Settings.from_env().allowed_origins)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def __getattr__(self, name: str) -> Any:
        # http.server looks up do_<METHOD> and answers 501 HTML when it is
        # missing; every method reaches _generic_handle instead.
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)

    def _parse_payload(self) -> Any:
        # Chalice's int(Content-Length) raises on "abc" and reads a claimed 99 GB
        # into memory; answer those as API Gateway would, without reading.
        declared = self.headers.get("content-length", "0").strip() or "0"
        if not declared.isdigit() or len(declared) > 12:
            raise Refused(BadRequest("Content-Length must be a number of bytes."))
        if int(declared) > MAX_REQUEST_BYTES:
            raise Refused(PayloadTooLarge())
        self.connection.settimeout(BODY_WAIT_SECONDS)
        try:
            return super()._parse_payload()
        except TimeoutError:
            raise Refused(BadRequest("The body is shorter than its Content-Length.")) from None
        finally:
            self.connection.settimeout(None)

    def _generic_handle(self) -> None:
        try:
            if self.command not in FORWARDED_METHODS:
                raise Refused(self._method_not_allowed())
            super()._generic_handle()
        except Refused as refusal:
            self.close_connection = True  # the unread body must not be taken for a request
            self._send_refusal(refusal.error)

    def _method_not_allowed(self) -> ApiError:
        try:
            route = RouteMatcher(list(self._app_object.routes)).match_route(self.path).route
        except ValueError:
            return NotFound()
        methods = declared_methods(self._app_object.routes[route])
        return MethodNotAllowed(headers={"Allow": ", ".join((*methods, "OPTIONS"))})

    def parse_request(self) -> bool:
        handler: Any = self  # rfile is typed a BinaryIO; the recorder stands in for it
        request_file = handler.rfile
        handler.rfile = _RecordedLines(request_file)
        try:
            return bool(super().parse_request())
        finally:
            handler.rfile = request_file

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a request line over 64 KB, a malformed
        one, a header line over 64 KB, over 100 headers), in the error shape
        instead of HTML."""
        self.close_connection = True
        if code == 431:
            recorded = getattr(self.rfile, "lines", [])
            self._send_refusal(HeaderFieldsTooLarge(HEADER_LIMITS.get(message or "")),
                               origin=self._origin_in_refused_headers(recorded))
            return
        error_class = {414: UriTooLong}.get(code, FOR_STATUS.get(code, BadRequest))
        if code == 414 and getattr(self, "headers", None) is None:
            self._read_headers_after_long_line()
        self._send_refusal(error_class(message))

    def _origin_in_refused_headers(self, recorded: list[bytes]) -> str | None:
        """The Origin among headers http.server refused: the lines it read, then
        the rest of the block (up to 1 MB), a line over 64 KB skipped."""
        fragments, budget = list(recorded), MAX_HEADER_BLOCK_BYTES
        self.connection.settimeout(BODY_WAIT_SECONDS)
        try:
            while budget > 0 and fragments and fragments[-1] not in (b"\r\n", b"\n", b""):
                fragments.append(self.rfile.readline(65537))
                budget -= len(fragments[-1])
        except OSError:
            pass
        finally:
            self.connection.settimeout(None)
        origin, line = None, b""
        for fragment in fragments:
            line += fragment
            if not fragment.endswith(b"\n"):
                continue  # the line goes on in the next fragment
            name, _, value = line.partition(b":")
            if len(line) <= 65536 and name.strip().lower() == b"origin":
                origin = value.strip().decode("latin-1")
            line = b""
        return origin

    def _read_headers_after_long_line(self) -> None:
        """Skip the rest of an over-long request line (up to 1 MB) to read the
        headers after it: the Origin decides CORS on the 414 too."""
        self.connection.settimeout(BODY_WAIT_SECONDS)
        try:
            for _ in range(16):
                if self.rfile.readline(65537).endswith(b"\n"):
                    self.headers = http.client.parse_headers(self.rfile)
                    return
        except (OSError, http.client.HTTPException):
            pass

    def _send_refusal(self, error: ApiError, origin: str | None = None) -> None:
        request_id = str(uuid.uuid4())
        body = json_text(error_body(error, request_id)).encode()
        headers = getattr(self, "headers", None)  # absent when the request line itself failed
        if headers is not None:
            origin = headers.get("origin")
        self.send_response(error.status)
        for name, value in {"Content-Type": "application/json", "Content-Length": str(len(body)),
                            **error.headers, **self._cors.response_headers(origin),
                            **common_headers(request_id), "Connection": "close"}.items():
            self.send_header(name, value)
        self.end_headers()
        if getattr(self, "command", "") != "HEAD":
            self.wfile.write(body)

    def _send_http_response(self, code: int, headers: Any, body: Any) -> None:
        # Chalice's server gives every response with a body (even an empty
        # one) a Content-Type; a 204 has no content, so none (RFC 9110 15.3.5).
        super()._send_http_response(code, headers, None if code == 204 else body)

    # Chalice binds these to its own _generic_handle; point them at ours.
    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the app already writes one JSON access-log line per request
