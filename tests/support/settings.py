"""Stage settings the tests use: the shipped example's stages (placeholder
addresses) and stages of an owner who has set real ones."""
from __future__ import annotations

from email.utils import parseaddr

from infra.stages import EXAMPLE_SETTINGS_FILE, StageConfig, example_stages, load_stage, parse_stage

EXAMPLE_STAGES = {name: load_stage(name, EXAMPLE_SETTINGS_FILE) for name in example_stages()}
OWNER_STAGES = {
    # A domain identity, traced, under a name of the owner's choosing.
    "staging": parse_stage("staging", {"mailFrom": "Frontdesk <hello@frontdesk.test>",
                                       "ownerEmail": "owner@frontdesk.test",
                                       "sesIdentity": "frontdesk.test", "xray": True}),
    # An address identity, as `make rehearse` deploys it.
    "rehearsal": parse_stage("rehearsal", {"mailFrom": "desk@frontdesk.test",
                                           "ownerEmail": "owner@frontdesk.test",
                                           "sesIdentity": "desk@frontdesk.test"}),
}
# Every stage whose generated policy tests/iam judges.
POLICY_STAGES: dict[str, StageConfig] = {**EXAMPLE_STAGES, **OWNER_STAGES}


def sender_address(stage: StageConfig) -> str:
    return parseaddr(stage.mail_from)[1]
