"""Every message from one address (`GET /dashboard/messages?email=`), through
the sender index (GSI3): whatever its case or +tag, in every status or one,
paged newest first, at a cost that does not grow with the table or with the
sender's messages of other statuses; and the deploy's upgrade that lists the
messages stored before the index."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.contact.search import Selection
from chalicelib.contact.store import MessageStore
from chalicelib.core.addresses import address_digest, normalised_address
from chalicelib.db.items import to_item
from chalicelib.db.reads import get_item
from chalicelib.forms.definition import parse_definition
from chalicelib.forms.model import Form
from infra.index_upgrades import SENDER_INDEX, run_upgrade
from tests.conftest import JSON, LocalAws
from tests.dashboard.test_by_form import QUOTE_FORM
from tests.support.interrupted import ScansStopAfter

ADA = "ada@example.com"
NO_ADDRESS = Form(id="poll", version=1, updated_at=None, definition=parse_definition(
    {"name": "Poll", "fields": [{"name": "answer", "label": "Answer", "type": "text"}]}))


def contact(name: str = "Ada", email: str = ADA, message: str = "Hello") -> dict[str, str]:
    return {"name": name, "email": email, "message": message}


@pytest.fixture
def dynamodb(local_aws: LocalAws) -> Any:
    return local_aws.session.client("dynamodb")


@pytest.fixture
def messages(dynamodb: Any, fresh_table: str) -> MessageStore:
    return MessageStore(dynamodb, fresh_table)


def store(messages: MessageStore, values: dict[str, Any], form: Form | None = None) -> str:
    return str(messages.create(values, None, form=form)["id"])


def listed(client: Any, as_admin: dict[str, str], query: str) -> dict[str, Any]:
    response = client.get(f"/dashboard/messages?{query}", headers=as_admin)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def ids(client: Any, as_admin: dict[str, str], query: str) -> list[str]:
    return [m["id"] for m in listed(client, as_admin, query)["items"]]


def test_one_mailbox_is_one_normalised_address_and_one_digest() -> None:
    assert normalised_address(" Ada+News@Example.COM ") == ADA
    assert address_digest("ADA+x@example.com") == address_digest(ADA)
    assert address_digest("ada@example.org") != address_digest(ADA)


def test_an_address_finds_every_message_from_it_in_every_status_and_form(
        client: Any, as_admin: dict[str, str], messages: MessageStore) -> None:
    first = store(messages, contact())
    other = store(messages, contact(email="bob@example.com"))
    quoted = store(messages, {"name": "Ada", "email": "Ada+quotes@Example.com", "terms": True},
                  QUOTE_FORM)
    store(messages, {"answer": "yes"}, NO_ADDRESS)
    last = store(messages, contact())
    messages.set_status(first, "archived")
    # Any case, any +tag: one mailbox; absent status: every status, newest first.
    for asked in (ADA, "ADA@example.com", "ada+anything@example.com"):
        page = listed(client, as_admin, f"email={quote(asked)}")
        assert [m["id"] for m in page["items"]] == [last, quoted, first]
        assert page["nextCursor"] is None and "searched" not in page
    assert ids(client, as_admin, f"email={ADA}&status=archived") == [first]
    assert ids(client, as_admin, f"email={ADA}&status=new") == [last, quoted]
    assert ids(client, as_admin, f"email={ADA}&status=all") == [last, quoted, first]
    assert ids(client, as_admin, "email=bob@example.com") == [other]
    assert ids(client, as_admin, "email=nobody@example.com") == []


def test_the_index_follows_each_status_change_and_reply_and_forgets_a_deleted_message(
        client: Any, as_admin: dict[str, str], messages: MessageStore) -> None:
    one, two = store(messages, contact()), store(messages, contact())
    client.post(f"/dashboard/messages/{one}/replies", headers={**as_admin, **JSON},
                body=b'{"body": "Thanks"}')
    assert ids(client, as_admin, f"email={ADA}&status=replied") == [one]
    client.patch(f"/dashboard/messages/{two}", headers={**as_admin, **JSON},
                 body=b'{"status": "read"}')
    assert ids(client, as_admin, f"email={ADA}&status=read") == [two]
    assert ids(client, as_admin, f"email={ADA}&status=new") == []
    assert client.delete(f"/dashboard/messages/{two}", headers=as_admin).status_code == 204
    assert ids(client, as_admin, f"email={ADA}") == [one]


def test_pages_of_every_status_merge_newest_first_with_their_own_cursor(
        client: Any, as_admin: dict[str, str], messages: MessageStore) -> None:
    stored = [store(messages, contact()) for _ in range(7)]
    for message_id, status in zip(stored, ("read", "archived", "new", "read", "archived",
                                           "new", "read"), strict=True):
        if status != "new":
            messages.set_status(message_id, status)
    seen: list[str] = []
    query = f"email={ADA}&limit=3"
    while True:
        page = listed(client, as_admin, query)
        seen += [m["id"] for m in page["items"]]
        if page["nextCursor"] is None:
            break
        query = f"email={ADA}&limit=3&cursor={page['nextCursor']}"
    assert seen == stored[::-1]
    # Its cursor is this list's: another sender's or another status's is a 400.
    cursor = listed(client, as_admin, f"email={ADA}&limit=3")["nextCursor"]
    for other in (f"email=bob@example.com&cursor={cursor}",
                  f"email={ADA}&status=new&cursor={cursor}", f"cursor={cursor}"):
        response = client.get(f"/dashboard/messages?{other}", headers=as_admin)
        assert response.status_code == 400
        assert response.json_body["error"]["details"][0]["field"] == "cursor"


def reads(dynamodb: Any, table: str, selection: Selection, limit: int) -> int:
    """Items DynamoDB read (what it bills) to serve one page."""
    scanned: list[int] = []
    handler = lambda parsed, **_: scanned.append(parsed["ScannedCount"])  # noqa: E731
    dynamodb.meta.events.register("after-call.dynamodb.Query", handler)
    try:
        MessageStore(dynamodb, table).select(selection, limit=limit)
    finally:
        dynamodb.meta.events.unregister("after-call.dynamodb.Query", handler)
    return sum(scanned)


def test_a_page_reads_the_same_whatever_the_table_and_the_sender_s_other_statuses_hold(
        dynamodb: Any, fresh_table: str, messages: MessageStore) -> None:
    for _ in range(12):
        store(messages, contact())
    new, every = Selection(("new",), email=ADA), Selection(("new", "read", "replied",
                                                             "archived"), email=ADA)
    small = reads(dynamodb, fresh_table, new, 5), reads(dynamodb, fresh_table, every, 5)
    for n in range(40):  # other senders, and this one's archived messages
        store(messages, contact(email=f"v{n}@example.com"))
        messages.set_status(store(messages, contact()), "archived")
    assert reads(dynamodb, fresh_table, new, 5) == small[0] == 6
    # Every status: one range per status, each at most limit + 1 items.
    assert reads(dynamodb, fresh_table, every, 5) <= 4 * 6
    assert small[1] == 6  # only the new range had any


@pytest.mark.parametrize("bad", ["not-an-address", "a@b", "x" * 250 + "@example.com",
                                 "ada@example.com%0a", "%00"])
def test_a_malformed_address_is_a_400_naming_email(
        client: Any, as_admin: dict[str, str], bad: str) -> None:
    response = client.get(f"/dashboard/messages?email={bad}", headers=as_admin)
    assert response.status_code == 400
    assert [d["field"] for d in response.json_body["error"]["details"]] == ["email"]
    assert response.headers["Access-Control-Allow-Origin"]


def test_an_unknown_status_is_a_400_naming_the_choices(
        client: Any, as_admin: dict[str, str]) -> None:
    response = client.get(f"/dashboard/messages?email={ADA}&status=everything", headers=as_admin)
    assert response.status_code == 400
    assert response.json_body["error"]["details"] == [
        {"field": "status", "message": "must be one of new, read, replied, archived, spam or all"}]


def test_a_form_within_one_sender_s_messages_is_a_bounded_search(
        client: Any, as_admin: dict[str, str], messages: MessageStore) -> None:
    """No index holds a sender's messages by form: they are examined, and the
    page says how many."""
    quote = store(messages, {"name": "Ada", "email": ADA, "terms": True}, QUOTE_FORM)
    store(messages, contact())
    page = listed(client, as_admin, f"email={ADA}&form=quote")
    assert [m["id"] for m in page["items"]] == [quote]
    assert page["searched"] == 2 and page["nextCursor"] is None


def before_the_index(dynamodb: Any, table: str, message_id: str) -> None:
    """The message as stored before the sender index: no GSI3 keys."""
    dynamodb.update_item(TableName=table, Key=to_item({"pk": f"MSG#{message_id}", "sk": "MSG"}),
                         UpdateExpression="REMOVE gsi3pk, gsi3sk")


def test_the_upgrade_lists_the_messages_stored_before_the_index_once(
        client: Any, as_admin: dict[str, str], dynamodb: Any, fresh_table: str,
        messages: MessageStore) -> None:
    old = [store(messages, contact()) for _ in range(3)]
    messages.set_status(old[0], "archived")
    poll = store(messages, {"answer": "no"}, NO_ADDRESS)
    for message_id in old:
        before_the_index(dynamodb, fresh_table, message_id)
    assert ids(client, as_admin, f"email={ADA}") == []
    # A status change gives a message its keys itself.
    messages.set_status(old[1], "read")
    assert ids(client, as_admin, f"email={ADA}") == [old[1]]
    done = run_upgrade(dynamodb, fresh_table, SENDER_INDEX)
    assert done.summary() == "2 messages stored before the sender index listed by sender"
    assert ids(client, as_admin, f"email={ADA}") == old[::-1]
    assert ids(client, as_admin, f"email={ADA}&status=archived") == [old[0]]
    assert "gsi3pk" not in (get_item(dynamodb, fresh_table,
                                     {"pk": f"MSG#{poll}", "sk": "MSG"}) or {})
    marker = get_item(dynamodb, fresh_table, {"pk": "UPGRADE#sender-index", "sk": "UPGRADE"})
    assert marker is not None and marker["done"] is True
    # Done once: a later run scans nothing.
    before_the_index(dynamodb, fresh_table, old[2])
    assert run_upgrade(dynamodb, fresh_table, SENDER_INDEX).listed == 0


def test_an_interrupted_upgrade_resumes_from_its_marker(
        dynamodb: Any, fresh_table: str, messages: MessageStore) -> None:
    old = [store(messages, contact(email=f"v{n}@example.com")) for n in range(5)]
    for message_id in old:
        before_the_index(dynamodb, fresh_table, message_id)

    with pytest.raises(KeyboardInterrupt):
        run_upgrade(ScansStopAfter(dynamodb, page=3), fresh_table, SENDER_INDEX)
    marker = get_item(dynamodb, fresh_table, {"pk": "UPGRADE#sender-index", "sk": "UPGRADE"})
    assert marker is not None and "scanFrom" in marker and not marker.get("done")
    first = sum("gsi3pk" in (get_item(dynamodb, fresh_table, {"pk": f"MSG#{m}", "sk": "MSG"})
                             or {}) for m in old)
    rest = run_upgrade(dynamodb, fresh_table, SENDER_INDEX).listed
    assert first + rest == 5
    assert all("gsi3pk" in (get_item(dynamodb, fresh_table, {"pk": f"MSG#{m}", "sk": "MSG"})
                            or {}) for m in old)
    assert json.loads(json.dumps(marker["scanFrom"]))  # a key, kept as JSON text
