"""The IAM policies against what the code really calls.

tests/support/aws_calls.py records every AWS call of the whole session; this
module runs last (conftest.py orders it) and judges the calls the app's own
code made (chalicelib/, app.py) against the role policy deploy generates for
each stage (infra/policy.py): the example's stages and stages with an owner's
real sender, with the test world's table and sender translated to the stage's.

When new code calls a new operation, the first test fails and names it: grant
it in infra/policy.template.json, scoped to the stage's resources. When a policy grants what
nothing calls, the second test fails: remove the grant.
"""
from __future__ import annotations

from typing import Any

import pytest

from chalicelib.platform.config import (
    akismet_key_parameter,
    audit_salt_parameter,
    captcha_secret_parameter,
    chat_webhook_parameter,
    files_key_parameter,
)
from infra.policy import stage_policy
from infra.stages import StageConfig
from tests.support.aws_calls import RECORDER
from tests.support.iam import (
    ACCOUNT,
    PRESIGNED_ACTIONS,
    RUNTIME_ACTIONS,
    VIA_SSM_ACTIONS,
    World,
    allowed,
    granted_actions,
    iam_requests,
)
from tests.support.settings import POLICY_STAGES, sender_address

TEST_TABLE = "frontdesk-local"
TEST_SENDER = "frontdesk@example.com"
TEST_BUCKET = f"frontdesk-local-attachments-{ACCOUNT}"  # the resources stack's, on moto


STAGES = pytest.mark.parametrize("stage", POLICY_STAGES.values(), ids=list(POLICY_STAGES))


def world(stage: StageConfig) -> World:
    return World(tables={TEST_TABLE: stage.table_name}, senders={TEST_SENDER: sender_address(stage)},
                 buckets={TEST_BUCKET: f"frontdesk-{stage.name}-attachments-{ACCOUNT}"},
                 parameters={captcha_secret_parameter("local"): captcha_secret_parameter(stage.name),
                             chat_webhook_parameter("local"): chat_webhook_parameter(stage.name),
                             akismet_key_parameter("local"): akismet_key_parameter(stage.name),
                             audit_salt_parameter("local"): audit_salt_parameter(stage.name),
                             files_key_parameter("local"): files_key_parameter(stage.name)})


@STAGES
def test_every_aws_call_the_app_made_is_allowed_by_the_stage_policy(stage: StageConfig) -> None:
    policy = stage_policy(stage)
    denied = [f"{r.action} on {' or '.join(r.resources)} (from {r.call.caller})"
              for call in RECORDER.app_calls() for r in iam_requests(call, world(stage))
              if not allowed(policy, r)]
    assert denied == [], f"{stage.name}'s policy does not allow:\n  " + "\n  ".join(denied)


@STAGES
def test_the_policy_grants_no_action_the_code_never_calls(stage: StageConfig) -> None:
    """Deselected automatically unless the whole suite runs (conftest.py)."""
    called = {r.action for call in RECORDER.app_calls() for r in iam_requests(call, world(stage))}
    unused = (granted_actions(stage_policy(stage)) - called - RUNTIME_ACTIONS - VIA_SSM_ACTIONS
              - PRESIGNED_ACTIONS)
    assert unused == set(), f"{stage.name}'s policy grants what no code calls: {sorted(unused)}"


def test_the_recorder_saw_this_session_s_aws_calls(local_aws: Any) -> None:
    # The session fixture provisions the local stack through boto3; if none of
    # that was recorded, the hook is broken and the tests above prove nothing.
    operations = {(c.service, c.operation) for c in RECORDER.calls}
    assert ("dynamodb", "CreateTable") in operations or ("dynamodb", "DeleteTable") in operations
