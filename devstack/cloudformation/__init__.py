"""What moto's CloudFormation lacks to deploy infra/resources.yaml, taught in
one place (moto 5.2; docs/development.md, "Local parity", lists each point).

- moto implements 3 of the template's 16 resource types and skips the rest
  with a log line. Here each is a handler (cognito, apigateway, site,
  monitoring) creating the resource through moto's own service backend, and a
  type nobody handles fails the stack, named, as CloudFormation refuses a
  template with an unrecognised type.
- moto's table and bucket drop TTL, point-in-time recovery, the public-access
  block, ownership controls, CORS rules and lifecycle rules; here they are
  applied after moto creates them.
- moto has no in-place update for a table: an UpdateStack left the table's
  entry empty and every DescribeStacks after it answered 500.
- A resource whose condition turns true (or false) on update is created (or
  deleted), and a stack whose resource fails to create rolls back
  (ROLLBACK_COMPLETE, the reason in its events) instead of answering 500.
- A resource whose condition is false is not listed as an empty resource.
- A resource that cannot be deleted leaves the stack DELETE_FAILED.
- Deploying the same template and parameters again is "No updates are to be
  performed", as on AWS (moto updated whenever a parameter was a Number).
- A parameter value outside the template's AllowedValues, AllowedPattern,
  MinValue/MaxValue or MinLength/MaxLength is refused, as on AWS.
- An item of a list that is `AWS::NoValue` (`!If [cond, item, !Ref
  AWS::NoValue]`) is left out of the list, as on AWS; moto kept a None there.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation.custom_model import CustomModel
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.s3.models import FakeBucket, s3_backends

# moto builds its type map from CloudFormationModel's subclasses on first use;
# build it before the handlers below exist, then add them to it by type.
_MODEL_MAP = parsing.get_model_map()
_NAME_TYPES = parsing.get_name_type_map()

from devstack.cloudformation import apigateway, cognito, monitoring, site  # noqa: E402
from devstack.cloudformation.base import StackResource  # noqa: E402

HANDLERS: tuple[type[StackResource], ...] = (
    cognito.UserPool, cognito.UserPoolClient, cognito.UserPoolGroup,
    apigateway.UsagePlan, apigateway.ApiKey, apigateway.UsagePlanKey,
    site.BucketPolicy, site.OriginAccessControl, site.ResponseHeadersPolicy, site.Distribution,
    site.Function,
    monitoring.Alarm, monitoring.Subscription, monitoring.EmailIdentity,
)


def unhandled_types(template: dict[str, Any]) -> list[str]:
    """The template's resource types that neither moto nor devstack creates."""
    types = {resource.get("Type", "") for resource in (template.get("Resources") or {}).values()}
    return sorted(t for t in types if t not in _MODEL_MAP and t not in parsing.NULL_MODELS
                  and not t.startswith("Custom::"))


def _refuse_unhandled(template_body: str) -> None:
    unknown = unhandled_types(cfn_models.Stack.parse_template(template_body))
    if unknown:
        raise ValidationError(message="Template format error: Unrecognized resource types: "
                                      f"[{', '.join(unknown)}] (the embedded AWS has no "
                                      "handler for them: devstack/cloudformation)")


def parameter_problem(template: dict[str, Any], given: dict[str, Any]) -> str | None:
    """The first parameter value the template's constraints refuse, worded as
    CloudFormation words it (moto checks none of them)."""
    for name, declared in (template.get("Parameters") or {}).items():
        value = given.get(name, declared.get("Default"))
        if value is None:
            continue
        text = str(value)
        values = text.split(",") if declared.get("Type") == "CommaDelimitedList" else [text]
        allowed = declared.get("AllowedValues")
        if allowed is not None and any(v not in [str(a) for a in allowed] for v in values):
            return f"Parameter '{name}' must be one of AllowedValues"
        pattern = declared.get("AllowedPattern")
        if pattern is not None and not all(re.fullmatch(pattern, v) for v in values):
            return f"Parameter '{name}' must match pattern {pattern}"
        if declared.get("Type") == "Number":
            try:
                number = float(text)
            except ValueError:
                return f"Parameter '{name}' must be a number"
            if "MinValue" in declared and number < float(declared["MinValue"]):
                return f"Parameter '{name}' must be a number not less than {declared['MinValue']}"
            if "MaxValue" in declared and number > float(declared["MaxValue"]):
                return f"Parameter '{name}' must be a number not greater than {declared['MaxValue']}"
        if "MinLength" in declared and len(text) < int(declared["MinLength"]):
            return f"Parameter '{name}' must contain at least {declared['MinLength']} characters"
        if "MaxLength" in declared and len(text) > int(declared["MaxLength"]):
            return f"Parameter '{name}' must contain at most {declared['MaxLength']} characters"
    return None


