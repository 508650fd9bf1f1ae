"""Stand-ins for the outside services the API calls, served by `make dev` and
used by the tests: a CAPTCHA verifier in the providers' siteverify shape, a
chat webhook receiver, and Akismet's comment-check.

The verifier accepts exactly one token, LOCAL_CAPTCHA_TOKEN (the dummy token
Cloudflare's Turnstile test site keys produce), and only with the secret
`make dev` provisions into moto's SSM; it refuses every other token.

The Akismet stand-in (POST /akismet/1.1/comment-check) answers as Akismet
does, with Akismet's own test values and a few of its own for its failures:
- an api_key other than LOCAL_AKISMET_KEY: 200 `invalid`, with
  X-akismet-debug-help (Akismet's answer to an unknown key);
- comment_author `akismet-guaranteed-spam`, or comment_author_email
  `akismet-guaranteed-spam@example.com`: `true` (spam);
- comment_author `akismet-slow`: `false`, after 3 seconds (a timeout);
- comment_author `akismet-error`: 500;
- anything else: `false` (not spam).
GET /akismet lists the checks it received (keys left out).
"""
from __future__ import annotations

import json
import threading
import time
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
AKISMET_PATH = "/akismet/1.1/comment-check"
LOCAL_AKISMET_KEY = "local-akismet-key"  # noqa: S105 (local stand-in only)
AKISMET_SPAM_AUTHOR = "akismet-guaranteed-spam"
AKISMET_SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
AKISMET_SLOW_AUTHOR = "akismet-slow"
AKISMET_ERROR_AUTHOR = "akismet-error"
AKISMET_SLOW_SECONDS = 3.0


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
        elif self.path == "/akismet":
            self._answer(200, self.server.akismet_checks)
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

    def _text(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _akismet(self) -> None:
        form = {k: v[0] for k, v in parse_qs(self._body().decode("utf-8", "replace")).items()}
        self.server.akismet_checks.append({k: v for k, v in form.items() if k != "api_key"})
        author = form.get("comment_author", "")
        if form.get("api_key") != LOCAL_AKISMET_KEY:
            self._text(200, "invalid", {"X-akismet-debug-help": "Empty \"api_key\" value or "
                                                                "the key is not valid"})
        elif author == AKISMET_ERROR_AUTHOR:
            self._text(500, "Internal Server Error")
        elif author == AKISMET_SLOW_AUTHOR:
            time.sleep(AKISMET_SLOW_SECONDS)
            self._text(200, "false")
        elif author == AKISMET_SPAM_AUTHOR or form.get("comment_author_email") == \
                AKISMET_SPAM_EMAIL:
            self._text(200, "true", {"X-akismet-pro-tip": "discard"})
        else:
            self._text(200, "false")

    def do_POST(self) -> None:
        if self.path.startswith(WEBHOOKS_PATH + "/"):
            self._record_webhook()
            return
        if self.path == AKISMET_PATH:
            try:
                self._akismet()
            except (BrokenPipeError, ConnectionResetError):  # the caller gave up (a timeout)
                pass
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
        self.akismet_checks: list[dict[str, str]] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def siteverify_url(self) -> str:
        return self.url + SITEVERIFY_PATH

    @property
    def akismet_url(self) -> str:
        return self.url + AKISMET_PATH

    def webhook_url(self, name: str = "local") -> str:
        return f"{self.url}{WEBHOOKS_PATH}/{name}"

    def start(self) -> FakeServices:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
