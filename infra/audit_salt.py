"""The stage's audit salt: the secret an erased address is hashed with in the
audit log (chalicelib/audit/hashing.py), an SSM SecureString that `make deploy`
creates once, with the deploying operator's credentials, and never replaces:
a new salt would make every earlier entry's hash unmatchable. `make destroy`
leaves it, as it leaves the other parameters. The function may read it and
nothing else of SSM's (infra/policy.template.json).
"""
from __future__ import annotations

import secrets
from typing import Any

from chalicelib.platform.config import audit_salt_parameter


def ensure_audit_salt(ssm: Any, stage: str) -> bool:
    """Create the stage's salt unless it exists; whether it was created now."""
    try:
        ssm.put_parameter(Name=audit_salt_parameter(stage), Value=secrets.token_hex(32),
                          Type="SecureString", Overwrite=False,
                          Description="Frontdesk: the audit log's salt for erased addresses")
    except ssm.exceptions.ParameterAlreadyExists:
        return False
    return True
