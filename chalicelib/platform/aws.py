"""The AWS clients, built once per Lambda container and handed to the stores.

Low-level clients from botocore, without boto3: boto3 adds only its resource
layer, which the function does not use, and importing it cost a cold start
about 15 ms on the bench machine. Every call's parameters stay visible.
botocore reads AWS_ENDPOINT_URL itself, which is how the local stack and the
tests point the clients at moto.

The clients read their service models from aws_models/ first: botocore's own,
trimmed to the operations the code calls (infra/aws_models.py writes them;
`make aws-models`). Creating a DynamoDB client from botocore's whole model cost
a cold start about 8 ms more, and listing the runtime's 400-odd service folders
to find it about 14 ms more (ShippedModels).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore.session
import msgspec
from botocore.config import Config
from botocore.loaders import Loader

from chalicelib.outbox.timing import SEND_CONNECT_TIMEOUT_SECONDS, SEND_READ_TIMEOUT_SECONDS
from chalicelib.platform.config import Settings

# Standard retry mode retries throttling and 5xx with backoff; what still fails
# after that becomes 503 service_unavailable (chalicelib/db/errors.py).
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3},
                        connect_timeout=2, read_timeout=5)
# A send (SES SendEmail) is never retried by botocore: a retry after a read
# timeout repeats a request SES may already have taken, and SendEmail has no
# idempotency token. Only the outbox retries a send, each retry an attempt
# counted on the delivery before it is made (chalicelib/outbox/timing.py has
# why these timeouts fit the function's).
SEND_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 1},
                     connect_timeout=SEND_CONNECT_TIMEOUT_SECONDS,
                     read_timeout=SEND_READ_TIMEOUT_SECONDS)

# Presigned URLs are signed with SigV4, which S3 requires in every region.
_S3_CONFIG = _CLIENT_CONFIG.merge(Config(signature_version="s3v4"))

# Deployed, each AWS service checks every request it is sent, so botocore's own
# check of the parameters before sending is skipped there: for a user's create
# (a four-part transaction) it cost about a fifth of the request's CPU time
# (bench/RESULTS.md). Locally and in the tests it stays on: there moto answers,
# and moto checks less than AWS does, so a malformed request is still caught.
_DEPLOYED = Config(parameter_validation=False)

MODELS_DIR = Path(__file__).with_name("aws_models")
# The services the function builds clients for; infra/aws_models.py ships their models.
SERVICES = ("dynamodb", "ses", "ssm", "s3")


class ShippedModels(Loader):  # type: ignore[misc]
    """botocore's data loader, reading MODELS_DIR before the runtime's own
    data (the endpoint rules, retry and default settings come from there).

    botocore's loader lists every service folder of every search path the
    first time it loads a kind of model, to learn which services exist; a
    function that builds clients for SERVICES only need not.
    """

    def __init__(self) -> None:
        super().__init__(extra_search_paths=[str(MODELS_DIR)])

    def list_available_services(self, type_name: str) -> list[str]:
        return sorted(SERVICES)


def aws_session(region: str) -> botocore.session.Session:
    session = botocore.session.get_session()
    session.set_config_variable("region", region)
    session.register_component("data_loader", ShippedModels())
    return session


class ClientOnFirstUse:
    """A client built the first time anything is asked of it.

    The API function never sends mail, yet every container built every
    client at init: SES's took about 25 ms of each API cold start on the
    bench machine. The notifier functions build it on their first message.
    """

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._client: Any = None
        self._lock = threading.Lock()  # `chalice local` serves requests on threads

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._build()
        return getattr(self._client, name)


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says why).
class AwsClients(msgspec.Struct, frozen=True):
    dynamodb: Any
    ses: Any
    # Built at init only for a stage whose requests read secrets (the CAPTCHA's,
    # the chat webhook's): a client costs init time.
    ssm: Any = None
    # The attachments bucket's: built on first use, as only file uploads need it.
    s3: Any = None

    @classmethod
    def create(cls, settings: Settings) -> AwsClients:
        session = aws_session(settings.region)

        def client(service: str, config: Config) -> Any:
            if settings.behind_api_gateway:
                config = config.merge(_DEPLOYED)
            return session.create_client(service, config=config)

        return cls(dynamodb=client("dynamodb", _CLIENT_CONFIG),
                   ses=ClientOnFirstUse(lambda: client("ses", SEND_CONFIG)),
                   # Eager where a request reads a secret (the CAPTCHA's, the chat
                   # webhook's); else built on first use (the audit salt, read only
                   # by an erasure).
                   ssm=client("ssm", _CLIENT_CONFIG)
                   if settings.captcha_provider or settings.chat_format
                   else ClientOnFirstUse(lambda: client("ssm", _CLIENT_CONFIG)),
                   s3=ClientOnFirstUse(lambda: client("s3", _S3_CONFIG)))
