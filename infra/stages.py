"""Per-stage deploy settings, from infra/stages.json.

These configure the resources stack; the app's own per-stage settings stay in
.chalice/config.json.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from chalicelib.config import is_placeholder_address, is_placeholder_arn

INFRA_DIR = Path(__file__).resolve().parent
PROJECT_DIR = INFRA_DIR.parent
STAGES_FILE = INFRA_DIR / "stages.json"
TEMPLATE_FILE = INFRA_DIR / "resources.yaml"
DEPLOYABLE_STAGES = ("dev", "prod")
# TOTP for the user pool: "off", "optional" (each user chooses) or "required".
# `local` (make dev) has an entry of its own holding only this setting.
MFA_MODES = ("off", "optional", "required")
APP_NAME = "frontdesk"


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

    @property
    def stack_name(self) -> str:
        return f"{APP_NAME}-{self.name}-resources"

    @property
    def table_name(self) -> str:
        # Fixed by the template (TableName: frontdesk-${Stage}), which is what
        # lets the committed IAM policy name the table.
        return f"{APP_NAME}-{self.name}"

    @property
    def function_name(self) -> str:
        return f"{APP_NAME}-{self.name}"  # what Chalice names the API handler


def stage_problems(stage: StageConfig) -> list[str]:
    """Each field of infra/stages.json that would deploy a stage that cannot
    work, named as it is written there. The deployed function refuses the same
    values at start (chalicelib.config); this says so before anything is created."""
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


def load_stage(name: str, path: Path = STAGES_FILE) -> StageConfig:
    if name not in DEPLOYABLE_STAGES:
        raise ValueError(f"STAGE must be one of {', '.join(DEPLOYABLE_STAGES)}, got {name!r}")
    raw = json.loads(path.read_text())[name]
    return StageConfig(
        name=name,
        mail_from=raw["mailFrom"],
        owner_email=raw["ownerEmail"],
        ses_identity=raw["sesIdentity"],
        alarm_email=raw.get("alarmEmail", ""),
        site_certificate_arn=raw.get("site", {}).get("certificateArn", ""),
        site_aliases=tuple(raw.get("site", {}).get("aliases", ())),
        extra_allowed_origins=tuple(raw.get("allowedOrigins", ())),
        oldest_pending_alarm_minutes=raw.get("alarms", {}).get(
            "oldestPendingNotificationMinutes", 30),
        throttle_rate_limit=raw["throttle"]["rateLimit"],
        throttle_burst_limit=raw["throttle"]["burstLimit"],
        quota_limit=raw["quota"]["limit"],
        quota_period=raw["quota"]["period"],
        mfa=mfa_mode(name, path),
    )


def mfa_mode(name: str, path: Path = STAGES_FILE) -> str:
    """The stage's MFA setting; any stage, `local` included."""
    mode = json.loads(path.read_text())[name]["mfa"]
    if mode not in MFA_MODES:
        raise ValueError(f"{path.name}: {name}.mfa must be one of {', '.join(MFA_MODES)}, got {mode!r}")
    return str(mode)
