"""Each kind of delivery is declared once (chalicelib/outbox/kinds.py) and
stored in one item shape (chalicelib/outbox/kind.py): every delivery enters
the outbox through `request`, leaves with its record through `discard`, and
no store names an attribute of either."""
from __future__ import annotations

import ast
from pathlib import Path

from chalicelib.autoresponder.sender import Autoresponder
from chalicelib.contact.chat import ChatNotifications
from chalicelib.contact.notifications import OwnerNotifications
from chalicelib.dashboard.reply_mail import ReplyMail
from chalicelib.db import keys
from chalicelib.db.counters import COUNTERS
from chalicelib.db.table import GSI2_PK, GSI2_SK
from chalicelib.outbox.kind import FAILED, PENDING, SENT, SKIPPED
from chalicelib.outbox.kinds import (
    AUTORESPONSE,
    CHAT,
    KINDS,
    NOTIFICATION,
    REPLY,
    discard,
    discard_all,
    request,
    skipped,
    state_of,
)

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"
# The delivery item's attributes, whatever its kind, while it is pending.
PENDING_SHAPE = {"pk", "sk", "type", "kind", "id", "record", "status", "attempts", "nextAt",
                 "createdAt", "payload", GSI2_PK, GSI2_SK}


def test_each_sender_is_its_declared_kind() -> None:
    for sender, kind in ((OwnerNotifications, NOTIFICATION), (ReplyMail, REPLY),
                         (ChatNotifications, CHAT), (Autoresponder, AUTORESPONSE)):
        assert sender.declared is kind
    assert len({kind.name for kind in KINDS}) == len(KINDS)  # one backlog, one key each
    assert len({kind.due_partition for kind in KINDS}) == len(KINDS)
    prefixes = [kind.summary_prefix for kind in KINDS if kind.summary_prefix]
    assert len(set(prefixes)) == len(prefixes)


def test_every_counter_a_kind_moves_is_a_counter() -> None:
    for kind in KINDS:
        assert {kind.pending_counter, kind.failed_counter} - {None} <= set(COUNTERS)


def test_every_kind_requests_a_delivery_item_of_the_same_shape() -> None:
    record = {"pk": "MSG#1", "sk": "MSG", "id": "1"}
    shapes = {kind.name: set(request(kind, record, delivery_id="1", due="2026-12-07T10:00:00.000Z",
                                     payload={"id": "1", "text": "hi"}).delivery)
              for kind in KINDS}
    assert all(shape == PENDING_SHAPE for shape in shapes.values()), shapes


def test_a_requested_delivery_is_pending_due_in_its_partition_summarised_and_counted() -> None:
    requested = request(CHAT, {"pk": "MSG#1", "sk": "MSG", "name": "Ada"}, delivery_id="1",
                        due="2026-12-07T10:00:00.000Z",
                        payload={"id": "1", "subject": None, "format": "json"})
    assert requested.delivery == {
        "pk": "MSG#1", "sk": "DELIVERY#chat", "type": "delivery", "kind": "chat", "id": "1",
        "record": "MSG", "status": PENDING, "attempts": 0,
        "nextAt": "2026-12-07T10:00:00.000Z", "createdAt": "2026-12-07T10:00:00.000Z",
        "payload": {"id": "1", "format": "json"},  # nothing absent is carried
        GSI2_PK: "DUE#chat", GSI2_SK: "2026-12-07T10:00:00.000Z#1"}
    assert requested.summary == {"chatStatus": PENDING, "chatAttempts": 0,
                                 "chatNextAt": "2026-12-07T10:00:00.000Z",
                                 "chatLastError": None, "chatSentAt": None}
    assert requested.counters == {"chatPending": 1}
    reply = request(REPLY, {"pk": "MSG#1", "sk": "REPLY#2"}, delivery_id="2", due="x",
                    payload={}, sub_id="2")
    assert reply.delivery["sk"] == "DELIVERY#reply#2" and reply.delivery["record"] == "REPLY#2"
    assert reply.counters == {}  # replies are not counted


def test_a_discarded_delivery_is_deleted_with_its_record_as_read_and_uncounted() -> None:
    for status, counters in ((PENDING, {"chatPending": -1}), (FAILED, {"chatFailed": -1}),
                             (SENT, {})):
        discarded = discard(CHAT, "table", keys.message("1"), status)
        assert discarded.part["Delete"]["Key"] == {"pk": {"S": "MSG#1"},
                                                   "sk": {"S": "DELIVERY#chat"}}
        assert discarded.counters == counters
        assert discarded.record_condition is not None


def test_a_record_discards_every_delivery_it_summarises() -> None:
    message = {**keys.message("1"), "notifyStatus": FAILED, "chatStatus": PENDING}
    discards = discard_all("table", message)
    assert set(discards.parts) == {"notification delivery", "chat delivery"}
    assert discards.counters == {"notificationsFailed": -1, "chatPending": -1}
    reply = {**keys.reply("1", "2"), "deliveryStatus": PENDING}
    assert discard_all("table", reply, sub_id="2", keep_pending=True).parts == {}


def test_a_skipped_delivery_is_a_summary_with_its_reason_and_nothing_to_discard() -> None:
    summary = skipped(AUTORESPONSE, "recently_sent")
    assert summary == {"autoresponseStatus": SKIPPED, "autoresponseAttempts": 0,
                       "autoresponseNextAt": None, "autoresponseLastError": None,
                       "autoresponseSentAt": None, "autoresponseReason": "recently_sent"}
    message = {**keys.message("1"), "notifyStatus": SENT,
               **{name: value for name, value in summary.items() if value is not None}}
    state = state_of(AUTORESPONSE, message)
    assert state is not None and (state.status, state.reason) == (SKIPPED, "recently_sent")
    assert set(discard_all("table", message).parts) == {"notification delivery"}
    # A settle's summary never carries a reason: the attribute is the skipped one's alone.
    assert "autoresponseReason" not in request(AUTORESPONSE, message, delivery_id="1", due="x",
                                               payload={}).summary


def _string_constants(path: Path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_only_the_outbox_names_a_delivery_s_attributes_or_writes_the_pending_index() -> None:
    """No store writes a GSI2 entry, a pending counter or a summary attribute
    itself, nor reads one by name: each comes from the kind's declaration."""
    summaries = {f"{kind.summary_prefix}{field}" for kind in KINDS if kind.summary_prefix
                 for field in ("Status", "Attempts", "NextAt", "LastError", "SentAt")}
    counters = {counter for kind in KINDS for counter in (kind.pending_counter,
                                                          kind.failed_counter) if counter}
    writers = set()
    for path in CHALICELIB.rglob("*.py"):
        named = _string_constants(path) & (summaries | counters)
        calls_index = any(isinstance(node, ast.Attribute) and node.attr == "pending_delivery"
                          for node in ast.walk(ast.parse(path.read_text())))
        if named or calls_index:
            writers.add(path.relative_to(CHALICELIB).as_posix())
    # api/ reads the counts to answer GET /dashboard/stats; it writes none.
    stores = {path for path in writers if not path.startswith("api/")}
    assert stores <= {"outbox/kinds.py", "outbox/outbox.py", "db/counters.py"}, stores
