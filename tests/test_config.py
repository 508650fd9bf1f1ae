"""Settings: read once from the environment, refusing what cannot run."""
from __future__ import annotations

import pytest

from chalicelib.platform.config import ConfigError, Settings, is_placeholder_address
from tests.support.deployed import deployed_environment


def test_prod_refuses_a_wildcard_origin() -> None:
    with pytest.raises(ConfigError, match=r"\*"):
        Settings.from_env({"STAGE": "prod", "ALLOWED_ORIGINS": "https://a.example, *"})


@pytest.mark.parametrize("stage", ["", "LOCAL", "dev-2", "2dev", "a" * 17])
def test_a_stage_name_that_cannot_be_deployed_is_refused(stage: str) -> None:
    with pytest.raises(ConfigError, match="STAGE must be 1 to 16 lowercase letters and digits"):
        Settings.from_env({"STAGE": stage})


@pytest.mark.parametrize("stage", ["staging", "rehearsal", "prod2", "a" * 16])
def test_any_owner_s_stage_name_runs(stage: str) -> None:
    assert Settings.from_env({"STAGE": stage}).stage == stage


@pytest.mark.parametrize("stage", ["dev", "staging"])
def test_every_deployed_stage_refuses_a_wildcard_origin(stage: str) -> None:
    with pytest.raises(ConfigError, match=r"\*"):
        Settings.from_env({"STAGE": stage, "ALLOWED_ORIGINS": "*"})


def test_origins_are_trimmed_and_lose_a_trailing_slash() -> None:
    settings = Settings.from_env({"STAGE": "dev",
                                  "ALLOWED_ORIGINS": " https://a.example/ ,,http://b.test:8080"})
    assert settings.allowed_origins == ("https://a.example", "http://b.test:8080")


def test_defaults_are_the_documented_ones() -> None:
    settings = Settings.from_env({"STAGE": "dev"})
    assert settings.table_name == "frontdesk-dev"
    assert (settings.contact_rate_limit, settings.contact_rate_window_seconds) == (5, 600)
    assert settings.notify_max_attempts == 5 and settings.max_body_bytes == 65536


@pytest.mark.parametrize("name", ["CONTACT_RATE_LIMIT", "CONTACT_RATE_WINDOW_SECONDS",
                                  "NOTIFY_MAX_ATTEMPTS", "MAX_BODY_BYTES"])
