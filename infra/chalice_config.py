"""Feed the resources stack's outputs into .chalice/config.json.

`chalice deploy` reads each stage's environment_variables from that file, so
writing the outputs there (rather than passing them on the command line) means
`chalice package` and a later plain `chalice deploy` see the same values. The
file is rewritten in place; only the named variables of the one stage change.
"""
from __future__ import annotations

import copy
import json
import sys
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


# AWS publishes Powertools as a public layer in every region, from this account.
# The version is the layer AWS published for the release requirements-dev.txt
# pins, so local runs and the deployed function use the same Powertools.
POWERTOOLS_LAYER_ACCOUNT = "017000801446"
POWERTOOLS_LAYER_VERSION = 27
# Chalice deploys the runtime of the interpreter that runs it (python3.11 here).
LAMBDA_PYTHON = f"python{sys.version_info.major}{sys.version_info.minor}"


def powertools_layer_arn(region: str, architecture: str, python: str = LAMBDA_PYTHON) -> str:
    return (f"arn:aws:lambda:{region}:{POWERTOOLS_LAYER_ACCOUNT}:layer:"
            f"AWSLambdaPowertoolsPythonV3-{python}-{architecture}:{POWERTOOLS_LAYER_VERSION}")


def lambda_architecture(config: dict[str, Any], stage: str) -> str:
    """The stage's, else the app's, else Chalice's default, as Chalice reads it."""
    return str(config["stages"][stage].get("lambda_architecture",
                                           config.get("lambda_architecture", "x86_64")))


def with_layers(config: dict[str, Any], stage: str, region: str) -> dict[str, Any]:
    """The stage's functions get the Powertools layer of their region and
    architecture (a layer is per region, and must match the function's CPU)."""
    updated = copy.deepcopy(config)
    updated["stages"][stage]["layers"] = [
        powertools_layer_arn(region, lambda_architecture(config, stage))]
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
