"""Secrets the function reads from SSM Parameter Store (SecureStrings): the
CAPTCHA's secret key, the chat webhook's URL. Each is read on first use and
kept for the container's life: one SSM call per container, not per request.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.domain_errors import DependencyUnavailable

_log = logging.getLogger("frontdesk.parameters")


class SsmSecret:
    """A SecureString parameter's value, read once."""

    def __init__(self, ssm: Any, name: str) -> None:
        self._ssm = ssm
        self._name = name
        self._value: str | None = None
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            if self._value is None:
                try:
                    answer = self._ssm.get_parameter(Name=self._name, WithDecryption=True)
                except (ClientError, BotoCoreError) as exc:
                    _log.error("cannot read the parameter %s", self._name)
                    raise DependencyUnavailable() from exc
                self._value = str(answer["Parameter"]["Value"])
            return self._value
