"""Start and stop the whole local stack in one process: moto's server as AWS,
the API (Chalice's local server with the parity gateway) and the web frontend.

One process and daemon threads: stopping the process stops everything, so
Ctrl-C can never leave a server behind.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import secrets
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from chalice.cli.factory import CLIFactory
from chalice.local import LocalDevServer, create_local_server

from chalicelib.http.cors import CorsPolicy
from chalicelib.platform.config import (
    Settings,
    akismet_key_parameter,
    captcha_secret_parameter,
    chat_webhook_parameter,
)
from chalicelib.platform.parameters import SsmSecret
from devstack.fakes import (
    LOCAL_AKISMET_KEY,
    LOCAL_CAPTCHA_SECRET,
    LOCAL_CAPTCHA_SITE_KEY,
    FakeServices,
)
from devstack.files import files_server
from devstack.gateway import ParityRequestHandler
from devstack.moto_server import LocalAwsServer
from devstack.provision import provision
from devstack.triggers import Triggers
from infra.form_page_route import FORM_PAGE, site_page_path
from infra.web_headers import security_headers
from infra.web_pages import branding_config, served_page

PROJECT_DIR = Path(__file__).resolve().parent.parent
REGION = "us-east-1"


# What a developer may set for the local stack in the environment of `make
# dev`, over the stage's value (`make soak` raises the contact rate limit).
STAGE_OVERRIDES = ("CONTACT_RATE_LIMIT",)


class PortTaken(RuntimeError):
    """One of the stack's ports is in use; says which and how to change it."""

    def __init__(self, port: int, variable: str) -> None:
        super().__init__(f"Port {port} is already in use: set {variable} to a free port "
                         f"(e.g. {variable}={port + 100} make dev).")


@dataclass(frozen=True)
class Ports:
    """Defaults documented in the README; each can be set by environment variable."""
    api: int = 8000
    aws: int = 8001
    web: int = 8080
    files: int = 8002  # the attachments' downloads (devstack/files.py)

    @classmethod
    def from_env(cls, environ: dict[str, str] | os._Environ[str] = os.environ) -> Ports:
        return cls(api=int(environ.get("API_PORT", cls.api)),
                   aws=int(environ.get("AWS_PORT", cls.aws)),
                   web=int(environ.get("WEB_PORT", cls.web)),
                   files=int(environ.get("FILES_PORT", cls.files)))

    def by_variable(self) -> dict[str, int]:
        return {"API_PORT": self.api, "AWS_PORT": self.aws, "WEB_PORT": self.web,
                "FILES_PORT": self.files}

    def check_free(self, host: str) -> None:
        """Raise PortTaken for the first port something else listens on."""
        for variable, port in self.by_variable().items():
            with socket.socket() as probe:
                # As the servers bind: a port left in TIME_WAIT by a stack
                # just stopped counts as free.
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind((host, port))
                except OSError:
                    raise PortTaken(port, variable) from None


def local_web_origins(stage_origins: str, host: str, web_port: int) -> list[str]:
    """The stage's origins, with its local web origins moved to the web server's port."""
    local_hosts = {"localhost", "127.0.0.1", host}
    kept = [o.strip() for o in stage_origins.split(",")
            if o.strip() and urlsplit(o.strip()).hostname not in local_hosts]
    return list(dict.fromkeys([f"http://{host}:{web_port}", f"http://localhost:{web_port}", *kept]))