@pytest.mark.parametrize("value", ["0", "-1", "five", "1.5"])
def test_counts_must_be_positive_whole_numbers(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({"STAGE": "dev", name: value})


# -- a deployed stage refuses what cannot work ----------------------------------

@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_complete_deployed_stage_starts(stage: str) -> None:
    settings = Settings.from_env(deployed_environment(stage))
    assert settings.behind_api_gateway and settings.owner_email == "owner@frontdesk.test"


@pytest.mark.parametrize("name,value,named", [
    ("OWNER_EMAIL", "", "OWNER_EMAIL is empty"),
    ("OWNER_EMAIL", "owner@example.com", "OWNER_EMAIL is a placeholder"),
    ("MAIL_FROM", "Frontdesk <frontdesk@mail.example.org>", "MAIL_FROM is a placeholder"),
    ("MAIL_FROM", "  ", "MAIL_FROM is empty"),
    ("ALLOWED_ORIGINS", " , ", "ALLOWED_ORIGINS is empty"),
    ("USER_POOL_ID", "", "USER_POOL_ID is empty"),
    ("USER_POOL_ARN", "", "USER_POOL_ARN is missing"),
    ("USER_POOL_ARN", "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/local",
     "USER_POOL_ARN is a placeholder"),
    ("TABLE_STREAM_ARN", "arn:aws:dynamodb:eu-west-1:000000000000:table/frontdesk-dev/stream/local",
     "TABLE_STREAM_ARN is a placeholder"),
    ("TABLE_STREAM_ARN", "not-an-arn", "TABLE_STREAM_ARN is a placeholder"),
    ("FILES_URL", "", "FILES_URL .* is not an https address"),
    ("FILES_URL", "http://d222222abcdef8.cloudfront.net", "FILES_URL .* is not an https address"),
])
@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_deployed_stage_refuses_to_start_without_what_it_needs(
        stage: str, name: str, value: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env({**deployed_environment(stage), name: value})


def test_a_deployed_stage_names_every_problem_at_once() -> None:
    env = {"STAGE": "prod", "AWS_LAMBDA_FUNCTION_NAME": "frontdesk-prod"}
    with pytest.raises(ConfigError) as refused:
        Settings.from_env(env)
    for name in ("OWNER_EMAIL", "MAIL_FROM", "ALLOWED_ORIGINS", "USER_POOL_ID", "USER_POOL_ARN",
                 "TABLE_STREAM_ARN", "FILES_URL"):
        assert name in str(refused.value)


@pytest.mark.parametrize("env", [
    {"STAGE": "dev"},  # `chalice package`, the test suite: dev values, outside Lambda
    {"STAGE": "prod", "OWNER_EMAIL": "owner@example.com"},
    {"STAGE": "local", "AWS_LAMBDA_FUNCTION_NAME": "frontdesk-local"},
])
def test_outside_a_deployed_function_placeholders_are_allowed(env: dict[str, str]) -> None:
    assert Settings.from_env(env).stage == env["STAGE"]


@pytest.mark.parametrize("address,placeholder", [
    ("owner@example.com", True), ("owner@EXAMPLE.org", True), ("a@mail.example.net", True),
    ("example.com", True), ("Frontdesk <frontdesk@example.com>", True), ("", True),
    ("owner@frontdesk.test", False), ("owner@notexample.com", False), ("frontdesk.io", False),
])
def test_placeholder_addresses(address: str, placeholder: bool) -> None:
    assert is_placeholder_address(address) is placeholder


# -- the outbox's timing ---------------------------------------------------------

def test_the_outbox_keeps_its_deployed_timing_by_default() -> None:
    settings = Settings.from_env(deployed_environment("prod"))
    assert settings.outbox_backoff_seconds == (60, 300, 900, 3600)
    assert settings.outbox_claim_seconds == 120


def test_the_local_stack_may_run_the_retry_schedule_in_seconds() -> None:
    settings = Settings.from_env({"STAGE": "local", "OUTBOX_BACKOFF_SECONDS": " 1, 2,5 ",
                                  "OUTBOX_CLAIM_SECONDS": "30"})
    assert settings.outbox_backoff_seconds == (1, 2, 5)
    assert settings.outbox_claim_seconds == 30


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "1,,2", "1;2", "a", "86401", "60,0"])
def test_the_backoff_must_be_whole_seconds_from_one_to_a_day(value: str) -> None:
    with pytest.raises(ConfigError, match="OUTBOX_BACKOFF_SECONDS"):
        Settings.from_env({"STAGE": "local", "OUTBOX_BACKOFF_SECONDS": value})


@pytest.mark.parametrize("value", ["0", "29", "x", "1.5", "120,60", "86401"])
def test_a_claim_must_outlast_a_send_and_its_settle(value: str) -> None:
    with pytest.raises(ConfigError, match="OUTBOX_CLAIM_SECONDS"):
        Settings.from_env({"STAGE": "local", "OUTBOX_CLAIM_SECONDS": value})


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_deployed_claim_must_outlast_the_function_timeout(stage: str) -> None:
    with pytest.raises(ConfigError, match="function timeout"):
        Settings.from_env({**deployed_environment(stage), "OUTBOX_CLAIM_SECONDS": "60"})
    assert Settings.from_env({**deployed_environment(stage),
                              "OUTBOX_CLAIM_SECONDS": "61"}).outbox_claim_seconds == 61
