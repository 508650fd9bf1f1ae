"""The stage's download-link key: the secret the API signs attachment links
with (chalicelib/attachments/links.py) and the files distribution's function
checks them with. An SSM SecureString that `make deploy` creates once, with the
deploying operator's credentials, as it creates the audit salt
(infra/audit_salt.py).

Deploy hands it to the resources stack (FilesSigningKey, a NoEcho parameter,
written into FilesSignatureCheck's code) and names its version in the
functions' FILES_KEY_PARAMETER (`<name>:<version>`), so the function signs
with exactly the version the distribution checks, read on the first download.
Rotating it (docs/deploy.md, "The files distribution") is a new version and
a deploy: only links handed out in the 5 minutes before stop opening.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from chalicelib.platform.config import files_key_parameter


@dataclass(frozen=True)
class FilesKey:
    value: str
    version: int
    name: str

    @property
    def parameter(self) -> str:
        """The name with its version, as GetParameter takes it."""
        return f"{self.name}:{self.version}"


def ensure_files_key(ssm: Any, stage: str) -> tuple[FilesKey, bool]:
    """The stage's key, created first unless it exists; and whether it was created now."""
    name = files_key_parameter(stage)
    try:
        ssm.put_parameter(Name=name, Value=secrets.token_hex(32), Type="SecureString",
                          Overwrite=False,
                          Description="Frontdesk: the key attachment download links are signed with")
        created = True
    except ssm.exceptions.ParameterAlreadyExists:
        created = False
    found = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    return FilesKey(str(found["Value"]), int(found["Version"]), name), created
