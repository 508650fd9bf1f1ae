"""The Chalice config `make deploy` generates for a deployed stage's functions
(infra/chalice_config.py): the architecture they run on, no layer, and the
tracked config holding only what every stage shares and the local stage."""
from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.platform.branding import Branding
from chalicelib.platform.config import Settings
from infra.chalice_config import CONFIG_FILE, lambda_architecture, read_config, stage_config
from infra.stages import StageConfig
from tests.support.settings import POLICY_STAGES

STAGES = pytest.mark.parametrize("stage", POLICY_STAGES.values(), ids=list(POLICY_STAGES))


@STAGES
def test_every_deployed_stage_runs_on_arm64_without_a_layer(stage: StageConfig) -> None:
    config = stage_config(read_config(CONFIG_FILE), stage, outputs=None)
    assert lambda_architecture(config, stage.name) == "arm64"
    assert "layers" not in config and "layers" not in config["stages"][stage.name]


def test_the_tracked_config_holds_only_the_local_stage() -> None:
    # Deployed stages are generated at deploy, so a deploy never edits this file.
    assert list(read_config(CONFIG_FILE)["stages"]) == ["local"]


@STAGES
def test_the_owner_s_environment_reaches_the_functions_and_cannot_override_deploy_s(
        stage: StageConfig) -> None:
    owned = replace(stage, environment={"CHAT_FORMAT": "slack", "STAGE": "other"})
    environment = stage_config(read_config(CONFIG_FILE), owned, None)["stages"][stage.name][
        "environment_variables"]
    assert environment["CHAT_FORMAT"] == "slack"
    assert environment["STAGE"] == stage.name and environment["TABLE_NAME"] == stage.table_name
    assert environment["MAIL_FROM"] == stage.mail_from


def test_the_stage_s_branding_reaches_the_functions_as_their_settings_read_it() -> None:
    stage = replace(next(iter(POLICY_STAGES.values())), environment={"SITE_NAME": "Other"},
                    branding=Branding(site_name="Acme & Co", subject_prefix="[Acme]",
                                      reply_signature="Jane\nAcme", time_zone="Europe/Paris",
                                      dashboard_link=False))
    environment = stage_config(read_config(CONFIG_FILE), stage, None)["stages"][stage.name][
        "environment_variables"]
    assert environment["SITE_NAME"] == "Acme & Co"  # the settings' branding, not "environment"
    assert environment["DASHBOARD_LINK"] == "false"
    assert Settings.from_env(environment).branding == stage.branding


def test_the_stage_s_spam_rules_seed_and_retention_reach_the_functions() -> None:
    seed = {"blockedWords": ["casino"], "blockedSenders": ["spam.example"], "maxLinks": 3}
    stage = replace(next(iter(POLICY_STAGES.values())), spam_rules=seed, spam_retention_days=7)
    environment = stage_config(read_config(CONFIG_FILE), stage, None)["stages"][stage.name][
        "environment_variables"]
    settings = Settings.from_env(environment)
    assert settings.spam_retention_days == 7
    assert settings.spam_rules is not None and settings.spam_rules.to_json() == {
        **seed, "duplicateWindowHours": None}