def _refuse_bad_parameters(template_body: str, given: dict[str, Any]) -> None:
    problem = parameter_problem(cfn_models.Stack.parse_template(template_body), given)
    if problem:
        raise ValidationError(message=problem)


_moto_clean_json = parsing.clean_json


def _clean_json(resource_json: Any, resources_map: parsing.ResourceMap) -> Any:
    """moto's, but a list drops its AWS::NoValue items (moto resolves that to None)."""
    if isinstance(resource_json, list):
        return [item for item in (_clean_json(value, resources_map) for value in resource_json)
                if item is not None]
    return _moto_clean_json(resource_json, resources_map)


def _resource_class_from_type(resource_type: str) -> Any:
    if resource_type in parsing.NULL_MODELS:
        return None
    if resource_type.startswith("Custom::"):
        return CustomModel
    if resource_type not in _MODEL_MAP:  # moto: a warning, and the resource skipped
        raise ValidationError(message=f"Unrecognized resource type: {resource_type}")
    return _MODEL_MAP[resource_type]


# --- the table and bucket properties moto drops ------------------------------------

def _apply_table_extras(table: Table, properties: dict[str, Any], account_id: str,
                        region: str) -> None:
    backend = dynamodb_backends[account_id][region]
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        backend.update_time_to_live(table.name, ttl)
    pitr = properties.get("PointInTimeRecoverySpecification")
    if pitr is not None:
        backend.update_continuous_backups(table.name, {
            "PointInTimeRecoveryEnabled": bool(pitr.get("PointInTimeRecoveryEnabled"))})
    table.deletion_protection_enabled = bool(properties.get("DeletionProtectionEnabled", False))


_moto_create_table = Table.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def _create_table(cls: type[Table], /, resource_name: str, cloudformation_json: dict[str, Any],
                  account_id: str, region_name: str, **kwargs: Any) -> Table:
    table: Table = _moto_create_table(cls, resource_name, cloudformation_json, account_id,
                                      region_name, **kwargs)
    _apply_table_extras(table, cloudformation_json.get("Properties", {}), account_id,
                        region_name)
    return table


def _update_table(cls: type[Table], /, original_resource: Table, new_resource_name: str,
                  cloudformation_json: dict[str, Any], account_id: str,
                  region_name: str) -> Table:
    """In place, as CloudFormation updates a table: its items stay. A key
    schema change needs a replacement, which the template never asks for; a
    global secondary index may be added or removed, one per update, as
    CloudFormation allows (moto's own update ignores the indexes)."""
    properties = cloudformation_json.get("Properties", {})
    if properties.get("TableName", original_resource.name) != original_resource.name:
        raise ValidationError(message="CloudFormation cannot update a stack when a "
                                      "custom-named resource requires replacing")
    _update_indexes(original_resource, properties, account_id, region_name)
    if "StreamSpecification" in properties:
        original_resource.set_stream_specification(
            {"StreamEnabled": True, **properties["StreamSpecification"]})
    _apply_table_extras(original_resource, properties, account_id, region_name)
    return original_resource


