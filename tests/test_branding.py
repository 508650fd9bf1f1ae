"""The site's name, subject prefix, signature and time zone: what the function
accepts at start, and how it shows a date."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chalicelib.platform.branding import DEFAULT, Branding, BrandingError
from chalicelib.platform.config import ConfigError, Settings
from infra.stages import PROJECT_DIR


def settings(**env: str) -> Settings:
    return Settings.from_env({"STAGE": "dev", **env})


def test_a_stage_without_branding_is_frontdesk_as_before() -> None:
    branding = settings().branding
    assert branding == DEFAULT
    assert (branding.site_name, branding.subject_prefix, branding.reply_signature,
            branding.time_zone, branding.dashboard_link) == ("Frontdesk", "[Frontdesk]", "", "UTC",
                                                             True)
    assert branding.subject("Pricing") == "[Frontdesk] Pricing"
    assert branding.shown_at("2026-11-22T12:00:00.000Z") == "2026-11-22T12:00:00.000Z"


def test_the_environment_sets_each_field() -> None:
    branding = settings(SITE_NAME="Acme <Support>", MAIL_SUBJECT_PREFIX="", TIME_ZONE="Europe/Paris",
                        REPLY_SIGNATURE="Jane\nAcme support", DASHBOARD_LINK="false").branding
    assert branding == Branding(site_name="Acme <Support>", subject_prefix="",
                                reply_signature="Jane\nAcme support", time_zone="Europe/Paris",
                                dashboard_link=False)
    assert branding.subject("Pricing") == "Pricing"  # no prefix, no leading space
    assert Branding.from_env(branding.to_env()) == branding


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("SITE_NAME", "Acme\r\nBcc: victim@example.org", "SITE_NAME must be one line"),
    ("SITE_NAME", "", "SITE_NAME must not be empty"),
    ("SITE_NAME", "x" * 61, "SITE_NAME must be at most 60 characters, got 61"),
    ("SITE_NAME", " Acme", "SITE_NAME may not start or end with spaces"),
    ("MAIL_SUBJECT_PREFIX", "[Acme]\nBcc: victim@example.org", "MAIL_SUBJECT_PREFIX must be one line"),
    ("MAIL_SUBJECT_PREFIX", "[Acme]\u2028", "MAIL_SUBJECT_PREFIX must be one line"),
    ("MAIL_SUBJECT_PREFIX", "x" * 41, "MAIL_SUBJECT_PREFIX must be at most 40 characters"),
    ("REPLY_SIGNATURE", "Jane\r\nAcme", "REPLY_SIGNATURE may hold line breaks (\\n) but no other"),
    ("REPLY_SIGNATURE", "x" * 501, "REPLY_SIGNATURE must be at most 500 characters"),
    ("TIME_ZONE", "Europe/Pari", "TIME_ZONE 'Europe/Pari' is not a time zone this Python can load"),
    ("TIME_ZONE", "../../etc/passwd", "TIME_ZONE must be an IANA time zone name"),
    ("TIME_ZONE", "/etc/localtime", "TIME_ZONE must be an IANA time zone name"),
    ("DASHBOARD_LINK", "yes", "DASHBOARD_LINK must be true or false, got 'yes'"),
])
def test_a_value_that_could_break_a_header_or_a_page_stops_the_function_at_start(
        variable: str, value: str, said: str) -> None:
    with pytest.raises(ConfigError) as refused:
        settings(**{variable: value})
    assert str(refused.value).startswith(said)
    assert "\n" not in str(refused.value)


def test_no_branding_can_be_built_with_a_line_break_in_a_header_value() -> None:
    # Mails take the prefix from a Branding: one that holds a CR/LF cannot exist.
    with pytest.raises(BrandingError):
        Branding(subject_prefix="[Acme]\r\nBcc: victim@example.org")
    with pytest.raises(BrandingError):
        Branding(site_name="Acme\nX-Header: 1")


@pytest.mark.parametrize(("zone", "moment", "shown"), [
    ("Europe/Paris", "2026-11-22T12:00:00.000Z", "2026-11-22T13:00:00.000+01:00 (Europe/Paris)"),
    ("Europe/Paris", "2026-07-01T12:00:00.000Z", "2026-07-01T14:00:00.000+02:00 (Europe/Paris)"),
    ("America/New_York", "2026-01-01T03:30:00.000Z",
     "2025-12-31T22:30:00.000-05:00 (America/New_York)"),
    ("Asia/Kolkata", "2026-11-22T12:00:00.000Z", "2026-11-22T17:30:00.000+05:30 (Asia/Kolkata)"),
    ("Europe/Paris", "not a date", "not a date"),
])
def test_a_date_is_shown_at_the_zone_s_offset_and_named(zone: str, moment: str, shown: str) -> None:
    assert Branding(time_zone=zone).shown_at(moment) == shown


@pytest.mark.parametrize(("zone", "moment", "shown"), [
    ("Europe/Berlin", "2026-12-07T12:49:37.178Z", "7 December 2026 at 13:49 (Europe/Berlin)"),
    ("UTC", "2026-12-07T12:49:37.178Z", "7 December 2026 at 12:49 (UTC)"),
    ("Europe/Paris", "2026-07-01T12:00:00.000Z", "1 July 2026 at 14:00 (Europe/Paris)"),
    # The day, month and year are the zone's: here still New Year's Eve.
    ("America/New_York", "2026-01-01T03:30:00.000Z", "31 December 2025 at 22:30 (America/New_York)"),
    ("Asia/Kolkata", "2026-11-22T00:05:00.000Z", "22 November 2026 at 05:35 (Asia/Kolkata)"),
    ("Europe/Berlin", "not a date", "not a date"),
    ("UTC", "", ""),
])
def test_a_date_is_shown_to_people_in_the_zone_and_named(zone: str, moment: str,
                                                         shown: str) -> None:
    assert Branding(time_zone=zone).shown_to_people(moment) == shown


COLD_START_PROBE = """
import json, sys
from chalicelib.platform.config import Settings
settings = Settings.from_env({"STAGE": "dev", **json.loads(sys.argv[1])})
print(json.dumps("zoneinfo" in sys.modules))
"""


@pytest.mark.parametrize(("env", "loads_zoneinfo"), [
    ({}, False), ({"TIME_ZONE": "UTC"}, False), ({"TIME_ZONE": "Europe/Paris"}, True)])
def test_only_a_stage_with_a_zone_other_than_utc_loads_zoneinfo_at_start(
        env: dict[str, str], loads_zoneinfo: bool) -> None:
    result = subprocess.run([sys.executable, "-c", COLD_START_PROBE, json.dumps(env)],
                            cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout) is loads_zoneinfo
