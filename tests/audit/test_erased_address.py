"""What the audit log keeps of an erased address: a salted hash, the same for
every spelling of one mailbox, another on every stage, never the address."""
from __future__ import annotations

import pytest

from chalicelib.audit.hashing import erased_address


def test_every_spelling_of_one_mailbox_hashes_alike() -> None:
    assert erased_address("Ada+news@Example.com", "salt-1") == \
        erased_address(" ada@example.com", "salt-1")


def test_another_salt_gives_another_hash_and_none_spells_the_address() -> None:
    one, other = erased_address("ada@example.com", "salt-1"), erased_address("ada@example.com",
                                                                             "salt-2")
    assert one != other
    assert one.startswith("hmac-sha256:") and len(one) == len("hmac-sha256:") + 64
    assert "ada" not in one and "example" not in one


def test_an_address_is_never_hashed_without_a_salt() -> None:
    with pytest.raises(ValueError, match="salt"):
        erased_address("ada@example.com", "")
