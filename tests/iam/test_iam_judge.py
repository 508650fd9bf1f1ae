"""The judge itself: the call recorder and the policy check must be able to fail."""
from __future__ import annotations

from typing import Any

import boto3

from infra.policy import stage_policy
from tests.support.aws_calls import PROJECT_DIR, RECORDER, AwsCall, origin_of
from tests.support.iam import World, allowed, iam_requests
from tests.support.settings import EXAMPLE_STAGES, OWNER_STAGES

DEV = stage_policy(EXAMPLE_STAGES["dev"])
WORLD = World(tables={"frontdesk-local": "frontdesk-dev"},
              senders={"frontdesk@example.com": "frontdesk@example.com"})


def call(service: str, operation: str, **params: Any) -> AwsCall:
    return AwsCall(service, operation, params, "app", "chalicelib/x.py:1")


def verdicts(c: AwsCall) -> list[tuple[str, bool]]:
    return [(r.action, allowed(DEV, r)) for r in iam_requests(c, WORLD)]


def test_calls_from_chalicelib_or_app_py_are_the_app_s() -> None:
    root = str(PROJECT_DIR)
    assert origin_of([f"{root}/.venv/lib/python3.11/site-packages/botocore/client.py",
                      f"{root}/chalicelib/db/users.py", f"{root}/tests/test_x.py"])[0] == "app"
    assert origin_of([f"{root}/app.py"])[0] == "app"
    assert origin_of([f"{root}/tests/conftest.py", f"{root}/chalicelib/x.py"])[0] == "harness"
    assert origin_of([f"{root}/devstack/provision.py"])[0] == "harness"
    # The deploy's backfills call chalicelib with the operator's credentials.
    assert origin_of([f"{root}/chalicelib/db/transactions.py", f"{root}/infra/index_upgrades.py",
                      f"{root}/tests/infra/test_x.py"]) == ("harness",
                                                           "chalicelib/db/transactions.py")


def test_a_call_through_any_new_boto3_session_is_recorded(local_aws: Any) -> None:
    before = len(RECORDER.calls)
    boto3.Session().client("dynamodb").list_tables()
    (recorded,) = RECORDER.calls[before:]
    assert (recorded.service, recorded.operation, recorded.origin) == ("dynamodb", "ListTables",
                                                                       "harness")
    assert recorded.caller.startswith("tests/iam/test_iam_judge.py:")


def test_a_query_on_an_index_of_the_stage_table_is_allowed() -> None:
    assert verdicts(call("dynamodb", "Query", TableName="frontdesk-local", IndexName="gsi1")) == [
        ("dynamodb:Query", True)]


def test_an_item_write_to_another_table_is_denied() -> None:
    assert verdicts(call("dynamodb", "PutItem", TableName="someone-else")) == [
        ("dynamodb:PutItem", False)]


def test_a_scan_is_denied_even_on_the_stage_table() -> None:
    assert verdicts(call("dynamodb", "Scan", TableName="frontdesk-local")) == [
        ("dynamodb:Scan", False)]


def test_a_transaction_is_judged_item_by_item() -> None:
    transaction = call("dynamodb", "TransactWriteItems", TransactItems=[
        {"Put": {"TableName": "frontdesk-local", "Item": {}}},
        {"Update": {"TableName": "frontdesk-local", "Key": {}}},
        {"ConditionCheck": {"TableName": "frontdesk-local", "Key": {}}},
        {"Delete": {"TableName": "other", "Key": {}}}])
    # ConditionCheckItem is not granted: no code of ours makes a ConditionCheck item.
    assert verdicts(transaction) == [("dynamodb:PutItem", True),
                                     ("dynamodb:UpdateItem", True),
                                     ("dynamodb:ConditionCheckItem", False),
                                     ("dynamodb:DeleteItem", False)]


def test_mail_is_allowed_only_from_the_stage_sender() -> None:
    ours = call("ses", "SendEmail", Source="Frontdesk <frontdesk@example.com>")
    theirs = call("ses", "SendEmail", Source="someone@elsewhere.test")
    raw = call("ses", "SendRawEmail",
               RawMessage={"Data": b"From: frontdesk@example.com\r\nSubject: hi\r\n\r\nbody"})
    assert verdicts(ours) == [("ses:SendEmail", True)]
    assert verdicts(theirs) == [("ses:SendEmail", False)]
    # Judged as SendRawEmail, which is not granted: the notifier only uses SendEmail.
    assert verdicts(raw) == [("ses:SendRawEmail", False)]


def test_a_service_with_no_grant_is_denied() -> None:
    assert verdicts(call("cloudwatch", "PutMetricData", Namespace="Frontdesk")) == [
        ("cloudwatch:PutMetricData", False)]


def test_cloudwatch_calls_are_recorded_under_their_iam_prefix(local_aws: Any) -> None:
    before = len(RECORDER.calls)
    boto3.Session().client("cloudwatch").list_metrics(Namespace="Frontdesk")
    assert RECORDER.calls[before].service == "cloudwatch"


def test_an_owner_s_domain_identity_allows_its_addresses_and_no_other() -> None:
    staging = stage_policy(OWNER_STAGES["staging"])  # sesIdentity: frontdesk.test
    world = World(tables={}, senders={})

    def verdict(source: str) -> bool:
        (request,) = iam_requests(call("ses", "SendEmail", Source=source), world)
        return allowed(staging, request)

    assert verdict("Frontdesk <hello@frontdesk.test>") and verdict("other@frontdesk.test")
    assert not verdict("frontdesk@example.com")  # the example's sender is not granted
    assert not verdict("hello@mail.frontdesk.test") and not verdict("hello@frontdesk.testing")


def test_an_owner_s_address_identity_allows_that_address_only() -> None:
    rehearsal = stage_policy(OWNER_STAGES["rehearsal"])  # sesIdentity: desk@frontdesk.test
    world = World(tables={}, senders={})
    requests = {source: iam_requests(call("ses", "SendEmail", Source=source), world)[0]
                for source in ("desk@frontdesk.test", "other@frontdesk.test")}
    assert allowed(rehearsal, requests["desk@frontdesk.test"])
    assert not allowed(rehearsal, requests["other@frontdesk.test"])


def test_the_audit_deny_refuses_an_update_or_delete_of_an_entry_in_a_transaction_too() -> None:
    entry = {"pk": {"S": "AUDIT#message.update#sub-1"}, "sk": {"S": "01K0"}}
    message = {"pk": {"S": "MSG#01K0"}, "sk": {"S": "MSG"}}
    assert verdicts(call("dynamodb", "TransactWriteItems", TransactItems=[
        {"Put": {"TableName": "frontdesk-local", "Item": entry}},
        {"Update": {"TableName": "frontdesk-local", "Key": message}},
        {"Delete": {"TableName": "frontdesk-local", "Key": entry}}])) == [
        ("dynamodb:PutItem", True), ("dynamodb:UpdateItem", True), ("dynamodb:DeleteItem", False)]
    assert verdicts(call("dynamodb", "UpdateItem", TableName="frontdesk-local", Key=entry)) == [
        ("dynamodb:UpdateItem", False)]
