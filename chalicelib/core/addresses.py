"""One mailbox, one key: the normalisation every per-address record uses.

An address is lower-cased and loses its `+tag`, so `Ada+news@Example.com` and
`ada@example.com` are one mailbox. The autoresponder's one-a-day limit keys its
claims by it (a tag cannot lift the limit), and the sender index lists a
mailbox's messages by it (chalicelib/db/keys.py `sender_message_listing`), so
the dashboard's `?email=` and a person's records (issue 25) find the same
messages the limit counts as one visitor's.
"""
from __future__ import annotations

import hashlib


def normalised_address(address: str) -> str:
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def address_digest(address: str) -> str:
    """The normalised address hashed, as the rate limit's IPs are: a key need
    not spell the address."""
    return hashlib.sha256(normalised_address(address).encode()).hexdigest()[:32]
