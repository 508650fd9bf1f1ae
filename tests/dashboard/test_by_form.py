"""The dashboard by form: messages filtered by form (GSI2, a page never reads
the table), exports with a column per field, counts per form, and the deploy's
upgrade that lists the messages stored before forms."""
from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.contact.store import MessageStore
from chalicelib.db.counters import read_counters
from chalicelib.db.items import to_item
from chalicelib.db.reads import get_item
from chalicelib.forms.definition import parse_definition
from chalicelib.forms.model import Form
from infra.delivery_upgrade import Upgrade
from infra.index_upgrades import FORM_INDEX, run_upgrade
from tests.conftest import JSON, LocalAws
from tests.contact.conftest import VALID
from tests.forms.conftest import QUOTE

PLAIN = {**QUOTE, "captcha": False, "autoresponse": None}
GOOD = {"name": "Ada", "email": "ada@example.com", "terms": True}
QUOTE_FORM = Form(id="quote", definition=parse_definition(PLAIN), version=1, updated_at=None)


@pytest.fixture
def put_form(client: Any, as_admin: dict[str, str]) -> Callable[..., Any]:
    def put(form_id: str, body: dict[str, Any]) -> Any:
        return client.put(f"/dashboard/forms/{form_id}", headers={**as_admin, **JSON},
                          body=json.dumps(body).encode())
    return put


@pytest.fixture
def messages(local_aws: LocalAws, fresh_table: str) -> MessageStore:
    return MessageStore(local_aws.session.client("dynamodb"), fresh_table)


def post(client: Any, form_id: str, body: dict[str, Any]) -> str:
    response = client.post(f"/forms/{form_id}", headers=JSON, body=json.dumps(body).encode())
    assert response.status_code == 202, response.json_body
    return str(response.json_body["id"])


def ids(client: Any, as_admin: dict[str, str], query: str) -> list[str]:
    response = client.get(f"/dashboard/messages?{query}", headers=as_admin)
    assert response.status_code == 200, response.json_body
    return [m["id"] for m in response.json_body["items"]]


def test_a_list_filtered_by_form_follows_each_status_change(
        client: Any, as_admin: dict[str, str], put_form: Callable[..., Any]) -> None:
    put_form("quote", PLAIN)
    first, second = post(client, "quote", GOOD), post(client, "quote", GOOD)
    contact = post(client, "contact", VALID)
    assert ids(client, as_admin, "form=quote") == [second, first]  # status new by default
    assert ids(client, as_admin, "form=contact&status=new") == [contact]
    assert ids(client, as_admin, "status=new") == [contact, second, first]
    client.patch(f"/dashboard/messages/{first}", headers={**as_admin, **JSON},
                 body=b'{"status": "archived"}')
    assert ids(client, as_admin, "form=quote&status=archived") == [first]
    client.post(f"/dashboard/messages/{second}/replies", headers={**as_admin, **JSON},
                body=b'{"body": "Thanks"}')
    assert ids(client, as_admin, "form=quote&status=replied") == [second]
    assert ids(client, as_admin, "form=quote&status=new") == []
    assert ids(client, as_admin, "form=deleted-or-never&status=new") == []


def test_a_filtered_list_pages_with_its_own_cursor(
        client: Any, as_admin: dict[str, str], put_form: Callable[..., Any]) -> None:
    put_form("quote", PLAIN)
    posted = [post(client, "quote", GOOD) for _ in range(3)]
    page = client.get("/dashboard/messages?form=quote&limit=2", headers=as_admin).json_body
    rest = client.get(f"/dashboard/messages?form=quote&limit=2&cursor={page['nextCursor']}",
                      headers=as_admin).json_body
    assert [m["id"] for m in page["items"] + rest["items"]] == posted[::-1]
    assert rest["nextCursor"] is None
    # A cursor of another list, or a malformed form, is a 400 naming it.
    other = client.get(f"/dashboard/messages?limit=2&cursor={page['nextCursor']}",
                       headers=as_admin)
    assert other.status_code == 400
    assert other.json_body["error"]["details"][0]["field"] == "cursor"
    for bad in ("Quote", "x" * 41, "a_b", "%00"):
        response = client.get(f"/dashboard/messages?form={bad}", headers=as_admin)
        assert response.status_code == 400
        assert response.json_body["error"]["details"] == [{"field": "form", "message": (
            "must be a form's id: a lower-case letter, then up to 39 lower-case letters, "
            "digits or hyphens")}]


def read_cost(local_aws: LocalAws, table: str, form_id: str, limit: int) -> tuple[int, int]:
    dynamodb = local_aws.session.client("dynamodb")
    seen: list[dict[str, Any]] = []
    dynamodb.meta.events.register("after-call.dynamodb.Query",
                                  lambda parsed, **_: seen.append(parsed))
    MessageStore(dynamodb, table).list(status="new", limit=limit, form_id=form_id)
    (response,) = seen
    return response["Count"], response["ScannedCount"]


