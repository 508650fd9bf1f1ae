"""Create, update and delete the resources stack (infra/resources.yaml)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from infra.stages import StageConfig

WAIT = {"Delay": 10, "MaxAttempts": 180}  # up to 30 minutes; Cognito and SES are slow


class StackFailed(RuntimeError):
    pass


def stack_parameters(stage: StageConfig, api_gateway_stage: str,
                     site_headers: Mapping[str, str],
                     api_url: str | None = None, files_key: str = "") -> list[dict[str, str]]:
    """`site_headers`: infra.web_headers.security_headers(...) for this stage;
    `api_url`: the REST API's address, None before the first `chalice deploy`;
    `files_key`: the download-link key (infra/files_key.py; "" opens no link)."""
    values = {
        "Stage": stage.name,
        "SesIdentity": stage.ses_identity,
        "AlarmEmail": stage.alarm_email,
        "ContentSecurityPolicy": site_headers["Content-Security-Policy"],
        "PermissionsPolicy": site_headers["Permissions-Policy"],
        "OldestPendingNotificationAlarmSeconds": str(stage.oldest_pending_alarm_minutes * 60),
        "SiteCertificateArn": stage.site_certificate_arn,
        "SiteAliases": ",".join(stage.site_aliases),
        "ThrottleRateLimit": str(stage.throttle_rate_limit),
        "ThrottleBurstLimit": str(stage.throttle_burst_limit),
        "QuotaLimit": str(stage.quota_limit),
        "QuotaPeriod": stage.quota_period,
        "ApiGatewayStage": api_gateway_stage,
        "ApiDomain": (urlsplit(api_url).hostname or "") if api_url else "",
        "Mfa": stage.mfa,
        "IdTokenMinutes": str(stage.id_token_minutes),
        "FilesSigningKey": files_key,
        # The site's CloudFront domain the template adds itself (it is made there).
        "UploadOrigins": ",".join((*(f"https://{alias}" for alias in stage.site_aliases),
                                   *stage.extra_allowed_origins)),
    }
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]


def _status(cfn: Any, name: str) -> str | None:
    try:
        return str(cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"])
    except ClientError as exc:
        if "does not exist" in exc.response["Error"]["Message"]:
            return None
        raise


def _wait(cfn: Any, waiter: str, name: str, wait: dict[str, int]) -> None:
    try:
        cfn.get_waiter(waiter).wait(StackName=name, WaiterConfig=wait)
    except Exception as exc:  # WaiterError: say why, from the stack's own events
        events = cfn.describe_stack_events(StackName=name)["StackEvents"]
        reasons = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}"
                   for e in events if e["ResourceStatus"].endswith("FAILED")]
        raise StackFailed(f"stack {name} did not finish ({waiter}): "
                          + ("; ".join(reasons[:5]) or str(exc))) from exc


def deploy_stack(cfn: Any, stage: StageConfig, template_body: str, api_gateway_stage: str,
                 site_headers: Mapping[str, str], wait: dict[str, int] = WAIT,
                 api_url: str | None = None, files_key: str = "") -> dict[str, str]:
    """Create or update the stack; return its outputs. Idempotent."""
    name = stage.stack_name
    arguments = {"StackName": name, "TemplateBody": template_body,
                 "Parameters": stack_parameters(stage, api_gateway_stage, site_headers, api_url,
                                                files_key),
                 "Tags": [{"Key": "app", "Value": "frontdesk"}, {"Key": "stage", "Value": stage.name}]}
    status = _status(cfn, name)
    if status == "ROLLBACK_COMPLETE":
        # A stack whose creation failed can only be deleted; nothing in it exists.
        cfn.delete_stack(StackName=name)
        _wait(cfn, "stack_delete_complete", name, wait)
        status = None
    if status is None:
        cfn.create_stack(**arguments)
        _wait(cfn, "stack_create_complete", name, wait)
    else:
        try:
            cfn.update_stack(**arguments)
        except ClientError as exc:
            if "No updates are to be performed" not in exc.response["Error"]["Message"]:
                raise
        else:
            _wait(cfn, "stack_update_complete", name, wait)
    return stack_outputs(cfn, name)


def stack_outputs(cfn: Any, name: str) -> dict[str, str]:
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def existing_outputs(cfn: Any, stage: StageConfig) -> dict[str, str]:
    """The stack's outputs, or none when there is no stack."""
    return {} if _status(cfn, stage.stack_name) is None else stack_outputs(cfn, stage.stack_name)


def delete_stack(cfn: Any, stage: StageConfig, wait: dict[str, int] = WAIT) -> bool:
    """Delete the stack; False when there was none."""
    if _status(cfn, stage.stack_name) is None:
        return False
    cfn.delete_stack(StackName=stage.stack_name)
    _wait(cfn, "stack_delete_complete", stage.stack_name, wait)
    return True
