"""Per-stage deploy settings, from infra/stages.json.

These configure the resources stack; the app's own per-stage settings stay in
.chalice/config.json.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

INFRA_DIR = Path(__file__).resolve().parent
PROJECT_DIR = INFRA_DIR.parent
STAGES_FILE = INFRA_DIR / "stages.json"
TEMPLATE_FILE = INFRA_DIR / "resources.yaml"
DEPLOYABLE_STAGES = ("dev", "prod")
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
    # The site's own domain: an ACM certificate (us-east-1) and the names it covers.
    site_certificate_arn: str = ""
    site_aliases: tuple[str, ...] = ()
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
        throttle_rate_limit=raw["throttle"]["rateLimit"],
        throttle_burst_limit=raw["throttle"]["burstLimit"],
        quota_limit=raw["quota"]["limit"],
        quota_period=raw["quota"]["period"],
        site_certificate_arn=raw.get("site", {}).get("certificateArn", ""),
        site_aliases=tuple(raw.get("site", {}).get("aliases", ())),
        extra_allowed_origins=tuple(raw.get("allowedOrigins", ())),
    )
