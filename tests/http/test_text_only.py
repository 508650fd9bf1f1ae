"""The API declares no binary media types (app.py): a body of a binary type is
refused like any other unsupported type, and every answer is text."""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import TEST_ORIGIN

BINARY = b"\x89PNG\r\n\x1a\n\x00\xff\xfe"


def test_the_app_declares_no_binary_media_types(frontdesk_app: Any) -> None:
    assert frontdesk_app.api.binary_types == []


@pytest.mark.parametrize("content_type", ["image/png", "application/octet-stream",
                                          "application/zip"])
@pytest.mark.parametrize("path", ["/contact", "/users"])
def test_a_binary_body_gets_415_in_the_error_shape_with_cors(
        client: Any, as_admin: dict[str, str], path: str, content_type: str) -> None:
    response = client.post(path, body=BINARY, headers={
        **as_admin, "Origin": TEST_ORIGIN, "Content-Type": content_type,
        "Accept": content_type})
    assert response.status_code == 415
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    assert json.loads(response.body)["error"]["code"] == "unsupported_media_type"


def test_a_client_accepting_only_a_binary_type_still_gets_json(client: Any) -> None:
    response = client.get("/health", headers={"Origin": TEST_ORIGIN,
                                                   "Accept": "application/octet-stream"})
    assert response.status_code == 200
    assert json.loads(response.body) == {"ok": True}