def local_aws_environment(endpoint: str) -> dict[str, str]:
    """Point every boto3 client in this process at moto, with throwaway credentials."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        # Repeatable pool and client ids from one run to the next.
        "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
        "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH",
        # moto then checks TOTP codes (against its one fixed secret) instead of accepting any.
        "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true",
    }


def _serve(server: Any) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


class LocalStack:
    def __init__(self, *, host: str = "127.0.0.1", ports: Ports = Ports(),
                 stack_file: Path = PROJECT_DIR / ".local" / "stack.json",
                 environment: dict[str, str] | None = None) -> None:
        self.host = host
        self.ports = ports
        self.stack_file = stack_file
        # Overrides of the local stage's environment_variables (`make fuzz`
        # raises CONTACT_RATE_LIMIT so the contact form's success path runs).
        self.environment = dict(environment or {})
        self._moto: LocalAwsServer | None = None
        self._api: LocalDevServer | None = None
        self._web: ThreadingHTTPServer | None = None
        self._files: ThreadingHTTPServer | None = None
        self._triggers: Triggers | None = None
        self._wrote_stack_file = False
        self._fakes: FakeServices | None = None
        self._serving: list[Any] = []  # the API and web servers, once they answer

    def _captcha_settings(self, provider: str) -> dict[str, str]:
        """`CAPTCHA_PROVIDER=turnstile make dev`: the local verifier, its secret in moto's SSM."""
        if not provider or self._fakes is None:
            return {}
        boto3.client("ssm").put_parameter(Name=captcha_secret_parameter("local"),
                                          Value=LOCAL_CAPTCHA_SECRET, Type="SecureString",
                                          Overwrite=True)
        return {"CAPTCHA_PROVIDER": provider, "CAPTCHA_SITE_KEY": LOCAL_CAPTCHA_SITE_KEY,
                "CAPTCHA_VERIFY_URL": self._fakes.siteverify_url}

    def _akismet_settings(self, blog: str) -> dict[str, str]:
        """`AKISMET_BLOG=http://localhost:8080 make dev`: the local Akismet (its
        trigger values: devstack/fakes.py), its key in moto's SSM."""
        if not blog or self._fakes is None:
            return {}
        boto3.client("ssm").put_parameter(Name=akismet_key_parameter("local"),
                                          Value=LOCAL_AKISMET_KEY, Type="SecureString",
                                          Overwrite=True)
        return {"AKISMET_BLOG": blog, "AKISMET_URL": self._fakes.akismet_url}

    def _chat_settings(self, fmt: str) -> dict[str, str]:
        """`CHAT_FORMAT=slack make dev`: chat posts to the local receiver (GET <fakesUrl>/webhooks)."""
        if not fmt or self._fakes is None:
            return {}
        boto3.client("ssm").put_parameter(Name=chat_webhook_parameter("local"),
                                          Value=self._fakes.webhook_url(), Type="SecureString",
                                          Overwrite=True)
        return {"CHAT_FORMAT": fmt}

    def _url(self, port: int) -> str:
        return f"http://{self.host}:{port}"

    def start(self) -> dict[str, Any]:
        self.ports.check_free(self.host)  # before anything starts or any file is written
        aws_endpoint = self._url(self.ports.aws)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-call access log
        # DynamoDB's TTL, every minute (DynamoDB: within days; devstack/moto_ttl.py).
        self._moto = LocalAwsServer(self.host, self.ports.aws, ttl_sweep_seconds=60).start()
        os.environ.update(local_aws_environment(aws_endpoint))

        # environ=os.environ: Chalice sets the stage's variables in the real
        # environment before importing app.py, as `chalice local` does.
        factory = CLIFactory(str(PROJECT_DIR), environ=os.environ)
        stage_env = factory.create_config_obj("local").environment_variables
        origins = local_web_origins(stage_env.get("ALLOWED_ORIGINS", ""), self.host, self.ports.web)
        resources = provision(boto3.Session(), web_origins=origins)
        api_key = secrets.token_urlsafe(32)  # fresh each start; never written to the repo
        fakes = self._fakes = FakeServices(self.host).start()
        overrides = {**self._captcha_settings(os.environ.get("CAPTCHA_PROVIDER", "")),
                     **self._chat_settings(os.environ.get("CHAT_FORMAT", "")),
                     **self._akismet_settings(os.environ.get("AKISMET_BLOG", "")),
            "TABLE_NAME": resources.table_name,  # the resources stack's, as deployed
            "ATTACHMENTS_BUCKET": resources.outputs["AttachmentsBucketName"],
            # The files server stands in for the files distribution (devstack/files.py).
            "FILES_URL": self._url(self.ports.files),
            "USER_POOL_ID": resources.user_pool_id,
            "USER_POOL_CLIENT_ID": resources.user_pool_client_id,
            "COGNITO_JWKS_URL": f"{aws_endpoint}/{resources.user_pool_id}/.well-known/jwks.json",
            "LOCAL_API_KEY": api_key,
            "ALLOWED_ORIGINS": ",".join(origins),
            # The site's address, as deploy sets it: the first of its origins.
            "SITE_URL": origins[0] + "/",
            **{name: os.environ[name] for name in STAGE_OVERRIDES if name in os.environ},
            **self.environment,
        }
        config = factory.create_config_obj(
            "local", user_provided_params={"environment_variables": overrides})
        app = config.chalice_app  # imports app.py with the stage's environment
        settings = Settings.from_env()
        self._api = create_local_server(app, config, self.host, self.ports.api)
        self._api.server.RequestHandlerClass = functools.partial(  # type: ignore[assignment]
            ParityRequestHandler, app_object=app, config=config,
            cors=CorsPolicy(settings.allowed_origins))
        # Chalice's server listens with a backlog of 5: a burst of parallel
        # requests from a browser or a test gets connections reset.
        self._api.server.socket.listen(128)
        # Chalice's server joins every request thread on close, a browser's
        # idle keep-alive connection included: Ctrl-C would wait on it.
        self._api.server.daemon_threads = True
        self._api.server.block_on_close = False  # type: ignore[attr-defined]
        self._files = files_server(
            self.host, self.ports.files, s3=boto3.client("s3"),
            bucket=settings.attachments_bucket,
            key=SsmSecret(boto3.client("ssm"), settings.files_key_parameter))

        info = {
            "apiUrl": self._url(self.ports.api),
            "filesUrl": self._url(self.ports.files),
            "awsEndpoint": aws_endpoint,
            "cognitoEndpoint": aws_endpoint,
            "region": REGION,
            "userPoolId": resources.user_pool_id,
            "userPoolClientId": resources.user_pool_client_id,
            "tableName": resources.table_name,
            "allowedOrigins": list(settings.allowed_origins),
            "apiKey": api_key,
            "users": resources.users,
            "passwordPolicy": resources.password_policy,
            "fakesUrl": fakes.url,
            "branding": branding_config(settings.branding),
            "spamRetentionDays": settings.spam_retention_days,
        }
        if settings.captcha_provider:
            info["captcha"] = {"provider": settings.captcha_provider,
                               "siteKey": settings.captcha_site_key}
        web_dir = PROJECT_DIR / "web"
        if web_dir.is_dir():
            self._web = ThreadingHTTPServer((self.host, self.ports.web),
                                            web_handler(web_dir, web_config(info)))
            info["webUrl"] = self._url(self.ports.web)
        self.stack_file.parent.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed: a reader never sees half a file.
        partial = self.stack_file.with_name(f".{self.stack_file.name}.{os.getpid()}")
        partial.write_text(json.dumps(info, indent=2) + "\n")
        partial.replace(self.stack_file)
        self._wrote_stack_file = True
        # Only now answer (a connection made earlier waits in the backlog): a
        # script that polls /health and then reads the stack file finds it.
        for server in (self._api.server, self._web, self._files):
            if server is not None:
                _serve(server)
                self._serving.append(server)
        self._triggers = Triggers(app, boto3.Session(), resources.table_name,
                                  schedule_seconds=float(os.environ.get("SCHEDULE_SECONDS", "30")))
        self._triggers.start()
        return info

    def stop(self) -> None:
        if self._triggers is not None:
            self._triggers.stop()
        for server in (self._api.server if self._api else None, self._web, self._files,
                       self._fakes):
            if server is not None:
                # shutdown() waits for serve_forever(), which a failed start never ran.
                if server is self._fakes or server in self._serving:
                    server.shutdown()
                server.server_close()
        if self._moto is not None:
            self._moto.stop()
        if self._wrote_stack_file:  # never another stack's
            self.stack_file.unlink(missing_ok=True)


