"""The four candidates, loaded the same way in every child process.

Frontdesk runs in its deployed mode (a dev stage inside "Lambda": API Gateway
has verified the caller, so no token library is loaded). Each peer is a module
in bench/peers exposing `handler(event, context)`.
"""
from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
TABLE = "frontdesk-dev"
FLOOR = "floor"
NAMES = ("frontdesk", FLOOR, "fastapi", "powertools")
_MODULES = {"frontdesk": ("app", "app"), FLOOR: ("floor_chalice", "handler"),
            "fastapi": ("fastapi_mangum", "handler"),
            "powertools": ("powertools_resolver", "handler")}
LABELS = {"frontdesk": "Frontdesk", FLOOR: "floor (bare Chalice + boto3)",
          "fastapi": "FastAPI + Mangum + pydantic",
          "powertools": "Powertools APIGatewayRestResolver + pydantic"}

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def environment(endpoint: str | None = None) -> dict[str, str]:
    """The process environment of a deployed dev function, pointed at moto."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"STAGE": "dev", "AWS_LAMBDA_FUNCTION_NAME": "frontdesk-dev",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_EC2_METADATA_DISABLED": "true", "TABLE_NAME": TABLE,
                "ALLOWED_ORIGINS": "https://www.frontdesk.test",
                # A deployed stage refuses to start without these (chalicelib/platform/config.py).
                "OWNER_EMAIL": "owner@frontdesk.test", "MAIL_FROM": "frontdesk@frontdesk.test",
                "USER_POOL_ID": "us-east-1_bench",
                "USER_POOL_ARN": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_bench",
                "TABLE_STREAM_ARN": "arn:aws:dynamodb:us-east-1:123456789012:table/frontdesk-dev"
                                        "/stream/2026-01-01T00:00:00.000",
                })
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env


def add_paths() -> None:
    for path in (BENCH_DIR / "peers", BENCH_DIR, PROJECT_DIR):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def load_unzipped(directory: str) -> Handler:
    """Frontdesk from an unzipped deployment package: its app.py, chalicelib,
    Chalice runtime and msgspec come first on the path, as in /var/task."""
    sys.path.insert(0, directory)
    handler: Handler = importlib.import_module("app").app
    return handler


def load(name: str) -> Handler:
    module_name, attribute = _MODULES[name]
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    return handler
