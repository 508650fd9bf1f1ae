"""infra/stages.json is checked before deploy touches AWS: every field that
would give a stage that cannot work is named, as it is written in the file."""
from __future__ import annotations

from dataclasses import replace

import pytest

from infra.stages import DEPLOYABLE_STAGES, StageConfig, load_stage, stage_problems

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"


def ready(stage: str) -> StageConfig:
    return replace(load_stage(stage), mail_from="frontdesk@frontdesk.test",
                   owner_email="owner@frontdesk.test", ses_identity="frontdesk.test")


@pytest.mark.parametrize("stage", DEPLOYABLE_STAGES)
def test_the_shipped_placeholders_are_each_named(stage: str) -> None:
    named = [problem.split(":")[0] for problem in stage_problems(load_stage(stage))]
    assert named == [f"{stage}.mailFrom", f"{stage}.ownerEmail", f"{stage}.sesIdentity"]


@pytest.mark.parametrize("stage", DEPLOYABLE_STAGES)
def test_real_addresses_pass(stage: str) -> None:
    assert stage_problems(ready(stage)) == []
    assert stage_problems(replace(ready(stage), site_certificate_arn=CERTIFICATE,
                                  site_aliases=("www.frontdesk.test",))) == []


@pytest.mark.parametrize("changes,field", [
    ({"alarm_email": "ops@example.org"}, "alarmEmail"),
    ({"site_aliases": ("www.frontdesk.test",)}, "site.certificateArn"),
    ({"site_certificate_arn": CERTIFICATE}, "site.aliases"),
    ({"site_certificate_arn": CERTIFICATE.replace("us-east-1", "eu-west-1"),
      "site_aliases": ("www.frontdesk.test",)}, "site.certificateArn"),
    ({"site_certificate_arn": CERTIFICATE.replace("123456789012", "000000000000"),
      "site_aliases": ("www.frontdesk.test",)}, "site.certificateArn"),
    ({"extra_allowed_origins": ("*",)}, "allowedOrigins"),
    ({"oldest_pending_alarm_minutes": 0}, "alarms.oldestPendingNotificationMinutes"),
    ({"oldest_pending_alarm_minutes": "30"}, "alarms.oldestPendingNotificationMinutes"),
    ({"extra_allowed_origins": ("https://app.frontdesk.test/admin",)}, "allowedOrigins"),
    ({"extra_allowed_origins": ("app.frontdesk.test",)}, "allowedOrigins"),
])
def test_each_field_that_cannot_work_is_named(changes: dict[str, object], field: str) -> None:
    problems = stage_problems(replace(ready("prod"), **changes))  # type: ignore[arg-type]
    assert [p.split(":")[0] for p in problems] == [f"prod.{field}"]