def web_config(info: dict[str, Any]) -> dict[str, Any]:
    """What the web frontend needs to find the API and sign in."""
    return {key: info[key] for key in ("apiUrl", "region", "userPoolClientId", "cognitoEndpoint",
                                       "passwordPolicy", "captcha", "branding", "spamRetentionDays")
            if key in info}


# The site's page for an address it does not have, locally as deployed.
NOT_FOUND_PAGE = "404.html"


# What the site passes on of the API's answer for form.html (CloudFront passes
# the rest too, but its headers policy replaces each security header).
PASSED_ON = ("Content-Type", "Cache-Control", "Retry-After")


def web_handler(web_dir: Path, config: dict[str, Any]) -> Any:
    body = json.dumps(config).encode()
    api_url = str(config["apiUrl"]).rstrip("/")
    # The deployed site's headers (infra/web_headers.py), naming the local API and AWS.
    headers = security_headers(config["apiUrl"], config["cognitoEndpoint"],
                               config.get("captcha", {}).get("provider"))

    class WebHandler(SimpleHTTPRequestHandler):
        def end_headers(self) -> None:  # every response, error pages included
            for name, value in headers.items():
                self.send_header(name, value)
            super().end_headers()

        def do_GET(self) -> None:
            if self.path.split("?")[0] == FORM_PAGE:
                self._form_page()
                return
            if self.path.split("?")[0] == "/config.json":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)
                return
            page = Path(self.translate_path(self.path))
            if page.is_dir() and self.path.split("?")[0].endswith("/"):
                page = page / "index.html"
            if page.suffix == ".html" and page.is_file():  # with the stage's values written in
                html = served_page(page.read_bytes(), config)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(html)))
                self.end_headers()
                self.wfile.write(html)
                return
            super().do_GET()

        def do_HEAD(self) -> None:
            if self.path.split("?")[0] == FORM_PAGE:
                self._form_page()
                return
            super().do_HEAD()

        def _form_page(self) -> None:
            """As the deployed site's CloudFront (infra/resources.yaml): form.html
            is the API's site page of the form its query names, under the
            site's headers (the API page's own are dropped), never cached
            here; a 403 or 404 from the API is the site's own 404 page."""
            address = api_url + site_page_path(self.path.partition("?")[2])
            try:
                with urllib.request.urlopen(address, timeout=30) as answer:  # noqa: S310 (the local API)
                    status, page = answer.status, answer.read()
                    kept = {name: answer.headers[name] for name in PASSED_ON if name in answer.headers}
            except urllib.error.HTTPError as error:
                if error.code in (403, 404):
                    self.send_error(404)
                    return
                status, page = error.code, error.read()
                kept = {name: error.headers[name] for name in PASSED_ON if name in error.headers}
            self.send_response(status)
            for name, value in kept.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(page)

        def send_error(self, code: int, message: str | None = None,
                       explain: str | None = None) -> None:
            not_found = web_dir / NOT_FOUND_PAGE
            if code != 404 or not not_found.is_file():
                super().send_error(code, message, explain)
                return
            # What CloudFront answers for a missing file (infra/resources.yaml).
            page = served_page(not_found.read_bytes(), config)
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(page)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return functools.partial(WebHandler, directory=str(web_dir))
