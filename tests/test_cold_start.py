"""What a deployed container does at init: only what every request needs.
Timings belong to `make bench`; these check the deterministic part."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import botocore

from chalicelib.platform.aws import MODELS_DIR, ClientOnFirstUse
from infra.stages import PROJECT_DIR
from tests.support.deployed import deployed_environment

PROBE = """
import dataclasses, json, sys
import botocore.loaders
read = []
_load_file = botocore.loaders.JSONFileLoader.load_file
def load_file(self, file_path):
    found = _load_file(self, file_path)
    if found is not None:
        read.append(file_path)
    return found
botocore.loaders.JSONFileLoader.load_file = load_file
import app
print(json.dumps({"modules": sorted(sys.modules), "data_files": read,
                  "ses_built": app.services.clients.ses._client is not None,
                  "dynamodb_validates": type(app.services.clients.dynamodb._serializer).__name__
                                        == "ParamValidationDecorator",
                  "dataclasses": sorted(f"{name}.{attr}" for name, module in list(sys.modules.items())
                                        if name == "app" or name.startswith("chalicelib.")
                                        for attr, value in vars(module).items()
                                        if isinstance(value, type) and value.__module__ == name
                                        and dataclasses.is_dataclass(value))}))
"""


def deployed_init() -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(deployed_environment("dev"))
    env.update({"AWS_DEFAULT_REGION": env["AWS_REGION"], "AWS_ACCESS_KEY_ID": "test",
                "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true"})
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT_DIR, env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    return dict(json.loads(result.stdout.splitlines()[-1]))


def test_a_deployed_init_loads_neither_the_openapi_builder_nor_token_libraries() -> None:
    init = deployed_init()
    assert "chalicelib.http.openapi" not in init["modules"]
    assert not {"jwt", "chalicelib.auth.local_tokens"} & set(init["modules"])
    assert init["ses_built"] is False


def test_a_deployed_function_leaves_checking_requests_to_aws() -> None:
    """botocore's check of every call's parameters (a fifth of a create's CPU
    time) is skipped deployed, where each AWS service checks what it is sent."""
    assert deployed_init()["dynamodb_validates"] is False


def test_locally_botocore_still_checks_every_request(frontdesk_app: Any) -> None:
    """...and kept wherever moto answers (the local stage, the tests): moto
    checks less than AWS does."""
    from botocore.validate import ParamValidationDecorator

    import app

    # botocore wraps the serializer of a client that checks its parameters.
    assert isinstance(app.services.clients.dynamodb._serializer, ParamValidationDecorator)


BOTOCORE_DATA = Path(botocore.__file__).parent / "data"


def test_a_deployed_init_never_imports_boto3() -> None:
    # The function builds botocore clients (chalicelib/platform/aws.py); boto3 would
    # add its resource layer to every cold start (about 15 ms), used by nothing.
    loaded = {name.partition(".")[0] for name in deployed_init()["modules"]}
    assert not {"boto3", "s3transfer"} & loaded


def test_a_deployed_init_reads_only_the_shipped_dynamodb_model_and_endpoints() -> None:
    """The one client an init builds (DynamoDB's) reads the trimmed model and
    endpoints the function ships; the rest of what it reads is small and botocore's."""
    read = [Path(path) for path in deployed_init()["data_files"]]
    shipped = [path.relative_to(MODELS_DIR).as_posix() for path in read
               if path.is_relative_to(MODELS_DIR)]
    botocores = [path.relative_to(BOTOCORE_DATA).as_posix() for path in read
                 if path.is_relative_to(BOTOCORE_DATA)]
    assert sorted(shipped) == ["dynamodb/2012-08-10/service-2", "endpoints"]
    assert sorted(botocores) == ["dynamodb/2012-08-10/endpoint-rule-set-1", "partitions",
                                 "sdk-default-configuration"]
    assert len(read) == len(shipped) + len(botocores)


# Loaded on first use (chalicelib/api/services.py): by the contact, form and
# dashboard routes, and by the notifier and retry functions (the outbox; only
# its timing constants load at init, with the settings), and the quick field
# checks, by the first body validated.
LOADED_ON_FIRST_USE = ("chalicelib.contact", "chalicelib.dashboard", "chalicelib.outbox.outbox",
                       "chalicelib.outbox.kind",
                       "chalicelib.api.contact", "chalicelib.api.contact_form",
                       "chalicelib.api.dashboard", "chalicelib.db.rate_limit",
                       "chalicelib.platform.parameters", "chalicelib.core.field_checks")


def test_a_deployed_init_loads_only_what_the_users_routes_need() -> None:
    loaded = [name for name in deployed_init()["modules"]
              if any(name == lazy or name.startswith(f"{lazy}.") for lazy in LOADED_ON_FIRST_USE)]
    assert loaded == []


# On Python 3.13 defining a dataclass costs a cold start about 0.5 ms (its methods
# are generated and compiled), a msgspec Struct about 0.01 ms: the value types of
# the modules an init loads are Structs. The settings (about 1.8 ms) are the one left.
INIT_DATACLASSES = {"chalicelib.platform.config.Settings"}


def test_a_deployed_init_defines_no_dataclass_but_the_settings() -> None:
    extra = set(deployed_init()["dataclasses"]) - INIT_DATACLASSES
    assert not extra, f"{sorted(extra)}: define each as a msgspec.Struct (frozen=True)"


class Mailer:
    def send_email(self) -> str:
        return "sent"


def test_a_client_on_first_use_is_built_once_when_first_asked() -> None:
    built: list[Mailer] = []

    def build() -> Mailer:
        built.append(Mailer())
        return built[-1]

    client = ClientOnFirstUse(build)
    assert built == []
    threads = [threading.Thread(target=client.send_email) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert client.send_email() == "sent" and len(built) == 1
