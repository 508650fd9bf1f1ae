"""Per-stage deploy settings: the owner's settings file, stage name -> fields.

The file is `frontdesk.json` at the repository root, or the one that
FRONTDESK_SETTINGS names. The project never edits it and git ignores it, so
pulling a new version never conflicts with it; `make settings` seeds it from
the tracked frontdesk.example.json. What Chalice and IAM need for a deployed
stage is generated from it at deploy (infra/chalice_config.py, infra/policy.py).

`local` (make dev) is not in the file: its settings are LOCAL_SETTINGS below,
so `make dev` and `make test` need no settings file.
"""
from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from chalicelib.core.retention import AUDIT_DAYS
from chalicelib.core.retention import DEFAULT_DAYS as DEFAULT_RETENTION_DAYS
from chalicelib.platform.branding import DEFAULT as DEFAULT_BRANDING
from chalicelib.platform.branding import Branding
from chalicelib.platform.config import (
    STAGE_NAME,
    ConfigError,
    Settings,
    deployed_stage_problems,
    is_placeholder_address,
    is_placeholder_arn,
)
from infra.log_retention import DEFAULT_DAYS as DEFAULT_LOG_DAYS
from infra.settings_schema import DEFAULT_ID_TOKEN_MINUTES, STAGE_FIELDS, read

INFRA_DIR = Path(__file__).resolve().parent
PROJECT_DIR = INFRA_DIR.parent
TEMPLATE_FILE = INFRA_DIR / "resources.yaml"
SETTINGS_ENV = "FRONTDESK_SETTINGS"
SETTINGS_FILE = PROJECT_DIR / "frontdesk.json"
EXAMPLE_SETTINGS_FILE = PROJECT_DIR / "frontdesk.example.json"
APP_NAME = "frontdesk"
LOCAL = "local"
# make dev's stage. Its addresses are the placeholders .chalice/config.json's
# local stage sends with (moto's SES accepts them).
LOCAL_SETTINGS: dict[str, Any] = {
    "mailFrom": "frontdesk@example.com", "ownerEmail": "owner@example.com",
    "sesIdentity": "frontdesk@example.com", "mfa": "off"}
# What a stage name may be (chalicelib.platform.config.STAGE_NAME): lowercase, so it fits
# S3, CloudFront and IAM names; at most 16 characters, so the longest name built
# from it (frontdesk-<stage>-site-<region>) stays within CloudFront's 64; and no
# hyphen, so no stage's names are another's with a suffix: the role policy grants
# the log groups /aws/lambda/frontdesk-<stage>-*.
STAGE_NAME_RULE = "1 to 16 lowercase letters and digits, starting with a letter"

# The app's settings (chalicelib.platform.config.Settings) a stage's "environment" may set.
SETTABLE_VARIABLES = frozenset({
    "CONTACT_RATE_LIMIT", "CONTACT_RATE_WINDOW_SECONDS", "NOTIFY_MAX_ATTEMPTS",
    "OUTBOX_BACKOFF_SECONDS", "OUTBOX_CLAIM_SECONDS", "REPLY_TO", "REPLY_RATE_LIMIT",
    "REPLY_RATE_WINDOW_SECONDS", "MAX_REPLIES_PER_MESSAGE", "EXPORT_MAX_ROWS",
    "EXPORT_MAX_BYTES", "MAX_BODY_BYTES", "CAPTCHA_PROVIDER", "CAPTCHA_SITE_KEY",
    "CAPTCHA_VERIFY_URL", "CHAT_FORMAT", "CONTACT_REDIRECT_OK", "CONTACT_REDIRECT_ERROR",
    "AKISMET_BLOG", "AKISMET_URL"})
