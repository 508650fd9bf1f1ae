"""Each deployed stage's IAM role policy: infra/policy.template.json with the
stage's names put in, generated at deploy and never kept in the repository.

The template names the stage's own resources through `${Stage}` (its table,
log groups and SSM parameters) and `${SesIdentity}` (the identity the stage's
settings name), so a deploy can grant no other sender than the settings say.
The X-Ray statement is kept only for a stage that traces.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from infra.stages import INFRA_DIR, StageConfig

POLICY_TEMPLATE = INFRA_DIR / "policy.template.json"
XRAY_STATEMENT = "XRayTracing"
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def policy_file_name(stage: str) -> str:
    """The name Chalice's `iam_policy_file` gives, in the deploy copy's .chalice/."""
    return f"policy-{stage}.json"


def _substitute(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        def put(match: re.Match[str]) -> str:
            if match.group(1) not in values:
                raise ValueError(f"{POLICY_TEMPLATE.name} names ${{{match.group(1)}}}, "
                                 f"which is none of {', '.join(values)}")
            return values[match.group(1)]
        return PLACEHOLDER.sub(put, value)
    if isinstance(value, list):
        return [_substitute(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, values) for key, item in value.items()}
    return value


def stage_policy(stage: StageConfig, template: Path = POLICY_TEMPLATE) -> dict[str, Any]:
    policy = json.loads(template.read_text())
    policy["Statement"] = [s for s in policy["Statement"]
                           if stage.xray or s.get("Sid") != XRAY_STATEMENT]
    return dict(_substitute(policy, {"Stage": stage.name, "SesIdentity": stage.ses_identity}))
