"""Settings: read once from the environment, refusing what cannot run."""
from __future__ import annotations

import pytest

from chalicelib.config import ConfigError, Settings


def test_prod_refuses_a_wildcard_origin() -> None:
    with pytest.raises(ConfigError, match=r"\*"):
        Settings.from_env({"STAGE": "prod", "ALLOWED_ORIGINS": "https://a.example, *"})


@pytest.mark.parametrize("stage", ["", "production", "LOCAL"])
def test_an_unknown_stage_is_refused(stage: str) -> None:
    with pytest.raises(ConfigError):
        Settings.from_env({"STAGE": stage})


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
