"""The owner's settings file (frontdesk.json) is checked offline before deploy
touches AWS: every problem at once, each named as it is written in the file,
one sentence each."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from chalicelib.platform import branding
from chalicelib.platform.config import STAGE_NAME, Settings
from infra.stages import (
    EXAMPLE_SETTINGS_FILE,
    LOCAL_SETTINGS,
    PROJECT_DIR,
    SETTABLE_VARIABLES,
    SETTINGS_FILE,
    UNSETTABLE_VARIABLES,
    SettingsError,
    StageConfig,
    check_stage,
    example_stages,
    load_stage,
    settings_file,
    stage_problems,
)

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"
OWNER = {"mailFrom": "Frontdesk <hello@frontdesk.test>", "ownerEmail": "owner@frontdesk.test",
         "sesIdentity": "frontdesk.test"}


def ready(stage: str) -> StageConfig:
    return replace(load_stage(stage, EXAMPLE_SETTINGS_FILE), mail_from="frontdesk@frontdesk.test",
                   owner_email="owner@frontdesk.test", ses_identity="frontdesk.test")


def settings(tmp_path: Path, content: Any) -> Path:
    path = tmp_path / "frontdesk.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def fields(problems: list[str]) -> list[str]:
    return [problem.split(":")[0] for problem in problems]


def test_the_example_defines_dev_and_prod_with_every_field() -> None:
    assert example_stages() == ("dev", "prod")
    example = json.loads(EXAMPLE_SETTINGS_FILE.read_text())
    for name in example_stages():
        assert check_stage(name, EXAMPLE_SETTINGS_FILE) == [  # only the placeholders
            f"{name}.mailFrom: 'frontdesk@example.com' is a placeholder; set the address SES "
            "sends from",
            f"{name}.ownerEmail: 'owner@example.com' is a placeholder; set who receives contact "
            "messages",
            f"{name}.sesIdentity: 'frontdesk@example.com' is a placeholder; set the SES identity "
            "(an address or domain) you can verify"]
        assert set(example[name]) == {"mailFrom", "ownerEmail", "sesIdentity", "alarmEmail",
                                      "alarms", "allowedOrigins", "site", "throttle", "quota",
                                      "mfa", "retentionDays", "auditRetentionDays",
                                          "logRetentionDays",
                                      "idTokenMinutes", "xray", "environment", "branding",
                                      "spamRules", "spamRetentionDays"}
        assert load_stage(name, EXAMPLE_SETTINGS_FILE).branding == branding.DEFAULT
    assert load_stage("prod", EXAMPLE_SETTINGS_FILE).xray is True
    assert load_stage("dev", EXAMPLE_SETTINGS_FILE).xray is False


def test_the_settings_file_is_frontdesk_json_unless_frontdesk_settings_names_another() -> None:
    assert settings_file({}) == SETTINGS_FILE == PROJECT_DIR / "frontdesk.json"
    assert settings_file({"FRONTDESK_SETTINGS": "/srv/rehearsal.json"}) == Path("/srv/rehearsal.json")
    assert settings_file({"FRONTDESK_SETTINGS": " "}) == SETTINGS_FILE


def test_git_ignores_the_owner_s_settings_file() -> None:
    assert "/frontdesk.json" in (PROJECT_DIR / ".gitignore").read_text().splitlines()


def test_the_local_stage_needs_no_settings_file(tmp_path: Path) -> None:
    local = load_stage("local", tmp_path / "none.json")
    assert local.mfa == "off"
    # The addresses .chalice/config.json's local stage sends with.
    chalice_local = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())[
        "stages"]["local"]["environment_variables"]
    assert (local.mail_from, local.owner_email) == (chalice_local["MAIL_FROM"],
                                                    chalice_local["OWNER_EMAIL"])
    assert LOCAL_SETTINGS["sesIdentity"] == local.ses_identity
    # Frontdesk's own name and today's behaviour, whichever way make dev reads it.
    assert local.branding == Settings.from_env(chalice_local).branding == branding.DEFAULT


def test_no_settings_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        check_stage("prod", tmp_path / "frontdesk.json")
    assert "`make settings`" in str(refused.value)
    assert str(refused.value).count(".") <= 3 and "\n" not in str(refused.value)


@pytest.mark.parametrize("content, said", [
    # json's own words, which Python 3.13 changed ("Illegal trailing comma before end of object").
    ('{"prod": {"mailFrom": "a@b.test",}}', "is not valid JSON: {} at line 1, column "),
    ("[]", "must hold one JSON object of stages"),
    (b"\xff\xfe{}", "is not UTF-8 text."),
])
def test_a_malformed_file_is_one_sentence(tmp_path: Path, content: str | bytes, said: str) -> None:
    path = tmp_path / "frontdesk.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    if "{}" in said:
        with pytest.raises(json.JSONDecodeError) as reason:
            json.loads(content)
        said = said.format(reason.value.msg)
    with pytest.raises(SettingsError, match=re.escape(said)):
        check_stage("prod", path)


def test_a_stage_the_file_lacks_is_named_with_the_ones_it_has(tmp_path: Path) -> None:
    path = settings(tmp_path, {"prod": OWNER, "dev": OWNER})
    with pytest.raises(SettingsError, match=r"has no stage staging; it has dev, prod\."):
        check_stage("staging", path)


def test_any_stage_the_file_defines_can_deploy(tmp_path: Path) -> None:
    path = settings(tmp_path, {"staging": OWNER, "rehearsal": OWNER})
    assert check_stage("staging", path) == check_stage("rehearsal", path) == []
    stage = load_stage("rehearsal", path)
    assert (stage.stack_name, stage.table_name) == ("frontdesk-rehearsal-resources",
                                                    "frontdesk-rehearsal")
    # Everything but the three addresses has a default.
    assert (stage.mfa, stage.xray, stage.quota_period, stage.environment) == (
        "required", False, "DAY", {})


@pytest.mark.parametrize("name", ["Prod", "dev-2", "2dev", "a" * 17, "", "local"])
def test_stage_names_are_short_lowercase_and_local_is_make_dev_s(tmp_path: Path, name: str) -> None:
    path = settings(tmp_path, {"prod": OWNER, name: OWNER})
    assert fields(check_stage("prod", path)) == [name]
    with pytest.raises(SettingsError):
        check_stage(name, path) if name != "local" else load_stage("prod", path)


def test_the_stage_name_rule_is_the_template_s() -> None:
    from tests.infra.templates import resources_template
    pattern = resources_template()["Parameters"]["Stage"]["AllowedPattern"]
    assert pattern == f"^{STAGE_NAME.pattern}$"


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    path = settings(tmp_path, {"prod": {
        "mialFrom": "hello@frontdesk.test", "ownerEmail": 5, "sesIdentity": "frontdesk.test",
        "alarmEmail": "ops@example.org", "throttle": {"rateLimit": "5", "burstLimit": True},
        "quota": {"period": "YEAR"}, "mfa": "on", "xray": "yes", "site": [],
        "alarms": {"oldestPendingNotificationMinutes": 0}, "allowedOrigins": "https://a.test",
        "environment": {"CHAT_FORMAT": "teams"}}})
    problems = check_stage("prod", path)
    assert fields(problems) == [
        "prod.mialFrom", "prod.mailFrom", "prod.ownerEmail", "prod.alarms.oldestPendingNotificationMinutes",
        "prod.allowedOrigins", "prod.site", "prod.throttle.rateLimit", "prod.throttle.burstLimit",
        "prod.quota.period", "prod.mfa", "prod.xray", "prod.alarmEmail",
        "prod.environment.CHAT_FORMAT"]
    said = dict(problem.split(": ", 1) for problem in problems)
    assert said["prod.mialFrom"] == "unknown field; did you mean mailFrom?"
    assert said["prod.mailFrom"] == "missing; set the address notifications are sent from"
    assert said["prod.ownerEmail"] == "must be a string, got 5"
    assert said["prod.throttle.rateLimit"] == "must be a number above 0, got \"5\""
    assert said["prod.throttle.burstLimit"] == "must be a whole number of at least 0, got true"
    assert said["prod.mfa"] == 'must be one of "off", "optional", "required", got "on"'
    assert all("\n" not in problem for problem in problems)
    with pytest.raises(SettingsError) as refused:  # what deploy and destroy load
        load_stage("prod", path)
    assert "prod.mialFrom" in str(refused.value) and "prod.alarmEmail" not in str(refused.value)


def test_a_typo_in_a_nested_field_is_named_with_its_path(tmp_path: Path) -> None:
    path = settings(tmp_path, {"prod": {**OWNER, "quota": {"limt": 10}, "site": {"alias": []}}})
    assert check_stage("prod", path) == [
        "prod.site.alias: unknown field; did you mean aliases?",
        "prod.quota.limt: unknown field; did you mean limit?"]


def test_a_stage_without_branding_is_frontdesk(tmp_path: Path) -> None:
    path = settings(tmp_path, {"prod": OWNER})
    assert check_stage("prod", path) == []
    assert load_stage("prod", path).branding == branding.DEFAULT


def test_the_branding_block_sets_each_field(tmp_path: Path) -> None:
    path = settings(tmp_path, {"prod": {**OWNER, "branding": {
        "siteName": "Acme <Support>", "subjectPrefix": "", "replySignature": "Jane\nAcme",
        "timeZone": "America/Argentina/Buenos_Aires", "dashboardLink": False}}})
    assert check_stage("prod", path) == []
    assert load_stage("prod", path).branding == branding.Branding(
        site_name="Acme <Support>", subject_prefix="", reply_signature="Jane\nAcme",
        time_zone="America/Argentina/Buenos_Aires", dashboard_link=False)


def test_every_branding_problem_is_one_sentence_naming_its_field(tmp_path: Path) -> None:
    path = settings(tmp_path, {"prod": {**OWNER, "branding": {
        "sitename": "Acme", "subjectPrefix": "[Acme]\r\nBcc: victim@example.org",
        "replySignature": "x" * 501, "timeZone": "europe/paris", "dashboardLink": "no"}}})
    problems = check_stage("prod", path)
    assert problems == [
        "prod.branding.sitename: unknown field; did you mean siteName?",
        "prod.branding.subjectPrefix: must be one line, with no control characters "
        "(no \\r, \\n or tab), got \"[Acme]\\r\\nBcc: victim@example.org\"",
        f"prod.branding.replySignature: must be at most 500 characters, got 501, got "
        f"\"{'x' * 56}...",
        "prod.branding.timeZone: must be a time zone of the tz database (did you mean "
        "\"Europe/Paris\"?), got \"europe/paris\"",
        "prod.branding.dashboardLink: must be true or false, got \"no\""]
    assert all("\n" not in problem for problem in problems)
    with pytest.raises(SettingsError):  # deploy refuses the same file
        load_stage("prod", path)


@pytest.mark.parametrize("zone, said", [
    ("Mars/Olympus_Mons", 'must be a time zone of the tz database, like "Europe/Paris" or "UTC"'),
    ("../../etc/passwd", 'must be an IANA time zone name, like "Europe/Paris" or "UTC"'),
    ("localtime", 'must be a time zone of the tz database, like "Europe/Paris" or "UTC"'),
    (7, 'must be an IANA time zone name, like "Europe/Paris" or "UTC"'),
])
def test_a_time_zone_must_be_one_of_the_tz_database(tmp_path: Path, zone: object,
                                                   said: str) -> None:
    path = settings(tmp_path, {"prod": {**OWNER, "branding": {"timeZone": zone}}})
    (problem,) = check_stage("prod", path)
    assert problem.startswith(f"prod.branding.timeZone: {said}, got ")


def test_branding_variables_are_set_from_the_block_not_from_environment(tmp_path: Path) -> None:
    path = settings(tmp_path, {"prod": {**OWNER, "environment": {"SITE_NAME": "Acme"}}})
    assert check_stage("prod", path) == [
        "prod.environment.SITE_NAME: not settable here; make deploy sets it from "
        "branding.siteName"]


@pytest.mark.parametrize("mail_from, identity, covered", [
    ("hello@frontdesk.test", "hello@frontdesk.test", True),
    ("Frontdesk <Hello@Frontdesk.test>", "hello@frontdesk.test", True),
    ("hello@frontdesk.test", "frontdesk.test", True),
    ("hello@frontdesk.test", "other@frontdesk.test", False),
    ("hello@mail.frontdesk.test", "frontdesk.test", False),
    ("hello@frontdesk.test", "elsewhere.test", False),
])
def test_the_ses_identity_must_cover_the_sender(mail_from: str, identity: str,
                                                covered: bool) -> None:
    problems = stage_problems(replace(ready("prod"), mail_from=mail_from, ses_identity=identity))
    assert fields(problems) == ([] if covered else ["prod.sesIdentity"])
    if not covered:
        assert "does not cover mailFrom" in problems[0]


@pytest.mark.parametrize("identity", ["*", "frontdesk.*", "a*@frontdesk.test", "frontdesk",
                                      "Frontdesk <hello@frontdesk.test>", "hello@"])
def test_an_ses_identity_that_is_no_address_or_domain_is_refused(identity: str) -> None:
    # It lands in the role policy's resource: a wildcard would grant every sender.
    problems = stage_problems(replace(ready("prod"), ses_identity=identity))
    assert fields(problems)[:1] == ["prod.sesIdentity"]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_real_addresses_pass(stage: str) -> None:
    assert stage_problems(ready(stage)) == []
    assert stage_problems(replace(ready(stage), site_certificate_arn=CERTIFICATE,
                                  site_aliases=("www.frontdesk.test",))) == []


@pytest.mark.parametrize("changes,field", [
    ({"alarm_email": "ops@example.org"}, "alarmEmail"),
    ({"owner_email": "nobody"}, "ownerEmail"),
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


@pytest.mark.parametrize("environment, said", [
    ({"CHAT_FORMAT": "slack", "CONTACT_RATE_LIMIT": "10", "REPLY_TO": "desk@frontdesk.test"}, []),
    ({"CHAT_FORMAT": "teams"},
     ["prod.environment.CHAT_FORMAT: CHAT_FORMAT must be one of slack, discord, json or empty, "
      "got 'teams'"]),
    ({"CONTACT_RATE_LIMT": "10"},
     ["prod.environment.CONTACT_RATE_LIMT: not a setting Frontdesk reads; "
      "did you mean CONTACT_RATE_LIMIT?"]),
    ({"MAIL_FROM": "x@frontdesk.test"},
     ["prod.environment.MAIL_FROM: not settable here; make deploy sets it from mailFrom"]),
    ({"CAPTCHA_SECRET_PARAMETER": "/elsewhere"},
     ["prod.environment.CAPTCHA_SECRET_PARAMETER: not settable here; the stage's role may "
      "read only /frontdesk/<stage>/captcha-secret"]),
    ({"OUTBOX_CLAIM_SECONDS": "45"},
     ["prod.environment.OUTBOX_CLAIM_SECONDS: OUTBOX_CLAIM_SECONDS must be longer than the "
      "function timeout (60 s) on a deployed stage, got 45"]),
    ({"CAPTCHA_PROVIDER": "turnstile"},
     ["prod.environment: CAPTCHA_PROVIDER is set but CAPTCHA_SITE_KEY is empty"]),
    ({"CONTACT_RATE_LIMIT": 10},
     ['prod.environment: must be an object of strings, like {"CHAT_FORMAT": "slack"}, '
      'got {"CONTACT_RATE_LIMIT": 10}']),
])
def test_the_app_s_own_settings_are_checked_as_the_function_would(
        tmp_path: Path, environment: dict[str, Any], said: list[str]) -> None:
    path = settings(tmp_path, {"prod": {**OWNER, "environment": environment}})
    assert check_stage("prod", path) == said


def test_every_variable_the_app_reads_is_settable_or_says_why_not() -> None:
    source = (PROJECT_DIR / "chalicelib" / "platform" / "config.py").read_text()
    read = set(re.findall(r'env(?:iron)?\.get\("([A-Z_]+)"', source))
    read |= set(re.findall(r'_(?:count|seconds|seconds_list|days)\(env, "([A-Z_]+)"', source))
    read |= set(branding.ENVIRONMENT)  # Branding.from_env(env), which config.py calls
    read -= {"AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION"}  # Lambda's own
    assert len(read) > 25
    assert read == SETTABLE_VARIABLES | set(UNSETTABLE_VARIABLES)
    assert not SETTABLE_VARIABLES & set(UNSETTABLE_VARIABLES)


def test_spam_rules_in_the_settings_are_checked_and_kept_small(tmp_path: Path) -> None:
    example = json.loads(EXAMPLE_SETTINGS_FILE.read_text())
    stage = {**example["dev"], "spamRules": {"blockedWords": [""], "maxLinks": -1},
             "spamRetentionDays": 0}
    path = tmp_path / "frontdesk.json"
    path.write_text(json.dumps({"dev": stage}))
    problems = [p for p in check_stage("dev", path) if "spam" in p]
    assert problems == [
        "dev.spamRules: must be a spam rules document: blockedWords[0]: must be 1 to 100 "
        "characters on one line, not only spaces; maxLinks: must be a whole number from 0 to "
        "1,000, or null, "
        'got {"blockedWords": [""], "maxLinks": -1}',
        "dev.spamRetentionDays: must be a whole number of at least 1, got 0"]
    stage["spamRules"], stage["spamRetentionDays"] = {"blockedWords": ["w" * 90] * 30}, 30
    path.write_text(json.dumps({"dev": stage}))
    (too_big,) = [p for p in check_stage("dev", path) if "spam" in p]
    assert "save longer lists with PUT /dashboard/spam-rules" in too_big
