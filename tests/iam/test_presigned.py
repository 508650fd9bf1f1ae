"""What a presigned URL lets its holder do is what the signer's policy allows
at the time it is used: the role must grant what the function signs."""
from __future__ import annotations

import pytest

from infra.policy import stage_policy
from infra.stages import StageConfig
from tests.support.iam import ACCOUNT, allows
from tests.support.settings import POLICY_STAGES

STAGES = pytest.mark.parametrize("stage", POLICY_STAGES.values(), ids=list(POLICY_STAGES))


def bucket_arn(stage: StageConfig) -> str:
    return f"arn:aws:s3:::frontdesk-{stage.name}-attachments-{ACCOUNT}"


@STAGES
def test_the_role_may_sign_uploads_into_the_unclaimed_prefix_only(stage: StageConfig) -> None:
    policy = stage_policy(stage)
    assert allows(policy, "s3:PutObject", f"{bucket_arn(stage)}/unclaimed/{'0' * 32}")
    assert not allows(policy, "s3:PutObject", f"{bucket_arn(stage)}/elsewhere/x")
    assert not allows(policy, "s3:PutObject", f"arn:aws:s3:::frontdesk-{stage.name}-site/x")


@STAGES
def test_the_role_reads_only_uploads_not_claimed_files(stage: StageConfig) -> None:
    """It reads an upload's first bytes and copies it out of unclaimed/; a claimed
    file is read only by the files distribution (its links are HMAC-signed)."""
    policy = stage_policy(stage)
    assert allows(policy, "s3:GetObject", f"{bucket_arn(stage)}/unclaimed/{'0' * 32}")
    assert not allows(policy, "s3:GetObject", f"{bucket_arn(stage)}/files/{'0' * 32}")


@STAGES
def test_the_role_may_read_the_download_links_key_and_no_other_stage_s(
        stage: StageConfig) -> None:
    policy = stage_policy(stage)
    own = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/frontdesk/{stage.name}/files-key"
    assert allows(policy, "ssm:GetParameter", own)
    assert not allows(policy, "ssm:GetParameter", own.replace(f"/{stage.name}/", "/other/"))


@STAGES
def test_no_bucket_wide_or_listing_action_is_granted(stage: StageConfig) -> None:
    s3 = [s for s in stage_policy(stage)["Statement"]
          if any(a.startswith("s3:") for a in s["Action"])]
    assert {a for s in s3 for a in s["Action"]} == {"s3:PutObject", "s3:GetObject",
                                                    "s3:DeleteObject"}
    assert all(r.endswith(("/unclaimed/*", "/files/*")) for s in s3 for r in s["Resource"])
