"""The one check of an address where mail leaves (chalicelib/outbox/mail.py)."""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.outbox.kind import PermanentFailure
from chalicelib.outbox.mail import sendable


@pytest.mark.parametrize("address", ["ada@example.com", "a|b@x.io", "o'neil+tag@example.co.uk"])
def test_one_plain_address_passes_as_it_is(address: str) -> None:
    assert sendable(address, "recipient") == address


@pytest.mark.parametrize("value", [
    "ada@example.com\r\nBcc: eve@evil.example", "ada@example.com\n", "\rada@example.com",
    "Ada <ada@example.com>", "ada@example.com, eve@example.com", "ada@localhost", "",
    "a" * 250 + "@example.com", None, ["ada@example.com"], 42,
])
def test_anything_else_fails_its_delivery_saying_which_address(value: Any) -> None:
    with pytest.raises(PermanentFailure) as refused:
        sendable(value, "Reply-To")
    reason = refused.value.reason
    assert reason.startswith("Not sent: the Reply-To address is not one valid email address (")
    assert "\r" not in reason and "\n" not in reason  # shown escaped, one line
    assert len(reason) < 140
