"""The one HTTP middleware every request goes through.

In order: assign the request id, answer preflights, enforce the route's role,
run the view, turn any error into the JSON error shape, then add CORS and the
other common headers to whatever came out. Doing all of it here is what makes
every response, errors included, carry the same headers exactly once.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from chalice import Chalice, Response
from chalice.app import Request, RouteEntry

from chalicelib.auth.guard import AccessGuard
from chalicelib.auth.identity import reset_current_identity, set_current_identity
from chalicelib.auth.roles import Role, role_of
from chalicelib.http import context
from chalicelib.http.cors import ALL_METHODS, CorsPolicy
from chalicelib.http.error_map import Answered, error_answer
from chalicelib.http.errors import FOR_STATUS, InternalError, MethodNotAllowed, NotFound
from chalicelib.http.form import is_form_post
from chalicelib.http.form_pages import is_page
from chalicelib.http.log import AccessLog
from chalicelib.http.operations import HTML, operation_of
from chalicelib.http.query import check_query, taken_names
from chalicelib.http.responses import error_response, is_error_shape, json_text, no_content
from chalicelib.http.routing import declared_methods, not_routed
from chalicelib.platform.config import Settings
from chalicelib.platform.metrics import RATE_LIMITED, MetricsSink

GetResponse = Callable[[Request], Response]
# Request header names arrive lower-cased (Chalice's CaseInsensitiveMapping).
_CREDENTIAL_HEADERS = frozenset({"authorization", "x-api-key"})


def request_id_of(request_context: dict[str, Any] | None) -> str:
    """API Gateway's request id when deployed; a fresh one when nothing upstream set it."""
    return str((request_context or {}).get("requestId") or uuid.uuid4())


def common_headers(request_id: str) -> dict[str, str]:
    return {"X-Request-Id": request_id, "X-Content-Type-Options": "nosniff"}


class HttpPipeline:
    def __init__(self, *, routes: dict[str, dict[str, RouteEntry]], cors: CorsPolicy,
                 guard: AccessGuard, log: logging.Logger, metrics: MetricsSink) -> None:
        self._routes = routes
        self._cors = cors
        self._guard = guard
        self._log = log
        self._access_log = AccessLog(log)
        self._metrics = metrics
        self._taken: dict[Callable[..., Any], tuple[frozenset[str] | None, bool]] = {}
        # One pipeline per Lambda container, built at init: its first request
        # is the one that paid for the cold start.
        self._cold = True

    @classmethod
    def for_app(cls, app: Chalice, settings: Settings,
                metrics: MetricsSink) -> HttpPipeline:
        return cls(routes=app.routes, cors=CorsPolicy(settings.allowed_origins),
                   guard=AccessGuard.from_settings(settings), log=logging.getLogger("frontdesk.http"),
                   metrics=metrics)

    def __call__(self, request: Request, get_response: GetResponse) -> Response:
        started = time.perf_counter()
        request_id = request_id_of(request.context)
        token = context.request_id.set(request_id)
        cold, self._cold = self._cold, False
        cold_token = context.cold_start.set(cold)
        route = request.context.get("resourcePath", "")
        entries = self._routes.get(route, {})
        entry = entries.get(request.method)
        role = role_of(entry.view_function) if entry else Role.PUBLIC
        origin = request.headers.get("origin")
        try:
            if request.method == "OPTIONS":
                # A path we do not declare (API Gateway's catch-all) may be
                # asked anything; a preflight never needs to know it exists.
                methods = declared_methods(entries) if entries else ALL_METHODS
                response = no_content(self._cors.preflight_headers(origin, methods))
            else:
                response = self._run(request, get_response, entries, role, request_id)
                self._cors.add_response_headers(response.headers, origin)
            if not isinstance(response.body, (str, bytes)):
                # A view's dict (or an error's) as JSON text here, once, so
                # Chalice passes it through rather than running json.dumps.
                response.body = json_text(response.body)
                response.headers.setdefault("Content-Type", "application/json")
            headers = response.headers
            headers["X-Request-Id"] = request_id  # common_headers(request_id), written in
            headers["X-Content-Type-Options"] = "nosniff"
            # Anything answered to a caller who sent credentials, or on a
            # protected route, is theirs alone: no cache may keep it.
            if role is not Role.PUBLIC or not _CREDENTIAL_HEADERS.isdisjoint(request.headers):
                headers["Cache-Control"] = "no-store"
            # Tenths of a millisecond: round() to an int, not round(x, 1), which
            # goes through decimal text and costs more than the rest of this line.
            duration_ms = round((time.perf_counter() - started) * 10_000) / 10
            # The access record and the request's metrics, as one line.
            access = self._access_log.line(method=request.method, route=route,
                                           status=response.status_code, duration_ms=duration_ms)
            self._metrics.request(method=request.method, route=route,
                                  status=response.status_code, duration_ms=duration_ms, log=access)
            if response.status_code == 429:
                self._metrics.count(RATE_LIMITED)
            return response
        finally:
            context.cold_start.reset(cold_token)
            context.request_id.reset(token)

    def _run(self, request: Request, get_response: GetResponse, entries: dict[str, RouteEntry],
             role: Role | None, request_id: str) -> Response:
        try:
            if not entries:
                raise NotFound()  # the deployed catch-all (/{proxy+}, /): nothing here
            entry = entries.get(request.method)
            if entry is None or entry.view_function is not_routed:
                methods = declared_methods(entries)
                raise MethodNotAllowed(headers={"Allow": ", ".join((*methods, "OPTIONS"))})
            identity = self._guard.check(role, request)
            taken, own_check = self._query_names(entry)
            if taken is not None and not (own_check and is_form_post(request)):
                check_query(request.query_params, taken)
            identity_token = set_current_identity(identity)
            try:
                response = get_response(request)
            except Answered as answered:  # a view's error (chalicelib/http/error_map.py)
                return answered.response
            finally:
                reset_current_identity(identity_token)
            return self._in_error_shape(response, request_id)
        except Exception as error:  # the pipeline's own checks: the same path as a view's errors
            return error_answer(error)

    def _query_names(self, entry: RouteEntry) -> tuple[frozenset[str] | None, bool]:
        """The query parameters the route takes, from its @responds (once per
        route); None for a page, which reads none and is not held to them:
        links to a page carry what others add (utm_source, fbclid), which is
        no visitor's doing. And whether a plain form post to it checks its
        own, so that a wrong one is answered with the form's error page, like
        its fields (chalicelib/api/contact_form.py)."""
        if entry.view_function not in self._taken:
            operation = operation_of(entry.view_function)
            if operation is not None and operation.media_type == HTML:
                self._taken[entry.view_function] = (None, False)
            else:
                self._taken[entry.view_function] = (
                    taken_names(operation.query if operation else ()),
                    operation is not None and operation.form_post)
        return self._taken[entry.view_function]

    def _in_error_shape(self, response: Response, request_id: str) -> Response:
        """Re-shape the errors Chalice answers before or after the view (415
        for a content type the route does not take, 400 for a binary response
        without Accept, 500 for what the view wrapper could not catch, which
        Chalice has already logged with its trace); a view's own errors are
        already in shape (chalicelib/http/error_map.py)."""
        if response.status_code < 400 or is_error_shape(response.body) or is_page(response):
            return response  # is_page: a form post's error page (chalicelib/http/form_pages.py)
        error_class = FOR_STATUS.get(response.status_code, InternalError)
        message = None
        if response.status_code < 500 and isinstance(response.body, dict):
            message = response.body.get("Message")
        return error_response(error_class(message), request_id)