def _update_indexes(table: Table, properties: dict[str, Any], account_id: str,
                    region: str) -> None:
    wanted = {i["IndexName"]: i for i in properties.get("GlobalSecondaryIndexes") or []}
    have = {i.name: i for i in table.global_indexes}
    created, deleted = sorted(set(wanted) - set(have)), sorted(set(have) - set(wanted))
    if len(created) + len(deleted) > 1:
        raise ValidationError(message="Cannot perform more than one GSI creation or deletion "
                                      "in a single update")
    for name in set(wanted) & set(have):
        if wanted[name]["KeySchema"] != have[name].schema:
            raise ValidationError(message="Cannot update GSI's properties other than "
                                          "Provisioned Throughput and Contributor Insights "
                                          "Specification. You can create a new GSI with a "
                                          "different name.")
    updates = [{"Create": wanted[name]} for name in created] + \
        [{"Delete": {"IndexName": name}} for name in deleted]
    if updates:
        backend = dynamodb_backends[account_id][region]
        table.attr = list(properties.get("AttributeDefinitions") or table.attr)
        backend.update_table_global_indexes(table, updates)


def _apply_bucket_extras(bucket: FakeBucket, properties: dict[str, Any], account_id: str,
                         partition: str) -> None:
    backend = s3_backends[account_id][partition]
    block = properties.get("PublicAccessBlockConfiguration")
    if block:
        backend.put_public_access_block(bucket.name, dict(block))
    rules = (properties.get("OwnershipControls") or {}).get("Rules") or []
    if rules:
        backend.put_bucket_ownership_controls(bucket.name, rules[0]["ObjectOwnership"])
    cors = (properties.get("CorsConfiguration") or {}).get("CorsRules") or []
    if cors:
        backend.put_bucket_cors(bucket.name, [api_cors_rule(rule) for rule in cors])
    lifecycle = (properties.get("LifecycleConfiguration") or {}).get("Rules") or []
    if lifecycle:
        backend.put_bucket_lifecycle(bucket.name, [api_lifecycle_rule(rule) for rule in lifecycle])


