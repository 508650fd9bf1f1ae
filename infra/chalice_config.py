"""A deployed stage's Chalice config, generated at deploy: never written into
the repository, so pulling a new version never conflicts with a deploy.

The tracked .chalice/config.json holds what every stage shares and the local
stage (`make dev`, the tests). A deployed stage's entry comes from the owner's
settings (infra/stages.py) and its resources stack's outputs: the environment
variables, X-Ray, and the role policy (infra/policy.py). `stage_files` makes
the two files Chalice reads; deploy writes them under build/ and hands them to
the copy of the project Chalice runs in (infra/packaging.py).
"""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from infra.policy import policy_file_name, stage_policy
from infra.site import allowed_origins as site_allowed_origins
from infra.site import site_url
from infra.stages import PROJECT_DIR, StageConfig

CONFIG_FILE = PROJECT_DIR / ".chalice" / "config.json"


def stage_environment(stage: StageConfig, outputs: dict[str, str] | None,
                      files_key_parameter: str | None = None) -> dict[str, str]:
    """The functions' environment: the owner's optional settings, then what
    deploy sets itself. `outputs` None: before the stack exists (packaging);
    `files_key_parameter`: the download-link key's `<name>:<version>`
    (infra/files_key.py), the one the files distribution holds."""
    environment = {**stage.environment, "STAGE": stage.name, "TABLE_NAME": stage.table_name,
                   "MAIL_FROM": stage.mail_from, "OWNER_EMAIL": stage.owner_email,
                   "RETENTION_DAYS": str(stage.retention_days),
                   "AUDIT_RETENTION_DAYS": str(stage.audit_retention_days),
                   **stage.branding.to_env(), **stage.spam_environment()}
    if outputs is not None:
        environment.update({
            "ALLOWED_ORIGINS": ",".join(site_allowed_origins(stage, outputs)),
            "SITE_URL": site_url(stage, outputs),
            "TABLE_NAME": outputs["TableName"],
            "ATTACHMENTS_BUCKET": outputs["AttachmentsBucketName"],
            "TABLE_STREAM_ARN": outputs["TableStreamArn"],
            "USER_POOL_ID": outputs["UserPoolId"],
            "USER_POOL_CLIENT_ID": outputs["UserPoolClientId"],
            "USER_POOL_ARN": outputs["UserPoolArn"],
        })
        if outputs.get("FilesDomainName"):
            environment["FILES_URL"] = f"https://{outputs['FilesDomainName']}"
    if files_key_parameter:
        environment["FILES_KEY_PARAMETER"] = files_key_parameter
    return environment


def stage_config(base: dict[str, Any], stage: StageConfig,
                 outputs: dict[str, str] | None,
                 files_key_parameter: str | None = None) -> dict[str, Any]:
    """The tracked config with the one deployed stage as its only stage."""
    config = copy.deepcopy(base)
    config["stages"] = {stage.name: {
        "iam_policy_file": policy_file_name(stage.name),
        "xray": stage.xray,
        "environment_variables": stage_environment(stage, outputs, files_key_parameter),
    }}
    return config


def stage_files(base: dict[str, Any], stage: StageConfig,
                outputs: dict[str, str] | None,
                files_key_parameter: str | None = None) -> dict[str, dict[str, Any]]:
    """File name -> content of what Chalice reads from .chalice/ for the stage."""
    return {"config.json": stage_config(base, stage, outputs, files_key_parameter),
            policy_file_name(stage.name): stage_policy(stage)}


def write_files(directory: Path, files: dict[str, dict[str, Any]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_text(json.dumps(content, indent=2) + "\n")


def lambda_architecture(config: dict[str, Any], stage: str) -> str:
    """The stage's, else the app's, else Chalice's default, as Chalice reads it."""
    return str(config["stages"][stage].get("lambda_architecture",
                                           config.get("lambda_architecture", "x86_64")))


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
