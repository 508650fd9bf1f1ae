"""Every error status, raised from a view, leaves the pipeline in the one JSON
shape, with CORS, the request id and nosniff. A small app wired exactly like
app.py raises each error on purpose."""
from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.auth import roles
from chalicelib.http import errors, log
from chalicelib.http.application import Application
from chalicelib.http.body import read_json_object
from chalicelib.http.pipeline import HttpPipeline
from chalicelib.platform.config import Settings
from tests.support.client import parity_client
from tests.support.metrics import RecordingMetrics

ORIGIN = "https://site.example.test"
SETTINGS = Settings(stage="local", region="us-east-1", table_name="unused",
                    allowed_origins=(ORIGIN,), max_body_bytes=1024)

RAISED = {
    "bad_request": errors.BadRequest,
    "validation_failed": lambda: errors.ValidationFailed([{"field": "email", "message": "bad"}]),
    "unauthorized": errors.Unauthorized,
    "forbidden": errors.Forbidden,
    "not_found": errors.NotFound,
    "conflict": errors.Conflict,
    "precondition_failed": errors.PreconditionFailed,
    "payload_too_large": errors.PayloadTooLarge,
    "unsupported_media_type": errors.UnsupportedMediaType,
    "precondition_required": errors.PreconditionRequired,
    "rate_limited": lambda: errors.RateLimited(headers={"Retry-After": "30"}),
    "internal_error": errors.InternalError,
    "service_unavailable": errors.ServiceUnavailable,
}
STATUS = {"bad_request": 400, "validation_failed": 400, "unauthorized": 401, "forbidden": 403,
          "not_found": 404, "conflict": 409, "precondition_failed": 412,
          "payload_too_large": 413, "unsupported_media_type": 415,
          "precondition_required": 428, "rate_limited": 429, "internal_error": 500,
          "service_unavailable": 503}


RETURNED: dict[str, dict[str, Any]] = {
    "text": {"name": "Zoë", "line": "a\u2028b", "quote": "\"<tag>\""},
    "decimals": {"whole": Decimal("5"), "fraction": Decimal("2.5")},
    "surrogate": {"broken": "\ud800"},
}


def build_app() -> Application:
    app = Application(app_name="error-shape", configure_logs=False)
    log.configure(app.log)
    app.register_middleware(HttpPipeline.for_app(app, SETTINGS, RecordingMetrics()), "http")

    @app.route("/raise/{code}", methods=["GET"])
    @roles.public
    def raise_error(code: str) -> None:
        raise RAISED[code]()

    @app.route("/crash", methods=["GET"])
    @roles.public
    def crash() -> None:
        raise RuntimeError("secret-internal-detail at /var/task/chalicelib/db.py")

    @app.route("/returns/{kind}", methods=["GET"])
    @roles.public
    def returns(kind: str) -> dict[str, Any]:
        return RETURNED[kind]

    @app.route("/echo", methods=["POST"])
    @roles.public
    def echo() -> dict[str, Any]:
        return read_json_object(app.current_request, max_bytes=SETTINGS.max_body_bytes)

    return app


