"""An API without binary media types is answered by chalicelib/http/application.py's
_TextApiHandler, which must answer every request exactly as Chalice's own handler
does, without matching content types that cannot match."""
from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from chalice import Chalice, NotFoundError, Response
from chalice.local import LambdaContext

from chalicelib.auth.roles import public
from chalicelib.http.application import Application


def event(method: str, resource: str, *, headers: dict[str, str] | None = None,
          body: str | None = None, path_params: dict[str, str] | None = None) -> dict[str, Any]:
    return {"resource": resource, "path": resource, "httpMethod": method,
            "headers": headers or {}, "multiValueHeaders": {},
            "queryStringParameters": None, "multiValueQueryStringParameters": None,
            "pathParameters": path_params, "stageVariables": None, "body": body,
            "isBase64Encoded": False,
            "requestContext": {"resourcePath": resource, "httpMethod": method,
                               "requestId": "req-1"}}


def build_app(*, with_middleware: bool) -> Application:
    app = Application(app_name="text-api", configure_logs=False)
    app.api.binary_types = []

    @app.route("/things/{thing_id}", methods=["GET"])
    @public
    def get_thing(thing_id: str) -> dict[str, Any]:
        return {"id": thing_id}

    @app.route("/things", methods=["POST"], content_types=["application/json", "text/csv"])
    @public
    def post_thing() -> Response:
        return Response({"made": True}, status_code=201)

    @app.route("/any-type", methods=["GET"])
    @public
    def any_type() -> Response:
        return Response(b"\x00\x01", headers={"content-type": "*/*"})

    @app.route("/bad-header", methods=["GET"])
    @public
    def bad_header() -> Response:
        return Response("x", headers={"X-Split": "one\ntwo"})

    @app.route("/plain", methods=["GET"])
    @public
    def plain() -> Response:
        return Response("text", headers={"Content-Type": "text/plain"})

    # Chalice's own errors reach Chalice unmapped when a view is declared on Chalice itself.
    Chalice.route(app, "/missing", methods=["GET"])(raise_not_found)
    Chalice.route(app, "/crash", methods=["GET"])(crash)

    if with_middleware:
        @app.middleware("http")
        def tag(request: Any, get_response: Callable[[Any], Response]) -> Response:
            response = get_response(request)
            response.headers["X-Tag"] = "tagged"
            return response
    return app


def raise_not_found() -> None:
    raise NotFoundError("nothing here")


def crash() -> None:
    raise RuntimeError("a bug")


CASES = {
    "a view's dict": event("GET", "/things/{thing_id}", path_params={"thing_id": "t1"}),
    "JSON to a JSON route": event("POST", "/things", headers={"Content-Type": "application/json"},
                                  body="{}"),
    "JSON with parameters": event("POST", "/things", body="{}", headers={
        "content-type": "Application/JSON; charset=utf-8"}),
    "no Content-Type": event("POST", "/things", body="{}"),
    "another listed type": event("POST", "/things", headers={"Content-Type": "text/csv"},
                                 body="a,b"),
    "an unlisted type": event("POST", "/things", headers={"Content-Type": "text/plain"},
                              body="x"),
    "a */* body without Accept": event("GET", "/any-type"),
    "a */* body, Accept */*": event("GET", "/any-type", headers={"Accept": "*/*"}),
    "a */* body, Accept image/png": event("GET", "/any-type", headers={"Accept": "image/png"}),
    "text": event("GET", "/plain", headers={"Accept": "*/*"}),
    "a header with a newline": event("GET", "/bad-header"),
    "Chalice's NotFoundError": event("GET", "/missing"),
    "an unhandled error": event("GET", "/crash"),
    "a method not declared": event("PUT", "/missing"),
    "a path not declared": event("GET", "/nowhere"),
    "not an API Gateway request": {"anything": 1},
}


@pytest.mark.parametrize("with_middleware", [False, True])
@pytest.mark.parametrize("case", list(CASES))
def test_it_answers_as_chalices_own_handler(case: str, with_middleware: bool) -> None:
    app = build_app(with_middleware=with_middleware)
    context = LambdaContext("text-api", 128)

    def answer(handle: Callable[[dict[str, Any], Any], Any]) -> Any:
        try:
            return handle(CASES[case], context)
        except Exception as error:  # Chalice's own handler raises for a non-API event
            return type(error)

    ours = answer(app)
    chalices = answer(lambda e, c: Chalice.__call__(app, e, c))
    assert ours == chalices


def test_a_binary_answer_is_base64_as_chalice_sends_it() -> None:
    response = build_app(with_middleware=False)(
        event("GET", "/any-type", headers={"Accept": "*/*"}), LambdaContext("text-api", 128))
    assert response["isBase64Encoded"] is True
    assert base64.b64decode(response["body"]) == b"\x00\x01"


def test_an_api_with_binary_types_is_answered_by_chalice() -> None:
    app = build_app(with_middleware=False)
    app.api.binary_types = ["image/png"]
    context = LambdaContext("text-api", 128)
    assert calls_of("_matches_content_type",
                    lambda: app(CASES["a view's dict"], context)) >= 3
    response = app(event("GET", "/any-type"), context)
    assert response["statusCode"] == 400  # a binary type, and no Accept for it
    assert response == Chalice.__call__(app, event("GET", "/any-type"), context)


def calls_of(function_name: str, run: Callable[[], Any]) -> int:
    """How many times a Python function of this name is called during `run`."""
    count = 0

    def profile(frame: FrameType, what: str, arg: Any) -> None:
        nonlocal count
        if what == "call" and frame.f_code.co_name == function_name:
            count += 1

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return count


def test_a_json_request_matches_no_content_type() -> None:
    """Chalice matched content types four times a request (a third of a warm
    GET /health): a JSON body to a JSON route, and its JSON answer, need none."""
    app = build_app(with_middleware=True)
    context = LambdaContext("text-api", 128)
    for case in ("a view's dict", "JSON to a JSON route"):
        request = CASES[case]
        assert calls_of("_matches_content_type", lambda r=request: app(r, context)) == 0
        assert calls_of("_matches_content_type",
                        lambda r=request: Chalice.__call__(app, r, context)) >= 3