# The ones it may not, and why.
UNSETTABLE_VARIABLES = {
    **dict.fromkeys(("STAGE", "TABLE_NAME", "TABLE_STREAM_ARN", "USER_POOL_ID",
                     "USER_POOL_CLIENT_ID", "USER_POOL_ARN", "ATTACHMENTS_BUCKET", "FILES_URL"),
                    "make deploy sets it from the stage's name and its resources stack"),
    "FILES_KEY_PARAMETER": "make deploy sets it to the version of /frontdesk/<stage>/files-key "
                           "the files distribution holds",
    "MAIL_FROM": "make deploy sets it from mailFrom",
    "RETENTION_DAYS": "make deploy sets it from retentionDays",
    "AUDIT_RETENTION_DAYS": "make deploy sets it from auditRetentionDays",
    "AUDIT_SALT_PARAMETER": "the stage's role may read only /frontdesk/<stage>/audit-salt",
    "SITE_NAME": "make deploy sets it from branding.siteName",
    "MAIL_SUBJECT_PREFIX": "make deploy sets it from branding.subjectPrefix",
    "REPLY_SIGNATURE": "make deploy sets it from branding.replySignature",
    "TIME_ZONE": "make deploy sets it from branding.timeZone",
    "DASHBOARD_LINK": "make deploy sets it from branding.dashboardLink",
    "SPAM_RULES": "make deploy sets it from spamRules",
    "SPAM_RETENTION_DAYS": "make deploy sets it from spamRetentionDays",
    "OWNER_EMAIL": "make deploy sets it from ownerEmail",
    "ALLOWED_ORIGINS": "make deploy sets it: the site's own origins, then allowedOrigins",
    "SITE_URL": "make deploy sets it: the site's own address (its first origin)",
    "CAPTCHA_SECRET_PARAMETER": "the stage's role may read only /frontdesk/<stage>/captcha-secret",
    "CHAT_WEBHOOK_PARAMETER": "the stage's role may read only /frontdesk/<stage>/chat-webhook",
    "AKISMET_KEY_PARAMETER": "the stage's role may read only /frontdesk/<stage>/akismet-key",
    "LOCAL_API_KEY": "only make dev uses it; deployed, API Gateway checks the keys",
    "COGNITO_JWKS_URL": "only make dev uses it; deployed, API Gateway verifies the tokens",
}
SES_IDENTITY = re.compile(r"([^@\s<>*?]+@)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+",
                          re.IGNORECASE)


class SettingsError(ValueError):
    """The settings file cannot give this stage; the message says what to fix."""


def settings_file(environ: Mapping[str, str] | None = None) -> Path:
    """The owner's settings file: FRONTDESK_SETTINGS, else frontdesk.json at the root."""
    value = (os.environ if environ is None else environ).get(SETTINGS_ENV, "").strip()
    return Path(value) if value else SETTINGS_FILE


def stack_name(stage: str) -> str:
    return f"{APP_NAME}-{stage}-resources"


