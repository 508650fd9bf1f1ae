"""What `make deploy` writes into .chalice/config.json for the functions
themselves: the architecture they run on and the Powertools layer."""
from __future__ import annotations

import json
from typing import Any

from infra.chalice_config import lambda_architecture, powertools_layer_arn, with_layers
from infra.stages import DEPLOYABLE_STAGES, PROJECT_DIR


def committed_config() -> dict[str, Any]:
    return dict(json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text()))


def test_every_deployed_stage_runs_on_arm64() -> None:
    config = committed_config()
    assert [lambda_architecture(config, stage) for stage in DEPLOYABLE_STAGES] == ["arm64", "arm64"]


def test_the_layer_arn_follows_aws_public_pattern() -> None:
    arn = powertools_layer_arn("eu-west-1", "arm64", python="python312")
    prefix, _, version = arn.rpartition(":")
    assert prefix == ("arn:aws:lambda:eu-west-1:017000801446:layer:"
                      "AWSLambdaPowertoolsPythonV3-python312-arm64")
    assert version.isdigit()


def test_the_layer_is_written_for_the_stage_region_and_architecture() -> None:
    config = committed_config()
    written = with_layers(config, "prod", "ap-southeast-2")
    assert written["stages"]["prod"]["layers"] == [powertools_layer_arn("ap-southeast-2", "arm64")]
    assert "layers" not in written["stages"]["dev"]
    assert config == committed_config()  # the input is left as it was


def test_a_stage_on_x86_gets_the_x86_layer() -> None:
    config = committed_config()
    config["stages"]["dev"]["lambda_architecture"] = "x86_64"
    (layer,) = with_layers(config, "dev", "us-east-1")["stages"]["dev"]["layers"]
    assert "-x86_64:" in layer
