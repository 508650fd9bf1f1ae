"""`python -m infra` (what `make deploy|destroy|admin…` run) answers an endpoint
that is not AWS in one sentence, never a traceback."""
from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from infra.__main__ import main
from infra.stages import EXAMPLE_SETTINGS_FILE


class _NotAws(http.server.BaseHTTPRequestHandler):
    """Answers like the local API does when AWS_ENDPOINT_URL names it by mistake."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"message": "Missing Authentication Token"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def not_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotAws)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    for name, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local"),
                        ("AWS_DEFAULT_REGION", "us-east-1"),
                        # destroy reads the stage from the settings first
                        ("FRONTDESK_SETTINGS", str(EXAMPLE_SETTINGS_FILE))):
        monkeypatch.setenv(name, value)
    yield endpoint
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.mark.parametrize(("argv", "what"), [(["destroy", "--stage", "dev"], "destroy dev"),
                                            (["admins", "--stage", "dev"], "admins on dev")])
def test_an_answer_botocore_cannot_parse_is_one_sentence(
        not_aws: str, argv: list[str], what: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 1
    assert capsys.readouterr().err == (
        f"error: {what} failed: {not_aws} answered with something that is not an "
        "AWS response; AWS_ENDPOINT_URL must name AWS or an embedded AWS (for `make dev`, the "
        "awsEndpoint in .local/stack.json), not the API.\n")
