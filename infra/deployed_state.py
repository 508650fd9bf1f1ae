"""What a stage has deployed, read back from AWS, so deploy can say whether it
changed anything.

Each part is described by what it is, not by the ids AWS hands out anew:
`chalice deploy` re-imports the API (new resource and authorizer ids) and
updates every function (new revision ids and modification times), and deploy
makes a new deployment of the API stage each time; none of these is a change.
What is compared: the resources stack (template, parameters, outputs), each
function's code and configuration and its role's policies, its event sources
and schedules, the API (methods with their authorization and integration,
authorizers, gateway responses, the stage's settings), the usage plan and the
site bucket's files.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

# Configuration fields that change on every update, whatever was updated.
VOLATILE = {"LastModified", "RevisionId", "LastUpdateStatus", "LastUpdateStatusReason",
            "LastUpdateStatusReasonCode", "State", "StateReason", "StateReasonCode",
            "ResponseMetadata", "Version"}
DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
          "UnrecognizedClientException")
PARTS = ("resources stack", "functions", "event sources", "API", "usage plan", "site files")


def _missing(exc: ClientError) -> bool:
    code = exc.response["Error"]["Code"]
    return code in ("ResourceNotFoundException", "NotFoundException", "NoSuchEntity",
                    "NoSuchBucket", "ValidationError")


def _or_none(read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """What `read(*args, **kwargs)` returns, or None when the thing it reads does not exist."""
    try:
        return read(*args, **kwargs)
    except ClientError as exc:
        if _missing(exc):
            return None
        raise


def _stack(cloudformation: Any, stack_name: str) -> dict[str, Any] | None:
    stacks = _or_none(lambda: cloudformation.describe_stacks(StackName=stack_name)["Stacks"])
    if not stacks:
        return None
    described = stacks[0]
    return {
        "template": _or_none(lambda: cloudformation.get_template(StackName=stack_name)["TemplateBody"]),
        "parameters": sorted((p["ParameterKey"], p.get("ParameterValue", ""))
                             for p in described.get("Parameters", [])),
        "outputs": sorted((o["OutputKey"], o["OutputValue"]) for o in described.get("Outputs", [])),
    }


def _role_policies(iam: Any, role_arn: str) -> dict[str, Any] | None:
    name = role_arn.rsplit("/", 1)[-1]
    names = _or_none(lambda: iam.list_role_policies(RoleName=name)["PolicyNames"])
    if names is None:
        return None
    return {policy: iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
            for policy in sorted(names)}


def _functions(lambda_: Any, iam: Any, arns: list[str]) -> dict[str, Any]:
    described: dict[str, Any] = {}
    for arn in arns:
        configuration = _or_none(lambda_.get_function_configuration, FunctionName=arn)
        if configuration is None:
            described[arn] = None
            continue
        kept = {k: v for k, v in configuration.items() if k not in VOLATILE}
        if iam is not None:
            kept["rolePolicies"] = _role_policies(iam, configuration["Role"])
        described[arn] = kept
    return described


def _event_sources(lambda_: Any, events: Any, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    described: dict[str, Any] = {}
    for record in records:
        if record.get("resource_type") == "lambda_function":
            listed = _or_none(lambda_.list_event_source_mappings, FunctionName=record["lambda_arn"])
            mappings = listed["EventSourceMappings"] if listed else []
            described[record["name"]] = sorted(
                (m.get("EventSourceArn", ""), m.get("BatchSize"), m.get("State")) for m in mappings)
        elif record.get("resource_type") == "cloudwatch_event" and events is not None:
            rule = _or_none(events.describe_rule, Name=record["rule_name"])
            described[record["name"]] = None if rule is None else (
                rule.get("ScheduleExpression"), rule.get("EventPattern"), rule.get("State"))
    return described


def _api(apigateway: Any, api_id: str, api_stage: str) -> dict[str, Any] | None:
    api = _or_none(lambda: apigateway.get_rest_api(restApiId=api_id))
    if api is None:
        return None
    authorizers = {a["id"]: a for a in apigateway.get_authorizers(restApiId=api_id)["items"]}
    methods = {}
    for resource in apigateway.get_resources(restApiId=api_id, limit=500)["items"]:
        for verb in resource.get("resourceMethods", {}):
            method = apigateway.get_method(restApiId=api_id, resourceId=resource["id"],
                                           httpMethod=verb)
            integration = method.get("methodIntegration", {})
            methods[f"{verb} {resource['path']}"] = (
                method.get("authorizationType"),
                authorizers.get(method.get("authorizerId", ""), {}).get("name"),
                bool(method.get("apiKeyRequired")),
                integration.get("type"), integration.get("uri"))
    stage = _or_none(lambda: apigateway.get_stage(restApiId=api_id, stageName=api_stage)) or {}
    return {
        "settings": {k: api.get(k) for k in ("name", "binaryMediaTypes", "apiKeySource",
                                             "endpointConfiguration", "policy")},
        "methods": methods,
        "authorizers": sorted((a["name"], a["type"], tuple(a.get("providerARNs", [])),
                               a.get("identitySource")) for a in authorizers.values()),
        "gatewayResponses": sorted(
            (r["responseType"], r.get("statusCode"), json.dumps(r.get("responseParameters", {}),
                                                                 sort_keys=True),
             json.dumps(r.get("responseTemplates", {}), sort_keys=True))
            for r in apigateway.get_gateway_responses(restApiId=api_id, limit=500)["items"]
            if not r.get("defaultResponse")),
        "stage": {k: stage.get(k) for k in ("variables", "tracingEnabled", "methodSettings")},
    }


def _usage_plan(apigateway: Any, plan_id: str, api_id: str | None) -> dict[str, Any] | None:
    plan = _or_none(lambda: apigateway.get_usage_plan(usagePlanId=plan_id))
    if plan is None:
        return None
    return {"apiStages": sorted(("this API" if s["apiId"] == api_id else s["apiId"], s["stage"])
                                for s in plan.get("apiStages", [])),
            "throttle": plan.get("throttle"), "quota": plan.get("quota")}


def _site_files(s3: Any, bucket: str) -> dict[str, str] | None:
    def read() -> dict[str, str]:
        files: dict[str, str] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            files.update({o["Key"]: o["ETag"] for o in page.get("Contents", [])})
        return files
    return _or_none(read)  # type: ignore[no-any-return]


def read(aws: Any, stack_name: str, api_stage: str,
         records: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The stage as deployed. `aws`: infra.deploy.AwsClients; `records`: what
    `chalice deploy` recorded (infra.deploy.recorded_resources). None when
    nothing can be told: `aws` has no Lambda client, or the credentials may
    deploy but not read something back (then deploy goes on, silent on it)."""
    if aws.lambda_ is None:
        return None
    try:
        return _read(aws, stack_name, api_stage, records)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in DENIED:
            return None
        raise


