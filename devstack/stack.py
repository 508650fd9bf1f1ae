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
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
from chalice.cli.factory import CLIFactory
from chalice.local import LocalDevServer, create_local_server

from chalicelib.config import Settings
from devstack.gateway import ParityRequestHandler
from devstack.moto_server import LocalAwsServer
from devstack.provision import provision
from devstack.triggers import Triggers
from infra.web_headers import security_headers

PROJECT_DIR = Path(__file__).resolve().parent.parent
REGION = "us-east-1"


@dataclass(frozen=True)
class Ports:
    """Defaults documented in the README; each can be set by environment variable."""
    api: int = 8000
    aws: int = 8001
    web: int = 8080

    @classmethod
    def from_env(cls, environ: dict[str, str] | os._Environ[str] = os.environ) -> "Ports":
        return cls(api=int(environ.get("API_PORT", cls.api)),
                   aws=int(environ.get("AWS_PORT", cls.aws)),
                   web=int(environ.get("WEB_PORT", cls.web)))


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
        self._triggers: Triggers | None = None

    def _url(self, port: int) -> str:
        return f"http://{self.host}:{port}"

    def start(self) -> dict[str, Any]:
        aws_endpoint = self._url(self.ports.aws)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-call access log
        self._moto = LocalAwsServer(self.host, self.ports.aws).start()
        os.environ.update(local_aws_environment(aws_endpoint))

        # environ=os.environ: Chalice sets the stage's variables in the real
        # environment before importing app.py, as `chalice local` does.
        factory = CLIFactory(str(PROJECT_DIR), environ=os.environ)
        stage_env = factory.create_config_obj("local").environment_variables
        web_origins = [self._url(self.ports.web), f"http://localhost:{self.ports.web}"]
        origins = list(dict.fromkeys(
            [*stage_env.get("ALLOWED_ORIGINS", "").split(","), *web_origins]))
        mail_from = stage_env.get("MAIL_FROM", "frontdesk@example.com")
        resources = provision(boto3.Session(), table_name=stage_env["TABLE_NAME"],
                              mail_from=mail_from)
        api_key = secrets.token_urlsafe(32)  # fresh each start; never written to the repo
        overrides = {
            "USER_POOL_ID": resources.user_pool_id,
            "USER_POOL_CLIENT_ID": resources.user_pool_client_id,
            "COGNITO_JWKS_URL": f"{aws_endpoint}/{resources.user_pool_id}/.well-known/jwks.json",
            "LOCAL_API_KEY": api_key,
            "ALLOWED_ORIGINS": ",".join(o for o in origins if o),
            **self.environment,
        }
        config = factory.create_config_obj(
            "local", user_provided_params={"environment_variables": overrides})
        app = config.chalice_app  # imports app.py with the stage's environment
        settings = Settings.from_env()
        self._api = create_local_server(app, config, self.host, self.ports.api)
        self._api.server.RequestHandlerClass = functools.partial(  # type: ignore[assignment]
            ParityRequestHandler, app_object=app, config=config)
        # Chalice's server listens with a backlog of 5: a burst of parallel
        # requests from a browser or a test gets connections reset.
        self._api.server.socket.listen(128)
        _serve(self._api.server)
        self._triggers = Triggers(app, boto3.Session(), resources.table_name,
                                  schedule_seconds=float(os.environ.get("SCHEDULE_SECONDS", "30")))
        self._triggers.start()

        info = {
            "apiUrl": self._url(self.ports.api),
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
        }
        web_dir = PROJECT_DIR / "web"
        if web_dir.is_dir():
            self._web = ThreadingHTTPServer((self.host, self.ports.web),
                                            web_handler(web_dir, web_config(info)))
            _serve(self._web)
            info["webUrl"] = self._url(self.ports.web)
        self.stack_file.parent.mkdir(parents=True, exist_ok=True)
        self.stack_file.write_text(json.dumps(info, indent=2) + "\n")
        return info

    def stop(self) -> None:
        if self._triggers is not None:
            self._triggers.stop()
        for server in (self._api.server if self._api else None, self._web):
            if server is not None:
                server.shutdown()
                server.server_close()
        if self._moto is not None:
            self._moto.stop()
        self.stack_file.unlink(missing_ok=True)


def web_config(info: dict[str, Any]) -> dict[str, Any]:
    """What the web frontend needs to find the API and sign in."""
    return {key: info[key] for key in ("apiUrl", "region", "userPoolClientId", "cognitoEndpoint",
                                       "passwordPolicy")}


def web_handler(web_dir: Path, config: dict[str, Any]) -> Any:
    body = json.dumps(config).encode()
    # The deployed site's headers (infra/web_headers.py), naming the local API and AWS.
    headers = security_headers(config["apiUrl"], config["cognitoEndpoint"])

    class WebHandler(SimpleHTTPRequestHandler):
        def end_headers(self) -> None:  # every response, error pages included
            for name, value in headers.items():
                self.send_header(name, value)
            super().end_headers()

        def do_GET(self) -> None:
            if self.path.split("?")[0] == "/config.json":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return functools.partial(WebHandler, directory=str(web_dir))