def test_a_page_of_one_form_reads_the_page_whatever_the_other_forms_hold(
        local_aws: LocalAws, fresh_table: str, messages: MessageStore) -> None:
    for _ in range(30):
        messages.create(GOOD, None, form=QUOTE_FORM)
    small = read_cost(local_aws, fresh_table, "quote", 10)
    for _ in range(60):
        messages.create(dict(VALID), None)
    assert read_cost(local_aws, fresh_table, "quote", 10) == small == (11, 11)
    assert read_cost(local_aws, fresh_table, "contact", 10) == (11, 11)


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_an_export_of_one_form_has_a_column_per_field_of_its_definition(
        client: Any, as_admin: dict[str, str], put_form: Callable[..., Any]) -> None:
    put_form("quote", PLAIN)
    first = post(client, "quote", {**GOOD, "qty": 3, "details": "=SUM(A1)\nmore",
                                   "utm": "ad", "ref": "x"})
    post(client, "contact", VALID)
    # A field added since: an empty cell; one removed since: in no column.
    put_form("quote", {**PLAIN, "fields": [*PLAIN["fields"][:5],
                                           {"name": "colour", "label": "Colour",
                                            "type": "text"}, *PLAIN["fields"][6:]]})
    response = client.get("/dashboard/messages/export?form=quote", headers=as_admin)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="quote-messages.csv"'
    header, row = rows_of(response.body.decode())
    assert header == ["id", "createdAt", "status", "name", "email", "phone", "site", "qty",
                      "colour", "plan", "terms", "details", "extra", "notificationStatus",
                      "replyCount"]
    cells = dict(zip(header, row, strict=True))
    assert cells["id"] == first and cells["status"] == "new"
    assert (cells["name"], cells["qty"], cells["colour"], cells["terms"]) == ("Ada", "3", "",
                                                                              "true")
    assert cells["details"] == "'=SUM(A1)\nmore"  # formula injection neutralised
    assert json.loads(cells["extra"]) == {"utm": "ad", "ref": "x"}
    contact = client.get("/dashboard/messages/export?form=contact", headers=as_admin)
    assert rows_of(contact.body.decode())[0][3:7] == ["name", "email", "subject", "message"]
    everything = rows_of(client.get("/dashboard/messages/export",
                                    headers=as_admin).body.decode())
    assert len(everything) == 3  # every form, the contact form's columns
    missing = client.get("/dashboard/messages/export?form=nothing", headers=as_admin)
    assert missing.status_code == 404
    bad = client.get("/dashboard/messages/export?form=No", headers=as_admin)
    assert bad.status_code == 400 and bad.json_body["error"]["details"][0]["field"] == "form"


def stats(client: Any, as_admin: dict[str, str]) -> dict[str, int]:
    return dict(client.get("/dashboard/stats", headers=as_admin).json_body["forms"])


def test_stats_count_every_form_s_messages_exactly(
        client: Any, as_admin: dict[str, str], put_form: Callable[..., Any]) -> None:
    put_form("quote", PLAIN)
    put_form("empty", PLAIN)
    assert stats(client, as_admin) == {"contact": 0, "empty": 0, "quote": 0}
    quotes = [post(client, "quote", GOOD) for _ in range(3)]
    post(client, "contact", VALID)
    assert stats(client, as_admin) == {"contact": 1, "empty": 0, "quote": 3}
    assert client.delete(f"/dashboard/messages/{quotes[0]}", headers=as_admin).status_code \
        == 204
    # A deleted form's messages are still counted while they are kept.
    assert client.delete("/dashboard/forms/quote", headers=as_admin).status_code == 204
    assert stats(client, as_admin) == {"contact": 1, "empty": 0, "quote": 2}
    for message_id in quotes[1:]:
        client.delete(f"/dashboard/messages/{message_id}", headers=as_admin)
    assert stats(client, as_admin) == {"contact": 1, "empty": 0}


