"""Text search (`GET /dashboard/messages?q=`): every word in a message's name,
email, subject, text or fields, whatever its case and accents, over the newest
messages; at most a budget examined per page, which says how many it examined
(`searched`), with a cursor to search on."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.contact.model import Message, Notification
from chalicelib.contact.search import SEARCH_BUDGET, Selection, folded, search_words
from chalicelib.contact.store import MessageStore, slices_of
from chalicelib.db.items import to_item
from chalicelib.db.listing import matching_newest_first
from chalicelib.platform.ids import new_id
from tests.conftest import LocalAws
from tests.dashboard.test_by_form import QUOTE_FORM

STATUSES = ("new", "read", "replied", "archived")


@pytest.fixture
def dynamodb(local_aws: LocalAws) -> Any:
    return local_aws.session.client("dynamodb")


@pytest.fixture
def messages(dynamodb: Any, fresh_table: str) -> MessageStore:
    return MessageStore(dynamodb, fresh_table)


def store(messages: MessageStore, message: str = "Hello", *, name: str = "Ada",
          email: str = "ada@example.com", subject: str | None = None) -> str:
    values = {"name": name, "email": email, "message": message}
    if subject:
        values["subject"] = subject
    return str(messages.create(values, None)["id"])


def search(client: Any, as_admin: dict[str, str], query: str) -> dict[str, Any]:
    response = client.get(f"/dashboard/messages?{query}", headers=as_admin)
    assert response.status_code == 200, response.json_body
    return dict(response.json_body)


def found(client: Any, as_admin: dict[str, str], words: str, more: str = "") -> list[str]:
    return [m["id"] for m in search(client, as_admin, f"q={quote(words)}{more}")["items"]]


def test_folding_ignores_case_accents_and_compatibility_forms() -> None:
    assert folded("Zoë ÉLAN Straße ﬁle Ｆｕｌｌ") == "zoe elan strasse file full"
    assert search_words("  Café  cafe CAFÉ crème ") == ("cafe", "creme")


def test_every_word_must_be_in_the_name_email_subject_text_or_fields(
        client: Any, as_admin: dict[str, str], messages: MessageStore) -> None:
    zoe = store(messages, "Je voudrais un devis pour le café", name="Zoë Brontë",
                email="zoe@example.org", subject="Crème brûlée")
    bob = store(messages, "Invoice attached", name="Bob", email="bob@cafe.example")
    quote_id = str(messages.create({"name": "Ann", "email": "ann@example.com", "terms": True,
                                    "details": "Need 40 CHAIRS by Friday"}, None,
                                   form=QUOTE_FORM)["id"])
    assert found(client, as_admin, "ZOE") == [zoe]
    assert found(client, as_admin, "creme brulee") == [zoe]
    assert found(client, as_admin, "CAFÉ") == [bob, zoe]  # text, and an address
    assert found(client, as_admin, "cafe devis") == [zoe]  # all words, anywhere
    assert found(client, as_admin, "cafe invoice zoe") == []
    assert found(client, as_admin, "chairs friday") == [quote_id]  # a form's field
    assert found(client, as_admin, "example.org") == [zoe]
    page = search(client, as_admin, "q=nothing-like-this")
    assert page == {"items": [], "nextCursor": None, "searched": 3}


def test_it_searches_every_status_unless_asked_and_combines_with_the_other_filters(
        client: Any, as_admin: dict[str, str], messages: MessageStore) -> None:
    first, second = store(messages, "refund please"), store(messages, "refund again")
    other = store(messages, "refund", email="bob@example.com")
    messages.set_status(first, "archived")
    assert found(client, as_admin, "refund") == [other, second, first]
    assert found(client, as_admin, "refund", "&status=archived") == [first]
    assert found(client, as_admin, "refund", "&email=ada@example.com") == [second, first]
    assert found(client, as_admin, "refund", "&form=contact&status=new") == [other, second]
    assert found(client, as_admin, "refund", "&form=quote") == []


def seed(dynamodb: Any, table: str, texts: list[str]) -> list[str]:
    """Messages written straight into the table, oldest first (quicker than
    one transaction each); their ids."""
    stored = [Message(id=new_id(), name="Ada", email="ada@example.com", subject=None,
                      message=text, status="new", created_at="2026-12-01T00:00:00Z",
                      updated_at="2026-12-01T00:00:00Z", notification=Notification("sent"))
              for text in texts]
    for start in range(0, len(stored), 25):
        dynamodb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": to_item(m.to_item())}} for m in stored[start:start + 25]]})
    return [m.id for m in stored]


def test_a_page_examines_at_most_the_budget_and_its_cursor_searches_on(
        client: Any, as_admin: dict[str, str], dynamodb: Any, fresh_table: str) -> None:
    needle, *hay = seed(dynamodb, fresh_table,
                        ["the needle", *(f"hay {n}" for n in range(SEARCH_BUDGET + 5))])
    page = search(client, as_admin, "q=needle")
    # The newest 500 are hay: examined, none found, and a cursor to go on.
    assert page["items"] == [] and page["searched"] == SEARCH_BUDGET and page["nextCursor"]
    rest = search(client, as_admin, f"q=needle&cursor={page['nextCursor']}")
    assert [m["id"] for m in rest["items"]] == [needle]
    assert rest["searched"] == 6 and rest["nextCursor"] is None
    # A page ends at `limit` matches, its cursor after the last one.
    page = search(client, as_admin, "q=hay&limit=2")
    assert [m["id"] for m in page["items"]] == hay[:-3:-1] and page["searched"] == 2
    page = search(client, as_admin, f"q=hay&limit=2&cursor={page['nextCursor']}")
    assert [m["id"] for m in page["items"]] == hay[-3:-5:-1]


def items_read(dynamodb: Any, table: str, selection: Selection, *, budget: int,
               limit: int = 25) -> tuple[int, int]:
    """(items DynamoDB read, messages examined) for one page of a search."""
    slices = slices_of(selection)
    scanned: list[int] = []
    handler = lambda parsed, **_: scanned.append(parsed["ScannedCount"])  # noqa: E731
    dynamodb.meta.events.register("after-call.dynamodb.Query", handler)
    try:
        page = matching_newest_first(dynamodb, table, slices, matches=selection.matches,
                                     limit=limit, budget=budget, cursor=None)
    finally:
        dynamodb.meta.events.unregister("after-call.dynamodb.Query", handler)
    assert page.items_read == sum(scanned)
    return sum(scanned), page.examined


def test_the_items_a_page_reads_are_bounded_by_its_budget_not_the_table(
        dynamodb: Any, fresh_table: str, messages: MessageStore) -> None:
    stored = seed(dynamodb, fresh_table, [f"hay {n}" for n in range(150)])
    for message_id in stored[::30]:
        messages.set_status(message_id, "read")
    one = Selection(("new",), words=("needle",))
    every = Selection(STATUSES, words=("needle",))
    # One status: exactly the budget (pages of 50, the last cut to what is left).
    assert items_read(dynamodb, fresh_table, one, budget=60) == (60, 60)
    # Every status: the budget, plus at most one read-ahead page (50) per status.
    read, examined = items_read(dynamodb, fresh_table, every, budget=60)
    assert examined == 60 and read <= 60 + 4 * 50
    seed(dynamodb, fresh_table, [f"more hay {n}" for n in range(200)])  # the cost does not grow
    assert items_read(dynamodb, fresh_table, one, budget=60) == (60, 60)
    assert items_read(dynamodb, fresh_table, every, budget=60)[0] <= 60 + 4 * 50


@pytest.mark.parametrize(("query", "field"), [
    ("q=" + "x" * 201, "q"), ("q=" + quote(" ".join(f"w{n}" for n in range(11))), "q"),
    ("q=a&status=bogus", "status"), ("q=a&limit=0", "limit")])
def test_a_search_too_long_or_with_too_many_words_is_a_400_naming_it(
        client: Any, as_admin: dict[str, str], query: str, field: str) -> None:
    response = client.get(f"/dashboard/messages?{query}", headers=as_admin)
    assert response.status_code == 400
    assert [d["field"] for d in response.json_body["error"]["details"]] == [field]


def test_a_blank_search_is_the_plain_list(
        client: Any, as_admin: dict[str, str], messages: MessageStore) -> None:
    message_id = store(messages)
    page = search(client, as_admin, "q=%20%20")
    assert [m["id"] for m in page["items"]] == [message_id] and "searched" not in page
