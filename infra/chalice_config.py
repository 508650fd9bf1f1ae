"""Feed the resources stack's outputs into .chalice/config.json.

`chalice deploy` reads each stage's environment_variables from that file, so
writing the outputs there (rather than passing them on the command line) means
`chalice package` and a later plain `chalice deploy` see the same values. The
file is rewritten in place; only the named variables of the one stage change.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from infra.site import allowed_origins as site_allowed_origins
from infra.stages import StageConfig


def stage_environment(stage: StageConfig, outputs: dict[str, str]) -> dict[str, str]:
    return {
        "ALLOWED_ORIGINS": ",".join(site_allowed_origins(stage, outputs)),
        "TABLE_NAME": outputs["TableName"],
        "TABLE_STREAM_ARN": outputs["TableStreamArn"],
        "USER_POOL_ID": outputs["UserPoolId"],
        "USER_POOL_CLIENT_ID": outputs["UserPoolClientId"],
        "USER_POOL_ARN": outputs["UserPoolArn"],
        "MAIL_FROM": stage.mail_from,
        "OWNER_EMAIL": stage.owner_email,
    }


def lambda_architecture(config: dict[str, Any], stage: str) -> str:
    """The stage's, else the app's, else Chalice's default, as Chalice reads it."""
    return str(config["stages"][stage].get("lambda_architecture",
                                           config.get("lambda_architecture", "x86_64")))


def without_layers(config: dict[str, Any], stage: str) -> dict[str, Any]:
    """Deploys before the EMF writer replaced Powertools wrote its layer into the
    stage; nothing imports it now, and an unused layer still lengthens the init."""
    updated = copy.deepcopy(config)
    updated["stages"][stage].pop("layers", None)
    return updated


def with_environment(config: dict[str, Any], stage: str, values: dict[str, str]) -> dict[str, Any]:
    updated = copy.deepcopy(config)
    updated["stages"][stage].setdefault("environment_variables", {}).update(values)
    return updated


def read_config(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def write_config(config: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(config, indent=2) + "\n")


def allowed_origins(config: dict[str, Any], stage: str) -> tuple[str, ...]:
    stage_env = config["stages"][stage].get("environment_variables", {})
    value = stage_env.get("ALLOWED_ORIGINS", config.get("environment_variables", {}).get(
        "ALLOWED_ORIGINS", ""))
    return tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())


def api_gateway_stage(config: dict[str, Any], stage: str) -> str:
    return str(config["stages"][stage].get("api_gateway_stage",
                                           config.get("api_gateway_stage", "api")))


def captcha(config: dict[str, Any], stage: str) -> dict[str, str] | None:
    """The stage's CAPTCHA as the web config names it ({provider, siteKey}), or None."""
    stage_env = config["stages"][stage].get("environment_variables", {})
    provider = stage_env.get("CAPTCHA_PROVIDER", "").strip().lower()
    if not provider:
        return None
    return {"provider": provider, "siteKey": stage_env.get("CAPTCHA_SITE_KEY", "").strip()}
