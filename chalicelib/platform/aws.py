"""The AWS clients, built once per Lambda container and handed to the stores.

Low-level clients (not boto3 resources): cheaper to create, and every call's
parameters stay visible. boto3 reads AWS_ENDPOINT_URL itself, which is how
the local stack and the tests point them at moto.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import boto3
import msgspec
from botocore.config import Config

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
    # Only for a stage that reads secrets (the CAPTCHA's, the chat webhook's):
    # a client costs init time.
    ssm: Any = None

    @classmethod
    def create(cls, settings: Settings) -> AwsClients:
        session = boto3.session.Session(region_name=settings.region)
        return cls(dynamodb=session.client("dynamodb", config=_CLIENT_CONFIG),
                   ses=ClientOnFirstUse(lambda: session.client("ses", config=SEND_CONFIG)),
                   ssm=session.client("ssm", config=_CLIENT_CONFIG)
                   if settings.captcha_provider or settings.chat_format else None)
