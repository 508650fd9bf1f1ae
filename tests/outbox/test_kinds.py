"""Each kind of delivery is declared once (chalicelib/outbox/kinds.py): its
sender, its store and the counters all read that declaration, and every
delivery enters the outbox through `request` and leaves with its record
through `discard`."""
from __future__ import annotations

import ast
from pathlib import Path

from chalicelib.contact.chat import ChatNotifications
from chalicelib.contact.notifications import OwnerNotifications
from chalicelib.dashboard.reply_mail import ReplyMail
from chalicelib.db import keys
from chalicelib.db.counters import COUNTERS
from chalicelib.db.table import GSI2_PK, GSI2_SK
from chalicelib.outbox.kind import FAILED, PENDING, SENT
from chalicelib.outbox.kinds import CHAT, KINDS, NOTIFICATION, REPLY, discard, request

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"


def test_each_sender_is_its_declared_kind() -> None:
    for sender, kind in ((OwnerNotifications, NOTIFICATION), (ReplyMail, REPLY),
                         (ChatNotifications, CHAT)):
        assert (sender.name, sender.item_type, sender.fields, sender.pending_partition,
                sender.pending_counter, sender.failed_counter) == (
            kind.name, kind.item_type, kind.fields, kind.pending_partition,
            kind.pending_counter, kind.failed_counter)
    assert len({kind.pending_partition for kind in KINDS}) == len(KINDS)  # one backlog each
    assert len({kind.fields.prefix for kind in KINDS}) == len(KINDS)


def test_every_counter_a_kind_moves_is_a_counter() -> None:
    for kind in KINDS:
        assert {kind.pending_counter, kind.failed_counter} - {None} <= set(COUNTERS)


def test_a_requested_delivery_is_pending_due_in_its_partition_and_counted() -> None:
    requested = request(CHAT, {"pk": "MSG#1", "sk": "CHAT", "id": "1"}, delivery_id="1",
                        due="2026-12-07T10:00:00.000Z")
    assert requested.item == {
        "pk": "MSG#1", "sk": "CHAT", "id": "1", "chatStatus": PENDING, "chatAttempts": 0,
        "chatNextAt": "2026-12-07T10:00:00.000Z",
        GSI2_PK: keys.PENDING_CHAT, GSI2_SK: "2026-12-07T10:00:00.000Z#1"}
    assert requested.counters == {"chatPending": 1}
    assert request(REPLY, {}, delivery_id="2", due="x").counters == {}  # replies are not counted


def test_a_discarded_delivery_is_deleted_as_read_and_uncounted() -> None:
    for status, counters in ((PENDING, {"chatPending": -1}), (FAILED, {"chatFailed": -1}),
                             (SENT, {})):
        part, moved = discard(CHAT, "table", keys.chat_delivery("1"), status)
        delete = part["Delete"]
        assert delete["ExpressionAttributeNames"] == {"#n0": "chatStatus"}
        assert delete["ExpressionAttributeValues"] == {":v0": {"S": status}}
        assert moved == counters


def test_only_the_outbox_puts_a_delivery_in_the_pending_index() -> None:
    """No store writes a GSI2 entry or a pending counter itself."""
    writers = set()
    for path in CHALICELIB.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "pending_delivery":
                writers.add(path.relative_to(CHALICELIB).as_posix())
            if isinstance(node, ast.Constant) and node.value in {
                    counter for kind in KINDS for counter in (kind.pending_counter,
                                                              kind.failed_counter) if counter}:
                writers.add(path.relative_to(CHALICELIB).as_posix())
    # api/ reads the counts to answer GET /dashboard/stats; it writes none.
    stores = {path for path in writers if not path.startswith("api/")}
    assert stores <= {"outbox/kinds.py", "outbox/outbox.py", "db/counters.py"}, stores
