"""`If-Match: *` under contention (issue 24, part 5): fifty admins patching one
user at once is a normal race. Each change applies, or loses the race and is
told so with 409 `conflict`; none is a 503, and none logs an ERROR."""
from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from tests.conftest import JSON
from tests.support.client import parity_client

WRITERS = 50


def test_fifty_concurrent_patches_with_if_match_star_are_200_or_409(
        client: Any, frontdesk_app: Any, as_admin: dict[str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    created = client.post("/users", headers={**as_admin, **JSON},
                          body=json.dumps({"name": "Contended", "email": "hot@example.com"}).encode())
    user_id = created.json_body["id"]
    capsys.readouterr()
    start = threading.Barrier(WRITERS)
    answers: list[Any] = []

    def patch(n: int) -> None:
        with parity_client(frontdesk_app) as own:
            start.wait()
            answers.append(own.patch(f"/users/{user_id}",
                                     headers={**as_admin, **JSON, "If-Match": "*"},
                                     body=json.dumps({"name": f"Writer {n}"}).encode()))

    threads = [threading.Thread(target=patch, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    logged = capsys.readouterr().out

    statuses = sorted(answer.status_code for answer in answers)
    assert len(statuses) == WRITERS
    assert set(statuses) <= {200, 409}, statuses
    applied = statuses.count(200)
    assert applied >= 1
    for answer in answers:
        if answer.status_code == 409:
            error = answer.json_body["error"]
            assert error["code"] == "conflict"
            assert "kept changing" in error["message"]
    assert '"level":"ERROR"' not in logged and "Traceback" not in logged
    overtaken = [line for line in logged.splitlines() if "overtaken" in line]
    assert len(overtaken) == statuses.count(409)
    assert all('"level":"INFO"' in line for line in overtaken)
    # Every 200 is one version more; a 409 changed nothing.
    current = client.get(f"/users/{user_id}", headers=as_admin)
    assert current.headers["ETag"] == f'"{1 + applied}"'
