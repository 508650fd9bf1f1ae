"""Chalice, with what every route needs applied as the route is declared.

- **Its errors.** Chalice turns an exception a view raises into its own 500
  body before any middleware sees it, so the error map
  (chalicelib/http/error_map.py) must sit between Chalice and the view. `route`
  puts it there, the way Powertools' exception handlers or Starlette's
  exception_handlers are part of declaring the app.
- **Every method of its path.** API Gateway forwards only the methods a path
  declares, so each path also gets a route for every method it lacks (OPTIONS
  for preflights, 405 with Allow for the others), answered by the pipeline
  (chalicelib/http/routing.py). A method declared later replaces its stand-in.

So a route declared anywhere, in any order, answers like every other.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalice import Chalice, Response
from chalice.app import (
    CaseInsensitiveMapping,
    RestAPIEventHandler,
    _matches_content_type,
    error_response,
)

from chalicelib.http.cors import ALL_METHODS
from chalicelib.http.error_map import answering_errors
from chalicelib.http.routing import not_routed

View = Callable[..., Any]


class Application(Chalice):
    def route(self, path: str, **kwargs: Any) -> Callable[[View], View]:
        methods = [m.upper() for m in kwargs.get("methods", ["GET"])]
        register = super().route(path, **kwargs)

        def declare(view: View) -> View:
            entries = self.routes[path]
            for method in methods:
                if method in entries and entries[method].view_function is not_routed:
                    del entries[method]
            register(answering_errors(view))
            missing = [m for m in (*ALL_METHODS, "OPTIONS") if m not in entries]
            if missing:
                super(Application, self).route(path, methods=missing, name="not_routed")(not_routed)
            return view
        return declare

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """Chalice.__call__, answered by _TextApiHandler when the API declares
        no binary media types (app.py)."""
        if self.api.binary_types:
            return super().__call__(event, context)
        self.lambda_context = context
        handler = _TextApiHandler(self.routes, self.api, self.log, self.debug,
                                  middleware_handlers=self._get_middleware_handlers("http"))
        self.current_request = handler.create_request_object(event, context)  # type: ignore[assignment]
        response: dict[str, Any] = handler(event, context)
        return response

    def register_blueprint(self, *args: Any, **kwargs: Any) -> None:
        # A blueprint's routes reach Chalice without passing through `route`.
        raise NotImplementedError("declare routes on the Application itself")


def _any_type(value: str) -> bool:
    """Whether Chalice would match `value` (a Content-Type or Accept header)
    against an empty list of binary types: only a `*/*` does
    (chalice/app.py, _matches_content_type)."""
    return "*/*" in value


def _is_binary(headers: Mapping[str, Any]) -> bool:
    """Whether a response with these headers is of a binary type, for an API
    with none (no Content-Type: application/json, Chalice's default)."""
    for name, value in headers.items():  # a loop: a generator's frame costs more
        if _any_type(value) and name.lower() == "content-type":
            return True
    return False


class _TextApiHandler(RestAPIEventHandler):
    """Chalice's handler of an API Gateway request, for an API with no binary
    media types, answering as Chalice's does (tests/http/test_text_api_handler.py
    compares them). Chalice matches each response's Content-Type and the
    request's Accept against that list three times a request, and the request's
    Content-Type against the route's once, each time lower-casing, splitting
    with a regex and intersecting sets, and wraps the response's headers in a
    case-insensitive mapping twice: about a third of a warm `GET /health`.
    With no binary types only a `*/*` can match, which is all this looks for;
    a Content-Type the route names as it is needs no matching."""

    def __call__(self, event: Any, context: Any) -> Any:
        def wrapped_event(request: Any) -> Response:
            return self._main_rest_api_handler(event, context)

        final_handler = self._build_middleware_handlers(
            [self._global_error_handler, *self._middleware_handlers],
            original_handler=wrapped_event)
        response: Response = final_handler(self.current_request)
        # binary_types None: the body needs no base64 (it would only for a */*).
        return response.to_dict(self.api.binary_types if _is_binary(response.headers) else None)

    def _main_rest_api_handler(self, event: Any, context: Any) -> Response:
        request = self.current_request
        entries = self.routes.get(request.path) if request is not None else None
        route_entry = entries.get(request.method) if entries and request else None
        if request is None or route_entry is None or route_entry.cors is not None:
            # Chalice's own answer: no route (500, 405) or Chalice's CORS (unused here).
            return super()._main_rest_api_handler(event, context)
        function_args = {name: event["pathParameters"][name] for name in route_entry.view_args}
        self.lambda_context = context
        if route_entry.content_types:
            content_type = request.headers.get("content-type", "application/json")
            if content_type not in route_entry.content_types and not _matches_content_type(
                    content_type, route_entry.content_types):
                return error_response(error_code="UnsupportedMediaType",
                                      message=f"Unsupported media type: {content_type}",
                                      http_status_code=415)
        response = self._get_view_function_response(route_entry.view_function, function_args)
        if not self._validate_binary_response(request.headers, response.headers):
            content_type = CaseInsensitiveMapping(response.headers).get("content-type", "")
            return error_response(
                error_code="BadRequest",
                message=(f"Request did not specify an Accept header with {content_type}, "
                         f"The response has a Content-Type of {content_type}. If a "
                         "response has a binary Content-Type then the request "
                         "must specify an Accept header that matches."),
                http_status_code=400)
        return response

    def _validate_binary_response(self, request_headers: Any, response_headers: Any) -> bool:
        if not _is_binary(response_headers):
            return True
        accept = request_headers.get("accept")
        return accept is not None and _any_type(accept)