def _read(aws: Any, stack_name: str, api_stage: str,
          records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    state: dict[str, Any] = {"resources stack": _stack(aws.cloudformation, stack_name)}
    outputs = dict((state["resources stack"] or {}).get("outputs", []))
    api_id = next((str(r["rest_api_id"]) for r in records
                   if r.get("resource_type") == "rest_api"), None)
    state["functions"] = _functions(aws.lambda_, aws.iam, [
        str(r["lambda_arn"]) for r in records if r.get("resource_type") == "lambda_function"])
    state["event sources"] = _event_sources(aws.lambda_, aws.events, records)
    state["API"] = None if api_id is None else _api(aws.apigateway, api_id, api_stage)
    if "UsagePlanId" in outputs:
        state["usage plan"] = _usage_plan(aws.apigateway, outputs["UsagePlanId"], api_id)
    if aws.s3 is not None and "SiteBucketName" in outputs:
        state["site files"] = _site_files(aws.s3, outputs["SiteBucketName"])
    return state


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str] | None:
    """The parts that differ, in PARTS order; None when either state is unknown."""
    if before is None or after is None:
        return None
    return [part for part in PARTS if (part in before or part in after)
            and json.dumps(before.get(part), sort_keys=True, default=str)
            != json.dumps(after.get(part), sort_keys=True, default=str)]
