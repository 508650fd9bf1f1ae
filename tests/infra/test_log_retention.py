"""Every function's log kept `logRetentionDays` (infra/log_retention.py), set
by deploy on each group, made first when Lambda has not made it yet."""
from __future__ import annotations

from typing import Any

from infra.deploy import Project, deployed_functions
from infra.log_retention import apply
from tests.conftest import LocalAws

FUNCTIONS = ["frontdesk-logtest", "frontdesk-logtest-notify_owner",
             "frontdesk-logtest-retry_notifications"]


def retention(logs: Any) -> dict[str, int | None]:
    groups = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/frontdesk-logtest")
    return {g["logGroupName"]: g.get("retentionInDays") for g in groups["logGroups"]}


def test_each_function_s_group_is_made_if_missing_and_kept_the_days_set(
        local_aws: LocalAws) -> None:
    logs = local_aws.session.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/frontdesk-logtest")  # Lambda made this one
    assert apply(logs, FUNCTIONS, 30) == [f"/aws/lambda/{name}" for name in FUNCTIONS]
    assert retention(logs) == {f"/aws/lambda/{name}": 30 for name in FUNCTIONS}
    apply(logs, FUNCTIONS, 7)  # the setting changed: the next deploy applies it
    assert set(retention(logs).values()) == {7}
    apply(logs, FUNCTIONS, 0)  # forever: CloudWatch's own default, no policy
    assert set(retention(logs).values()) == {None}
    for name in FUNCTIONS:
        logs.delete_log_group(logGroupName=f"/aws/lambda/{name}")


def test_the_functions_are_those_chalice_recorded(tmp_path: Any) -> None:
    project = Project(root=tmp_path)
    project.deployed("dev").parent.mkdir(parents=True)
    project.deployed("dev").write_text('{"resources": ['
        '{"name": "api_handler", "resource_type": "lambda_function", '
        '"lambda_arn": "arn:aws:lambda:us-east-1:1:function:frontdesk-dev"}, '
        '{"name": "rest_api", "resource_type": "rest_api", "rest_api_id": "x"}, '
        '{"name": "notify_owner", "resource_type": "lambda_function", '
        '"lambda_arn": "arn:aws:lambda:us-east-1:1:function:frontdesk-dev-notify_owner"}]}')
    assert deployed_functions(project, "dev") == ["frontdesk-dev", "frontdesk-dev-notify_owner"]
