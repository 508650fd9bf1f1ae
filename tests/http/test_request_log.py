"""Request ids and the one structured log line per request."""
from __future__ import annotations

import json
import uuid
from typing import Any


def test_every_response_has_a_fresh_request_id_and_nosniff(client: Any) -> None:
    first, second = client.get("/health"), client.get("/health")
    for response in (first, second):
        uuid.UUID(response.headers["X-Request-Id"])
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


def test_health_is_public_and_ok(client: Any) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json_body == {"ok": True}
    assert "Cache-Control" not in response.headers


def test_one_json_log_line_per_request_without_secrets(client: Any, capsys: Any) -> None:
    capsys.readouterr()
    response = client.get("/health", headers={"Authorization": "Bearer secret-token-value"})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    access = [entry for entry in lines if entry.get("message") == "request"]
    assert len(access) == 1
    entry = access[0]
    assert entry["method"] == "GET" and entry["route"] == "/health" and entry["status"] == 200
    assert entry["requestId"] == response.headers["X-Request-Id"]
    assert isinstance(entry["durationMs"], float)
    assert "secret-token-value" not in json.dumps(lines)
