"""Reading infra/resources.yaml in tests, intrinsic functions (!Ref, !Sub) included."""
from __future__ import annotations

import json
from typing import Any

from cfnlint.decode import cfn_yaml

from infra.stages import TEMPLATE_FILE

# The resource types of our template that moto's CloudFormation can create.
MOTO_SUPPORTED = {"AWS::DynamoDB::Table", "AWS::SNS::Topic"}


def resources_template() -> dict[str, Any]:
    return dict(cfn_yaml.loads(TEMPLATE_FILE.read_text()))


def moto_deployable(template: dict[str, Any]) -> str:
    """The real template cut down to what moto's CloudFormation implements
    (it has no Cognito, SES, usage plan or alarm resources), with the outputs
    that refer only to what is left."""
    kept = {name: r for name, r in template["Resources"].items() if r["Type"] in MOTO_SUPPORTED}

    def refers_to_kept(value: Any) -> bool:
        target = value.get("Ref") or (value.get("Fn::GetAtt") or [None])[0]
        return target in kept

    outputs = {name: o for name, o in template["Outputs"].items() if refers_to_kept(o["Value"])}
    return json.dumps({**template, "Resources": kept, "Outputs": outputs})
