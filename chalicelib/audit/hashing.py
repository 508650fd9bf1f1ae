"""What an audit entry keeps of an erased person: a salted hash of their
address, never the address.

The salt is the stage's own secret (an SSM SecureString that `make deploy`
creates once: chalicelib/platform/config.py `audit_salt_parameter`), kept
apart from the table: with the table or a backup of it alone, a guessed
address cannot be tested against an entry. With the salt, an operator can
still answer "was this address erased, and when?" by hashing it again.
"""
from __future__ import annotations

import hashlib
import hmac

from chalicelib.core.addresses import normalised_address

PREFIX = "hmac-sha256:"


def erased_address(address: str, salt: str) -> str:
    """The audit log's name for an erased address: the same for every spelling
    of one mailbox (case, +tag), different on every stage (its salt)."""
    if not salt:
        raise ValueError("an erased address is hashed with the stage's salt, never without")
    mac = hmac.new(salt.encode(), normalised_address(address).encode(), hashlib.sha256)
    return PREFIX + mac.hexdigest()
