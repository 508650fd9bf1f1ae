"""Stand-ins for the outside services the API calls, served by `make dev` and
used by the tests: a CAPTCHA verifier in the providers' siteverify shape, and
a chat webhook receiver.

The verifier accepts exactly one token, LOCAL_CAPTCHA_TOKEN (the dummy token
Cloudflare's Turnstile test site keys produce), and only with the secret
`make dev` provisions into moto's SSM; it refuses every other token.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

LOCAL_CAPTCHA_TOKEN = "XXXX.DUMMY.TOKEN.XXXX"  # noqa: S105 (the documented local test token)
LOCAL_CAPTCHA_SECRET = "local-captcha-secret"  # noqa: S105 (local stand-in only)
LOCAL_CAPTCHA_SITE_KEY = "1x00000000000000000000AA"  # Turnstile's "always passes" test key
SITEVERIFY_PATH = "/captcha/siteverify"
# POST /webhooks/<name> records the post and answers 204 (as Discord does), or
# 500 for a name starting with "fail"; GET /webhooks lists what was received,
# as moto's /moto-api/data.json lists the mail SES sent.
WEBHOOKS_PATH = "/webhooks"


class _Handler(BaseHTTPRequestHandler):
    server: FakeServices

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        if self.path == WEBHOOKS_PATH:
            self._answer(200, self.server.webhook_posts)
        else:
            self._answer(404, {"error": "not found"})

    def _record_webhook(self) -> None:
        name = self.path[len(WEBHOOKS_PATH) + 1:]
        raw = self._body()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        self.server.webhook_posts.append({
            "webhook": name, "contentType": self.headers.get("Content-Type", ""), "body": body})
        if name.startswith("fail"):
            self._answer(500, {"error": "this webhook always fails"})
            return
        self.send_response(204)
        self.end_headers()

    def do_POST(self) -> None:
        if self.path.startswith(WEBHOOKS_PATH + "/"):
            self._record_webhook()
            return
        if self.path != SITEVERIFY_PATH:
            self._answer(404, {"error": "not found"})
            return
        form = {k: v[0] for k, v in parse_qs(self._body().decode("utf-8", "replace")).items()}
        self.server.verifications.append(form)
        ok = (form.get("secret") == LOCAL_CAPTCHA_SECRET
              and form.get("response") == LOCAL_CAPTCHA_TOKEN)
        self._answer(200, {"success": True} if ok else
                     {"success": False, "error-codes": ["invalid-input-response"]})

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeServices(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _Handler)
        self.verifications: list[dict[str, str]] = []
        self.webhook_posts: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def siteverify_url(self) -> str:
        return self.url + SITEVERIFY_PATH

    def webhook_url(self, name: str = "local") -> str:
        return f"{self.url}{WEBHOOKS_PATH}/{name}"

    def start(self) -> FakeServices:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
