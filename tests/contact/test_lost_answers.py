"""A submission whose storing transaction DynamoDB applied but whose answer was
lost: the outcome botocore reports is an error, the message is stored all the same."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from chalicelib.contact.store import MessageStore
from chalicelib.core.domain_errors import DependencyUnavailable
from tests.conftest import LocalAws

FIELDS = {"name": "Ada", "email": "ada@example.com", "message": "Hi"}
THROTTLED = {"Error": {"Code": "ThrottlingException", "Message": "slow down"},
             "ResponseMetadata": {"HTTPStatusCode": 400}}


class AnswersLost:
    """The real DynamoDB client, except that every transaction ends as botocore
    ends one whose retries are spent: written (`applied`) or not, and then a
    read timeout; and reads are throttled when `reads_fail`."""

    def __init__(self, client: Any, *, applied: bool, reads_fail: bool = False) -> None:
        self._client = client
        self._applied = applied
        self._reads_fail = reads_fail

    def __getattr__(self, operation: str) -> Any:
        return getattr(self._client, operation)

    def transact_write_items(self, **request: Any) -> Any:
        if self._applied:
            self._client.transact_write_items(**request)
        raise ReadTimeoutError(endpoint_url="http://dynamodb.local")

    def get_item(self, **request: Any) -> Any:
        if self._reads_fail:
            raise ClientError(THROTTLED, "GetItem")
        return self._client.get_item(**request)


def stored(local_aws: LocalAws, table: str) -> list[dict[str, Any]]:
    items = local_aws.session.client("dynamodb").scan(TableName=table)["Items"]
    return [item for item in items if item["sk"]["S"] == "MSG"]


def test_a_message_stored_though_the_answer_was_lost_is_answered_as_received(
        local_aws: LocalAws, fresh_table: str) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    store = MessageStore(AnswersLost(dynamodb, applied=True), fresh_table)
    answer = store.create(FIELDS, None)
    (message,) = stored(local_aws, fresh_table)
    assert answer == {"id": message["id"]["S"], "status": "received"}


def test_a_transaction_not_applied_is_still_unavailable(
        local_aws: LocalAws, fresh_table: str) -> None:
    store = MessageStore(AnswersLost(local_aws.session.client("dynamodb"), applied=False),
                         fresh_table)
    with pytest.raises(DependencyUnavailable):
        store.create(FIELDS, None)
    assert stored(local_aws, fresh_table) == []


def test_when_the_check_cannot_be_read_either_the_answer_stays_unavailable(
        local_aws: LocalAws, fresh_table: str) -> None:
    """The one case left where a 503 may have stored the message (docs/api.md)."""
    store = MessageStore(AnswersLost(local_aws.session.client("dynamodb"), applied=True,
                                     reads_fail=True), fresh_table)
    with pytest.raises(DependencyUnavailable):
        store.create(FIELDS, None)
    assert len(stored(local_aws, fresh_table)) == 1
