"""What `make deploy` writes into .chalice/config.json for the functions
themselves: the architecture they run on, and no layer."""
from __future__ import annotations

import json
from typing import Any

from infra.chalice_config import lambda_architecture, without_layers
from infra.stages import DEPLOYABLE_STAGES, PROJECT_DIR


def committed_config() -> dict[str, Any]:
    return dict(json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text()))


def test_every_deployed_stage_runs_on_arm64() -> None:
    config = committed_config()
    assert [lambda_architecture(config, stage) for stage in DEPLOYABLE_STAGES] == ["arm64", "arm64"]


def test_no_stage_is_configured_with_a_layer() -> None:
    config = committed_config()
    assert "layers" not in config
    assert all("layers" not in config["stages"][stage] for stage in config["stages"])


def test_the_powertools_layer_an_earlier_deploy_wrote_is_dropped() -> None:
    config = committed_config()
    config["stages"]["prod"]["layers"] = [
        "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python311-arm64:27"]
    written = without_layers(config, "prod")
    assert "layers" not in written["stages"]["prod"]
    assert "layers" in config["stages"]["prod"]  # the input is left as it was
    assert without_layers(committed_config(), "dev") == committed_config()