def api_cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation CorsRule as moto's S3 takes the API's (its XML names)."""
    api: dict[str, Any] = {"AllowedMethod": list(rule["AllowedMethods"]),
                           "AllowedOrigin": list(rule["AllowedOrigins"])}
    for cfn, xml in (("AllowedHeaders", "AllowedHeader"), ("ExposedHeaders", "ExposeHeader")):
        if rule.get(cfn):
            api[xml] = list(rule[cfn])
    if "MaxAge" in rule:
        api["MaxAgeSeconds"] = str(rule["MaxAge"])
    if "Id" in rule:
        api["ID"] = str(rule["Id"])
    return api


def api_lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation lifecycle Rule as moto's S3 takes the API's."""
    api: dict[str, Any] = {"ID": rule.get("Id"), "Status": rule["Status"],
                           "Filter": {"Prefix": rule.get("Prefix", "")}}
    if "ExpirationInDays" in rule:
        api["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "AbortIncompleteMultipartUpload" in rule:
        api["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])}
    return api


_moto_create_bucket = FakeBucket.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
_moto_update_bucket = FakeBucket.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]


def _create_bucket(cls: type[FakeBucket], /, resource_name: str, cloudformation_json: Any,
                   account_id: str, region_name: str, **kwargs: Any) -> FakeBucket:
    bucket: FakeBucket = _moto_create_bucket(cls, resource_name, cloudformation_json,
                                             account_id, region_name, **kwargs)
    _apply_bucket_extras(bucket, cloudformation_json.get("Properties", {}), account_id,
                         bucket.partition)
    return bucket


def _update_bucket(cls: type[FakeBucket], /, original_resource: Any, new_resource_name: str,
                   cloudformation_json: Any, account_id: str, region_name: str) -> FakeBucket:
    bucket: FakeBucket = _moto_update_bucket(cls, original_resource, new_resource_name,
                                             cloudformation_json, account_id, region_name)
    _apply_bucket_extras(bucket, cloudformation_json.get("Properties", {}), account_id,
                         bucket.partition)
    return bucket


# --- stacks: failures roll back; conditions re-evaluated on update ------------------

def _event(stack: cfn_models.Stack, logical_id: str, resource_type: str, status: str,
           reason: str | None) -> None:
    stack.events.append(cfn_models.Event(
        stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=logical_id,
        physical_resource_id="", resource_type=resource_type, resource_status=status,
        resource_status_reason=reason, resource_properties=None))


def _failed_resource(stack: cfn_models.Stack) -> tuple[str, str]:
    """The first resource of the template that the stack does not hold."""
    created = stack.resource_map._parsed_resources
    for logical_id, resource in stack.template_dict.get("Resources", {}).items():
        condition = resource.get("Condition")
        if condition and not stack.resource_map.lazy_condition_map[condition]:
            continue
        if logical_id not in created:
            return logical_id, str(resource.get("Type", ""))
    return stack.name, "AWS::CloudFormation::Stack"


_moto_create_resources = cfn_models.Stack.create_resources


def _create_resources(self: cfn_models.Stack) -> None:
    try:
        _moto_create_resources(self)
    except Exception as error:  # any handler's failure, as CloudFormation reports it
        logical_id, resource_type = _failed_resource(self)
        _event(self, logical_id, resource_type, "CREATE_FAILED", f"{type(error).__name__}: {error}")
        self.status = "ROLLBACK_IN_PROGRESS"
        try:
            self.resource_map.delete()
        except Exception:  # noqa: S110 (what could not be deleted is left, as DELETE_FAILED would)
            pass
        self.status = "ROLLBACK_COMPLETE"
        self._add_stack_event("ROLLBACK_COMPLETE")


_moto_update = cfn_models.Stack.update


def _update(self: cfn_models.Stack, template: str, role_arn: str | None = None,
            parameters: dict[str, Any] | None = None,
            tags: dict[str, str] | None = None) -> None:
    _refuse_bad_parameters(template, parameters or {})  # before anything changes, as AWS
    resources = self.resource_map
    try:
        diffed = resources.build_resource_diff(self.parse_template(template), parameters)
        before = _resolved_properties(resources)
        _moto_update(self, template, role_arn, parameters, tags)
        _follow_conditions(resources)
        _follow_parameters(resources, before, set(diffed["Modify"]) | set(diffed["Add"]))
        self.output_map = self._create_output_map()
    except Exception as error:  # as CloudFormation reports a failed update
        _event(self, self.name, "AWS::CloudFormation::Stack", "UPDATE_FAILED",
               f"{type(error).__name__}: {error}")
        self.status = "UPDATE_ROLLBACK_COMPLETE"
        self._add_stack_event("UPDATE_ROLLBACK_COMPLETE")


def _resolved_properties(resources: parsing.ResourceMap) -> dict[str, Any]:
    """Each created resource's properties with parameters, conditions and
    references resolved, as they stand now."""
    resolved = {}
    for logical_id, resource_json in resources._resource_json_map.items():
        if resources._parsed_resources.get(logical_id) is not None:
            resolved[logical_id] = parsing.clean_json(resource_json.get("Properties", {}),
                                                      resources)
    return resolved


def _follow_parameters(resources: parsing.ResourceMap, before: dict[str, Any],
                       done: set[str]) -> None:
    """moto's update finds a changed parameter only where a property says
    {"Ref": parameter}; one reached through a condition (Fn::If) or a Fn::Sub
    is missed. Update every resource whose resolved properties changed."""
    after = _resolved_properties(resources)
    for logical_id, properties in after.items():
        if logical_id in done or before.get(logical_id, properties) == properties:
            continue
        changed = parsing.parse_and_update_resource(
            logical_id, resources._resource_json_map[logical_id], resources,
            account_id=resources._account_id, region_name=resources._region_name)
        if changed is not None:
            resources._parsed_resources[logical_id] = changed


def _follow_conditions(resources: parsing.ResourceMap) -> None:
    """moto's update diffs the template only: a resource whose Condition
    changed with a parameter is neither created nor deleted there."""
    for logical_id, resource_json in resources._resource_json_map.items():
        condition = resource_json.get("Condition")
        if not condition:
            continue
        wanted = bool(resources.lazy_condition_map[condition])
        exists = resources._parsed_resources.get(logical_id) is not None
        if wanted and not exists:
            resources[logical_id]  # creates it
        elif exists and not wanted:
            resources._delete_resource(resources._parsed_resources.pop(logical_id), resource_json)


_moto_delete_stack = cfn_models.CloudFormationBackend.delete_stack


def _delete_stack(self: cfn_models.CloudFormationBackend, name_or_stack_id: str) -> None:
    """A resource that cannot be deleted leaves the stack DELETE_FAILED, the
    reason in its events, as on AWS (moto answered 500 and forgot the stack)."""
    stacks = [s for s in self.stacks.values() if name_or_stack_id in (s.stack_id, s.name)]
    try:
        _moto_delete_stack(self, name_or_stack_id)
    except Exception as error:
        for stack in stacks:
            self.stacks[stack.stack_id] = stack
            self.deleted_stacks.pop(stack.stack_id, None)
            _event(stack, stack.name, "AWS::CloudFormation::Stack", "DELETE_FAILED",
                   f"{type(error).__name__}: {error}")
            stack.status = "DELETE_FAILED"


def _validate_different_update(self: CloudFormationResponse,
                               incoming_params: list[dict[str, Any]] | None, stack_body: str,
                               old_stack: cfn_models.Stack) -> None:
    """The same template and parameters are "No updates are to be performed."
    moto compared the new parameters, as given (strings), with the resolved
    ones (numbers, lists), so any Number parameter made every deploy an update."""
    if not stack_body or old_stack.template != stack_body:
        return
    given = self._get_param_values(incoming_params or [], old_stack.parameters)
    if given == dict(old_stack.parameters):
        raise ValidationError(old_stack.name, message="No updates are to be performed.")


def _stack_resources(self: cfn_models.Stack) -> list[Any]:
    """moto lists a resource whose condition is false as an empty entry."""
    return [resource for resource in self.resource_map.values() if resource is not None]


def _checked(method: Callable[..., Any]) -> Callable[..., Any]:
    """moto's responses pass the template by keyword."""
    def check_then_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(kwargs.get("template"), str):
            _refuse_unhandled(kwargs["template"])
            if isinstance(kwargs.get("parameters"), dict):
                _refuse_bad_parameters(kwargs["template"], kwargs["parameters"])
        return method(self, *args, **kwargs)
    return check_then_call


_installed = False


def install() -> None:
    """Teach moto's CloudFormation (every account and region). Idempotent."""
    global _installed
    if _installed:
        return
    _installed = True
    for handler in HANDLERS:
        _MODEL_MAP[handler.TYPE] = handler
        _NAME_TYPES[handler.TYPE] = handler.NAME_PROPERTY
    parsing.resource_class_from_type = _resource_class_from_type
    parsing.clean_json = _clean_json  # moto's own calls, recursion included, find it here
    Table.create_from_cloudformation_json = classmethod(_create_table)  # type: ignore[assignment]
    Table.update_from_cloudformation_json = classmethod(_update_table)  # type: ignore[assignment]
    FakeBucket.create_from_cloudformation_json = classmethod(_create_bucket)  # type: ignore[assignment]
    FakeBucket.update_from_cloudformation_json = classmethod(_update_bucket)  # type: ignore[assignment]
    cfn_models.Stack.create_resources = _create_resources  # type: ignore[method-assign]
    cfn_models.Stack.update = _update  # type: ignore[method-assign]
    cfn_models.Stack.stack_resources = property(_stack_resources)  # type: ignore[assignment]
    CloudFormationResponse._validate_different_update = _validate_different_update  # type: ignore[method-assign]
    backend = cfn_models.CloudFormationBackend
    backend.delete_stack = _delete_stack  # type: ignore[method-assign]
    backend.create_stack = _checked(backend.create_stack)  # type: ignore[method-assign]
    backend.update_stack = _checked(backend.update_stack)  # type: ignore[method-assign]
    backend.create_change_set = _checked(backend.create_change_set)  # type: ignore[method-assign]