def test_concurrent_posts_and_deletes_keep_the_counts_exact(
        local_aws: LocalAws, fresh_table: str, messages: MessageStore) -> None:
    kept = [messages.create(GOOD, None, form=QUOTE_FORM)["id"] for _ in range(4)]

    def create() -> None:
        messages.create(GOOD, None, form=QUOTE_FORM)

    def remove(message_id: str) -> None:
        messages.delete(message_id)

    threads = [threading.Thread(target=create) for _ in range(6)]
    threads += [threading.Thread(target=remove, args=(m,)) for m in kept[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counters = read_counters(local_aws.session.client("dynamodb"), fresh_table)
    assert counters["messagesOf#quote"] == 8 == counters["messagesNew"]


def legacy_message(message_id: str, status: str = "new", **extra: Any) -> dict[str, Any]:
    """A message as stored before forms were (no formId, no GSI2 keys)."""
    return {"pk": f"MSG#{message_id}", "sk": "MSG", "gsi1pk": f"MSGS#{status}",
            "gsi1sk": message_id, "type": "message", "id": message_id, "name": "Old",
            "email": "old@example.com", "message": "Before forms", "status": status,
            "createdAt": "2026-12-01T09:00:00.000Z", "updatedAt": "2026-12-01T09:00:00.000Z",
            "notifyStatus": "sent", "notifyAttempts": 1, **extra}


def test_the_deploy_lists_messages_stored_before_forms_by_form_once(
        local_aws: LocalAws, fresh_table: str, client: Any, as_admin: dict[str, str]) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    old = [f"01KBD00000000000000000000{n}" for n in range(3)]
    pending = "01KBD0000000000000000000P1"
    for message_id, status in zip(old, ("new", "read", "new"), strict=True):
        dynamodb.put_item(TableName=fresh_table, Item=to_item(legacy_message(message_id, status)))
    # Its owner mail still pending in the shape before delivery items: the
    # delivery upgrade's, which lists it as it rewrites the mail.
    dynamodb.put_item(TableName=fresh_table, Item=to_item(legacy_message(
        pending, notifyStatus="pending", notifyAttempts=0,
        notifyNextAt="2026-12-01T09:00:00.000Z", gsi2pk="NOTIFY#pending",
        gsi2sk=f"2026-12-01T09:00:00.000Z#{pending}")))
    new = post(client, "contact", VALID)
    assert ids(client, as_admin, "form=contact") == [new]

    # A status change before the upgrade lists an old message itself.
    client.patch(f"/dashboard/messages/{old[2]}", headers={**as_admin, **JSON},
                 body=b'{"status": "archived"}')
    done = run_upgrade(dynamodb, fresh_table, FORM_INDEX)
    assert done.summary() == ("2 messages stored before forms listed by form "
                              "(1 listed as their pending mail is rewritten)")
    assert ids(client, as_admin, "form=contact") == [new, old[0]]
    assert ids(client, as_admin, "form=contact&status=read") == [old[1]]
    assert ids(client, as_admin, "form=contact&status=archived") == [old[2]]
    assert get_item(dynamodb, fresh_table, {"pk": f"MSG#{pending}", "sk": "MSG"})[
        "gsi2pk"] == "NOTIFY#pending"
    assert Upgrade(dynamodb, fresh_table).run().pending == 1
    assert ids(client, as_admin, "form=contact") == [new, pending, old[0]]
    assert run_upgrade(dynamodb, fresh_table, FORM_INDEX).summary() == (
        "0 messages stored before forms listed by form")
    assert get_item(dynamodb, fresh_table, {"pk": "UPGRADE#form-index", "sk": "UPGRADE"})["done"]


def test_a_status_change_waits_for_an_owner_mail_of_the_old_shape(
        local_aws: LocalAws, fresh_table: str, messages: MessageStore) -> None:
    """It would take GSI2 from the pending mail, which the delivery upgrade finds there."""
    from chalicelib.core.domain_errors import DependencyUnavailable

    dynamodb = local_aws.session.client("dynamodb")
    message_id = "01KBD0000000000000000000P2"
    dynamodb.put_item(TableName=fresh_table, Item=to_item(legacy_message(
        message_id, notifyStatus="pending", notifyAttempts=0,
        notifyNextAt="2026-12-01T09:00:00.000Z", gsi2pk="NOTIFY#pending",
        gsi2sk=f"2026-12-01T09:00:00.000Z#{message_id}")))
    with pytest.raises(DependencyUnavailable):
        messages.set_status(message_id, "read")
    assert messages.get(message_id).status == "new"
    Upgrade(dynamodb, fresh_table).run()
    assert messages.set_status(message_id, "read").status == "read"
    assert [m.id for m in messages.list(status="read", limit=5, form_id="contact")[0]] == [
        message_id]


def test_a_form_s_own_deliveries_are_requested_in_its_message_s_transaction(
        local_aws: LocalAws, fresh_table: str, messages: MessageStore) -> None:
    """The seam an autoresponse uses: MessageStore.create(..., deliveries=[...])."""
    from chalicelib.contact.chat import ChatNotifications
    from chalicelib.db import keys

    dynamodb = local_aws.session.client("dynamodb")
    chat = ChatNotifications(lambda: "https://chat.example/hook", fmt="json")
    message_id = messages.create(GOOD, None, form=QUOTE_FORM, deliveries=[chat])["id"]
    delivery = get_item(dynamodb, fresh_table, keys.delivery(keys.message(message_id), "chat"))
    assert delivery is not None and delivery["status"] == "pending"
    assert delivery["payload"]["formId"] == "quote"
    assert delivery["payload"]["fields"][0] == {"name": "name", "label": "Your name",
                                                "type": "text", "value": "Ada"}
    assert read_counters(dynamodb, fresh_table)["chatPending"] == 1
    assert messages.get(message_id).form_name == "Quote request"