@dataclass(frozen=True)
class StageConfig:
    name: str
    mail_from: str
    owner_email: str
    ses_identity: str
    alarm_email: str
    throttle_rate_limit: float
    throttle_burst_limit: int
    quota_limit: int
    quota_period: str
    mfa: str

    # The site's own domain: an ACM certificate (us-east-1) and the names it covers.
    site_certificate_arn: str = ""
    site_aliases: tuple[str, ...] = ()
    # Alarm when a message has waited this long for its notification.
    oldest_pending_alarm_minutes: int = 30
    # Origins allowed besides the site's own (which deploy adds), e.g. a local frontend.
    extra_allowed_origins: tuple[str, ...] = ()
    xray: bool = False
    # The app's own optional settings (SETTABLE_VARIABLES), as the function's environment.
    environment: Mapping[str, str] = field(default_factory=dict)
    # The site's name, mail subject prefix, reply signature, time zone and dashboard link.
    branding: Branding = DEFAULT_BRANDING
    # Days a message is kept (chalicelib/core/retention.py); 0: forever.
    retention_days: int = DEFAULT_RETENTION_DAYS
    # Days the functions' log lines are kept (infra/log_retention.py); 0: forever.
    log_retention_days: int = DEFAULT_LOG_DAYS
    # Days an audit entry is kept (chalicelib/audit); 0: forever.
    audit_retention_days: int = AUDIT_DAYS
    # Minutes an ID token is valid (the pool client's IdTokenValidity).
    id_token_minutes: int = DEFAULT_ID_TOKEN_MINUTES
    # The spam rules' seed (a document; empty: none) and how long spam is kept.
    spam_rules: Mapping[str, Any] = field(default_factory=dict)
    spam_retention_days: int = 30

    def spam_environment(self) -> dict[str, str]:
        """SPAM_RULES and SPAM_RETENTION_DAYS, as the function reads them."""
        seed = {"SPAM_RULES": json.dumps(dict(self.spam_rules), separators=(",", ":"))} \
            if self.spam_rules else {}
        return {**seed, "SPAM_RETENTION_DAYS": str(self.spam_retention_days)}

    @property
    def stack_name(self) -> str:
        return stack_name(self.name)

    @property
    def table_name(self) -> str:
        # Fixed by the template (TableName: frontdesk-${Stage}), which is what
        # lets the role policy name the table.
        return f"{APP_NAME}-{self.name}"

    @property
    def function_name(self) -> str:
        return f"{APP_NAME}-{self.name}"  # what Chalice names the API handler