@pytest.fixture(scope="module")
def http() -> Iterator[Any]:
    with parity_client(build_app()) as client:
        yield client


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    body = json.loads(response.body)
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert error["requestId"] == response.headers["X-Request-Id"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Vary"] == "Origin"
    assert "X-Request-Id" in response.headers["Access-Control-Expose-Headers"]
    return error


@pytest.mark.parametrize("code", sorted(RAISED))
def test_each_error_status_has_the_shape_and_cors(http: Any, code: str) -> None:
    response = http.get(f"/raise/{code}", headers={"Origin": ORIGIN})
    assert_error(response, STATUS[code], code)


def test_validation_failed_lists_field_details(http: Any) -> None:
    error = assert_error(http.get("/raise/validation_failed", headers={"Origin": ORIGIN}),
                         400, "validation_failed")
    assert error["details"] == [{"field": "email", "message": "bad"}]


def test_429_and_503_say_when_to_retry(http: Any) -> None:
    assert http.get("/raise/rate_limited", headers={"Origin": ORIGIN}).headers["Retry-After"] == "30"
    assert http.get("/raise/service_unavailable").headers["Retry-After"].isdigit()


def test_unexpected_exception_is_500_without_internals(http: Any, capsys: Any) -> None:
    response = http.get("/crash", headers={"Origin": ORIGIN})
    error = assert_error(response, 500, "internal_error")
    assert "secret-internal-detail" not in response.body.decode()
    assert "Traceback" not in response.body.decode()
    assert error["message"] == "An internal error occurred."
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    failure = [entry for entry in logged if "exception" in entry]
    assert failure, "the stack trace must reach the log"
    assert "secret-internal-detail" in failure[0]["exception"]
    assert failure[0]["requestId"] == error["requestId"]


def test_unknown_path_is_404_not_missing_token_403(http: Any) -> None:
    response = http.get("/no/such/thing", headers={"Origin": ORIGIN})
    assert_error(response, 404, "not_found")
    assert "Missing Authentication Token" not in response.body.decode()


def test_wrong_method_is_405_with_allow(http: Any) -> None:
    error = assert_error(http.delete("/echo", headers={"Origin": ORIGIN}), 405,
                         "method_not_allowed")
    assert error["message"]
    assert http.delete("/echo").headers["Allow"] == "POST, OPTIONS"


def test_head_is_405_too(http: Any) -> None:
    assert http.request("HEAD", "/echo").status_code == 405


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_a_non_json_body_is_415(http: Any, content_type: str) -> None:
    response = http.post("/echo", headers={"Origin": ORIGIN, "Content-Type": content_type},
                         body=b"name=x")
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("content_type", ["application/json; charset=iso-8859-1",
                                          "application/json; charset=utf-16",
                                          'application/json; charset="latin1"',
                                          "application/json;charset=", "text/plain; charset=utf-8"])
def test_a_json_body_in_a_charset_other_than_utf8_is_415(http: Any, content_type: str) -> None:
    response = http.post("/echo", headers={"Origin": ORIGIN, "Content-Type": content_type},
                         body=b'{"a": 1}')
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8",
                                          'Application/JSON; Charset="UTF-8"',
                                          "application/json;charset=UTF-8; foo=bar"])
def test_a_json_body_declared_as_utf8_is_read(http: Any, content_type: str) -> None:
    response = http.post("/echo", headers={"Origin": ORIGIN, "Content-Type": content_type},
                         body='{"a": "é"}'.encode())
    assert response.status_code == 200
    assert json.loads(response.body) == {"a": "é"}


def test_a_body_without_content_type_is_415(http: Any) -> None:
    assert_error(http.post("/echo", headers={"Origin": ORIGIN}, body=b'{"a": 1}'), 415,
                 "unsupported_media_type")


@pytest.mark.parametrize("body", [b"", b"   ", b"{", b'{"a": }', b"[1, 2]", b'"text"', b"null",
                                  b'{"a": NaN}', b"\xff\xfe{}", b"[" * 100_000 + b"]" * 100_000,
                                  b'{"n": ' + b"9" * 5000 + b"}"],
                         ids=["empty", "blank", "truncated", "syntax", "array", "string", "null",
                              "nan", "bad-utf8", "deep-nesting", "huge-int"])
def test_a_missing_or_malformed_body_is_400(http: Any, body: bytes) -> None:
    response = http.post("/echo", headers={"Origin": ORIGIN, "Content-Type": "application/json"},
                         body=body if len(body) < 1024 else body[:1000])
    assert_error(response, 400, "bad_request")


def test_deeply_nested_json_within_the_size_limit_is_400() -> None:
    # Fits a generous size limit, but nests far past Python's recursion limit.
    request = SimpleNamespace(raw_body=b"[" * 50_000 + b"]" * 50_000,
                              headers={"content-type": "application/json"})
    with pytest.raises(errors.BadRequest):
        read_json_object(request, max_bytes=1_000_000)  # type: ignore[arg-type]


def test_a_body_over_the_limit_is_413(http: Any) -> None:
    body = json.dumps({"text": "x" * 2000}).encode()
    response = http.post("/echo", headers={"Origin": ORIGIN, "Content-Type": "application/json"},
                         body=body)
    assert_error(response, 413, "payload_too_large")


def test_a_json_object_is_accepted(http: Any) -> None:
    response = http.post("/echo", headers={"Content-Type": "application/json; charset=utf-8"},
                         body=b'{"a": 1}')
    assert response.status_code == 200
    assert json.loads(response.body) == {"a": 1}


@pytest.mark.parametrize("kind", sorted(RETURNED))
def test_a_view_dict_is_sent_as_json_text(http: Any, kind: str) -> None:
    response = http.get(f"/returns/{kind}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(response.body) == json.loads(json.dumps(RETURNED[kind], default=float))


def test_text_is_sent_as_utf8_not_escapes(http: Any) -> None:
    assert "Zoë".encode() in http.get("/returns/text").body


def test_a_lone_surrogate_is_sent_escaped_not_a_500(http: Any) -> None:
    assert b'"\\ud800"' in http.get("/returns/surrogate").body
