"""Authenticator-app codes (RFC 6238 TOTP: HMAC-SHA1, 6 digits, 30-second
steps), written out here so the tests check the pool against an independent
implementation rather than the one devstack uses."""
from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time


def totp(secret: str, at: float) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def fresh_totp(secret: str) -> str:
    """The current code, with at least 3 seconds of its step left to be used in."""
    if 30 - time.time() % 30 < 3:
        time.sleep(3)
    return totp(secret, time.time())