def shown_path(path: Path) -> str:
    """The file as the owner would name it: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(PROJECT_DIR))
    except ValueError:
        return str(path)


def read_settings(path: Path) -> dict[str, Any]:
    """The whole file, or SettingsError saying in one sentence why it cannot be read."""
    name = shown_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"There is no settings file {name}: create it with `make settings`, "
                            "then set each stage's addresses in it (docs/deploy.md, "
                            "\"Stage settings\").") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{name} is not UTF-8 text.") from None
    except OSError as exc:
        raise SettingsError(f"Cannot read {name}: {exc.strerror}.") from None
    try:
        settings = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                            f"column {exc.colno}.") from None
    if not isinstance(settings, dict):
        raise SettingsError(f"{name} must hold one JSON object of stages, like "
                            "{\"prod\": {\"mailFrom\": ...}}.")
    return settings


def stage_name_problem(name: str) -> str | None:
    if name == LOCAL:
        return "this is make dev's stage, whose settings are built in; remove this entry"
    if not STAGE_NAME.fullmatch(name):
        return f"{name!r} is not a stage name: {STAGE_NAME_RULE}"
    return None


def _stage_settings(name: str, path: Path | None) -> tuple[dict[str, Any], list[str]]:
    """The stage's fields with defaults, and every problem of the file's shape
    (the stage names in it, and this stage's fields)."""
    if name == LOCAL:
        return read(LOCAL_SETTINGS, STAGE_FIELDS, name, []), []  # held valid by the tests
    if problem := stage_name_problem(name):
        raise SettingsError(f"{problem[0].upper()}{problem[1:]}.")
    path = settings_file() if path is None else path
    settings = read_settings(path)
    if name not in settings:
        raise SettingsError(f"{shown_path(path)} has no stage {name}"
                            + (f"; it has {', '.join(sorted(settings))}." if settings else "."))
    problems = [f"{other}: {why}" for other in settings
                if (why := stage_name_problem(other))]
    return read(settings[name], STAGE_FIELDS, name, problems), problems


def _stage_config(name: str, values: dict[str, Any]) -> StageConfig:
    return StageConfig(
        name=name,
        mail_from=values["mailFrom"].strip(),
        owner_email=values["ownerEmail"].strip(),
        ses_identity=values["sesIdentity"].strip(),
        alarm_email=values["alarmEmail"].strip(),
        site_certificate_arn=values["site"]["certificateArn"].strip(),
        site_aliases=tuple(values["site"]["aliases"]),
        extra_allowed_origins=tuple(values["allowedOrigins"]),
        oldest_pending_alarm_minutes=values["alarms"]["oldestPendingNotificationMinutes"],
        throttle_rate_limit=values["throttle"]["rateLimit"],
        throttle_burst_limit=values["throttle"]["burstLimit"],
        quota_limit=values["quota"]["limit"],
        quota_period=values["quota"]["period"],
        mfa=values["mfa"],
        retention_days=values["retentionDays"],
        log_retention_days=values["logRetentionDays"],
        audit_retention_days=values["auditRetentionDays"],
        id_token_minutes=values["idTokenMinutes"],
        xray=values["xray"],
        environment=dict(values["environment"]),
        branding=Branding(site_name=values["branding"]["siteName"],
                          subject_prefix=values["branding"]["subjectPrefix"],
                          reply_signature=values["branding"]["replySignature"],
                          time_zone=values["branding"]["timeZone"],
                          dashboard_link=values["branding"]["dashboardLink"]),
        spam_rules=dict(values["spamRules"]),
        spam_retention_days=values["spamRetentionDays"],
    )


def refusal(name: str, path: Path | None, problems: list[str]) -> str:
    where = shown_path(settings_file() if path is None else path)
    return (f"{where} cannot deploy {name} as it is. Fix these fields first:\n  - "
            + "\n  - ".join(problems))


def parse_stage(name: str, raw: Any) -> StageConfig:
    """One stage's settings given as JSON data rather than read from a file."""
    problems: list[str] = []
    values = read(raw, STAGE_FIELDS, name, problems)
    if problems:
        raise SettingsError(f"{name} cannot deploy as it is:\n  - " + "\n  - ".join(problems))
    return _stage_config(name, values)


def load_stage(name: str, path: Path | None = None) -> StageConfig:
    """The stage's settings (`local`: the built-in ones); SettingsError naming
    every problem of the file's shape. Placeholders pass: see check_stage."""
    values, problems = _stage_settings(name, path)
    if problems:
        raise SettingsError(refusal(name, path, problems))
    return _stage_config(name, values)


def check_stage(name: str, path: Path | None = None) -> list[str]:
    """Every problem that would stop the stage from deploying or from working,
    each as `field: sentence`; SettingsError when the file itself cannot be read.
    Offline: what `make check-config` and the start of `make deploy` run."""
    values, problems = _stage_settings(name, path)
    stage = _stage_config(name, values)
    named = {problem.split(":")[0] for problem in problems}
    problems += [p for p in stage_problems(stage) if p.split(":")[0] not in named]
    if f"{name}.environment" not in named:
        problems += environment_problems(stage)
    return problems


def mfa_mode(name: str, path: Path | None = None) -> str:
    """The stage's MFA setting; any stage, `local` included."""
    return load_stage(name, path).mfa


def stage_problems(stage: StageConfig) -> list[str]:
    """Each field that would deploy a stage that cannot work, named as it is
    written in the settings file. The deployed function refuses the same
    values at start (chalicelib.platform.config); this says so before anything is created."""
    problems = []

    def field(name: str, why: str) -> None:
        problems.append(f"{stage.name}.{name}: {why}")

    for name, value, what in (
            ("mailFrom", stage.mail_from, "the address SES sends from"),
            ("ownerEmail", stage.owner_email, "who receives contact messages"),
            ("sesIdentity", stage.ses_identity, "the SES identity (an address or domain) "
                                                "you can verify")):
        if is_placeholder_address(value):
            field(name, f"{value!r} is a placeholder; set {what}")
        elif name != "sesIdentity" and "@" not in parseaddr(value)[1]:
            field(name, f"{value!r} is not an email address")
        elif name == "sesIdentity" and not SES_IDENTITY.fullmatch(value):
            field(name, f"{value!r} is neither an email address nor a domain")
    sender = parseaddr(stage.mail_from)[1].lower()
    identity = stage.ses_identity.lower()
    if not is_placeholder_address(stage.mail_from) and "@" in sender \
            and SES_IDENTITY.fullmatch(identity) \
            and identity not in (sender, sender.rpartition("@")[2]):
        field("sesIdentity", f"{stage.ses_identity!r} does not cover mailFrom ({sender}): "
                             f"SES sends only from its identity's address or domain, so set "
                             f"{sender!r} or {sender.rpartition('@')[2]!r}")
    if stage.alarm_email and is_placeholder_address(stage.alarm_email):
        field("alarmEmail", f"{stage.alarm_email!r} is a placeholder; set a real address or \"\"")
    for origin in stage.extra_allowed_origins:
        parts = urlsplit(origin)
        if origin == "*" or not (parts.scheme in ("http", "https") and parts.netloc) \
                or parts.path not in ("", "/"):
            field("allowedOrigins", f"{origin!r} is not an origin (scheme://host[:port])")
    minutes = stage.oldest_pending_alarm_minutes
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        field("alarms.oldestPendingNotificationMinutes", f"{minutes!r} is not a whole number "
                                                         "of minutes, at least 1")
    certificate, aliases = stage.site_certificate_arn, stage.site_aliases
    if aliases and not certificate:
        field("site.certificateArn", "the aliases need an ACM certificate covering them")
    if certificate and not aliases:
        field("site.aliases", "the certificate needs the domain names it covers")
    if certificate and (is_placeholder_arn(certificate)
                        or not certificate.startswith("arn:aws:acm:us-east-1:")):
        field("site.certificateArn", f"{certificate!r} must be an ACM certificate in "
                                     "us-east-1 (CloudFront only uses those)")
    return problems


def environment_problems(stage: StageConfig) -> list[str]:
    """Each variable of the stage's "environment" that the function would
    refuse at start, or that is not the owner's to set."""
    problems = []
    where = f"{stage.name}.environment"
    for name in stage.environment:
        if name in UNSETTABLE_VARIABLES:
            problems.append(f"{where}.{name}: not settable here; {UNSETTABLE_VARIABLES[name]}")
        elif name not in SETTABLE_VARIABLES:
            close = difflib.get_close_matches(name, sorted(SETTABLE_VARIABLES), n=1)
            problems.append(f"{where}.{name}: not a setting Frontdesk reads; " + (
                f"did you mean {close[0]}?" if close
                else "see docs/deploy.md, \"Configuration per stage\""))
    settable = {k: v for k, v in stage.environment.items() if k in SETTABLE_VARIABLES}
    # Checked by the function's own Settings, one variable at a time so each is named.
    for name, value in settable.items():
        try:
            Settings.from_env({"STAGE": stage.name, name: value})
        except ConfigError as exc:
            problems.append(f"{where}.{name}: {exc}")
    if len(problems) == 0:
        # What only a deployed function checks, with what deploy itself sets made up.
        deployed = {**settable, "STAGE": stage.name, "MAIL_FROM": "a@frontdesk.invalid",
                    "OWNER_EMAIL": "b@frontdesk.invalid", "ALLOWED_ORIGINS": "https://frontdesk.invalid",
                    "USER_POOL_ID": "pool", "USER_POOL_ARN": "arn:aws:cognito-idp:r:1:userpool/p",
                    "TABLE_STREAM_ARN": "arn:aws:dynamodb:r:1:table/t/stream/s",
                    "FILES_URL": "https://files.frontdesk.invalid"}
        problems += [f"{where}: {problem}" for problem in deployed_stage_problems(deployed)]
        try:
            Settings.from_env(deployed)
        except ConfigError as exc:
            problems.append(f"{where}: {exc}")
    return problems


def example_stages() -> tuple[str, ...]:
    """The stages frontdesk.example.json defines (what `make check-package` packages)."""
    return tuple(read_settings(EXAMPLE_SETTINGS_FILE))
