"""Reading infra/resources.yaml in tests, intrinsic functions (!Ref, !Sub) included."""
from __future__ import annotations

from typing import Any

from cfnlint.decode import cfn_yaml

from infra.stages import TEMPLATE_FILE


def resources_template() -> dict[str, Any]:
    return dict(cfn_yaml.loads(TEMPLATE_FILE.read_text()))
