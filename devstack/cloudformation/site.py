"""The web site's resources: AWS::S3::BucketPolicy, and CloudFront's
OriginAccessControl, Distribution, ResponseHeadersPolicy and Function, as far
as moto's CloudFront models them."""
from __future__ import annotations

import json
import uuid
from typing import Any

from moto.cloudfront.models import (
    CloudFrontBackend,
    CloudFrontFunction,
    DistributionConfig,
    cloudfront_backends,
)
from moto.s3.exceptions import MissingBucket
from moto.s3.models import S3Backend, s3_backends

from devstack.cloudformation.base import StackResource, Where
from devstack.cloudformation.stand_ins import StandIn


def _s3(where: Where) -> S3Backend:
    return s3_backends[where.account_id][where.partition]


def _cloudfront(where: Where) -> CloudFrontBackend:
    return cloudfront_backends[where.account_id][where.partition]


class BucketPolicy(StackResource):
    TYPE = "AWS::S3::BucketPolicy"

    @classmethod
    def create(cls, where: Where, name: str, properties: dict[str, Any]) -> BucketPolicy:
        bucket = str(properties["Bucket"])
        _s3(where).put_bucket_policy(bucket, json.dumps(properties["PolicyDocument"]).encode())
        return cls(where, bucket, properties)

    def change(self, properties: dict[str, Any]) -> BucketPolicy:
        if properties["Bucket"] != self.physical_id:
            return super().change(properties)
        _s3(self.where).put_bucket_policy(
            self.physical_id, json.dumps(properties["PolicyDocument"]).encode())
        self.properties = properties
        return self

    def remove(self) -> None:
        try:
            _s3(self.where).delete_bucket_policy(self.physical_id)
        except MissingBucket:
            pass


class OriginAccessControl(StackResource):
    TYPE = "AWS::CloudFront::OriginAccessControl"
    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, where: Where, name: str,
               properties: dict[str, Any]) -> OriginAccessControl:
        control = _cloudfront(where).create_origin_access_control(
            dict(properties["OriginAccessControlConfig"]))
        return cls(where, control.id, properties, {"Id": control.id})

    def change(self, properties: dict[str, Any]) -> OriginAccessControl:
        _cloudfront(self.where).update_origin_access_control(
            self.physical_id, dict(properties["OriginAccessControlConfig"]))
        self.properties = properties
        return self

    def remove(self) -> None:
        _cloudfront(self.where).origin_access_controls.pop(self.physical_id, None)


class ResponseHeadersPolicy(StandIn):
    """moto's CloudFront has no response headers policies: a recorded stand-in
    (devstack/cloudformation/stand_ins.py) with a CloudFront-shaped id."""
    TYPE = "AWS::CloudFront::ResponseHeadersPolicy"
    ATTRIBUTES = ("Id", "LastModifiedTime")

    @classmethod
    def create(cls, where: Where, name: str,
               properties: dict[str, Any]) -> ResponseHeadersPolicy:
        policy_id = str(uuid.uuid4())
        return cls(where, policy_id, cls.record(policy_id, properties),
                   {"Id": policy_id, "LastModifiedTime": "2026-01-01T00:00:00Z"})


def _api_list(items: list[Any]) -> dict[str, Any]:
    return {"Quantity": len(items), "Items": items}


# Where CloudFormation's spelling of a DistributionConfig key differs from the API's.
_API_NAMES = {"IPV6Enabled": "IsIPV6Enabled", "AcmCertificateArn": "ACMCertificateArn",
              "SslSupportMethod": "SSLSupportMethod", "IamCertificateId": "IAMCertificateId"}


def distribution_config_for_api(config: dict[str, Any], caller_reference: str) -> dict[str, Any]:
    """CloudFormation writes lists as lists; the API as {Quantity, Items}."""
    api = {_API_NAMES.get(key, key): value for key, value in config.items()}
    api["CallerReference"] = caller_reference
    for key in ("Aliases", "CustomErrorResponses", "Origins", "CacheBehaviors"):
        if key in api:
            api[key] = _api_list(list(api[key]))
    for origin in api["Origins"]["Items"]:
        custom = origin.get("CustomOriginConfig")
        if custom and "OriginSSLProtocols" in custom:
            custom["OriginSslProtocols"] = _api_list(list(custom.pop("OriginSSLProtocols")))
    if "ViewerCertificate" in api:
        api["ViewerCertificate"] = {_API_NAMES.get(key, key): value
                                    for key, value in api["ViewerCertificate"].items()}
    behaviours = [api["DefaultCacheBehavior"], *api.get("CacheBehaviors", {}).get("Items", [])]
    for behaviour in behaviours:
        methods = behaviour.get("AllowedMethods")
        if isinstance(methods, list):
            behaviour["AllowedMethods"] = {
                **_api_list(methods), "CachedMethods": _api_list(behaviour.pop(
                    "CachedMethods", ["GET", "HEAD"]))}
    return api


class Distribution(StackResource):
    TYPE = "AWS::CloudFront::Distribution"
    ATTRIBUTES = ("DomainName", "Id")

    @classmethod
    def create(cls, where: Where, name: str, properties: dict[str, Any]) -> Distribution:
        config = properties["DistributionConfig"]
        reference = f"{where.stack_name}-{where.logical_id}-{uuid.uuid4().hex[:12]}"
        distribution, _, _ = _cloudfront(where).create_distribution(
            distribution_config_for_api(json.loads(json.dumps(config)), reference), [])
        _keep_origin_access_controls(distribution.distribution_config, config)
        _keep_function_associations(distribution.distribution_config, config)
        return cls(where, distribution.distribution_id, properties,
                   {"DomainName": distribution.domain_name, "Id": distribution.distribution_id},)

    def change(self, properties: dict[str, Any]) -> Distribution:
        # In place: the id and domain name stay, as CloudFormation updates a distribution.
        distribution = _cloudfront(self.where).distributions[self.physical_id]
        config = properties["DistributionConfig"]
        distribution.distribution_config = DistributionConfig(distribution_config_for_api(
            json.loads(json.dumps(config)), distribution.distribution_config.caller_reference))
        _keep_origin_access_controls(distribution.distribution_config, config)
        _keep_function_associations(distribution.distribution_config, config)
        self.properties = properties
        return self

    def remove(self) -> None:
        _cloudfront(self.where).distributions.pop(self.physical_id, None)


def _keep_origin_access_controls(created: DistributionConfig, config: dict[str, Any]) -> None:
    """moto's Origin drops OriginAccessControlId; put it back on each origin."""
    by_id = {origin["Id"]: origin.get("OriginAccessControlId", "") for origin in config["Origins"]}
    for origin in created.Origins["Items"]:  # type: ignore[attr-defined]
        origin.origin_access_control_id = by_id.get(origin.id, "")


def _keep_function_associations(created: DistributionConfig, config: dict[str, Any]) -> None:
    """moto's cache behaviours drop FunctionAssociations; put them back on each."""
    behaviours = [created.DefaultCacheBehavior,  # type: ignore[attr-defined]
                  *created.CacheBehaviors.get("Items", [])]  # type: ignore[attr-defined]
    written = [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]
    for behaviour, source in zip(behaviours, written, strict=True):
        associations = source.get("FunctionAssociations", [])
        behaviour.function_associations = _api_list(
            [{"FunctionARN": a["FunctionARN"], "EventType": a["EventType"]}
             for a in associations]) if associations else {"Quantity": 0}


class Function(StackResource):
    """A CloudFront Function through moto's own (create, describe, get, delete).
    moto has no PublishFunction: AutoPublish puts it in the LIVE stage here, as
    CloudFormation publishes it on AWS. Its code is kept, not run (a test runs
    the template's code with Node.js: tests/infra/test_form_page_route.py)."""
    TYPE = "AWS::CloudFront::Function"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("FunctionARN", "FunctionMetadata.FunctionARN", "Stage")

    @classmethod
    def create(cls, where: Where, name: str, properties: dict[str, Any]) -> Function:
        function = _cloudfront(where).create_function(
            name, dict(properties["FunctionConfig"]), str(properties["FunctionCode"]).encode(), [])
        _publish(function, properties)
        return cls(where, function.arn, properties, _function_attributes(function))

    def change(self, properties: dict[str, Any]) -> Function:
        if properties["Name"] != self.properties["Name"]:
            return super().change(properties)  # a new name is a new function, as on AWS
        function = _cloudfront(self.where).describe_function(str(properties["Name"]))
        function.config = dict(properties["FunctionConfig"])
        function.code = str(properties["FunctionCode"]).encode()
        _publish(function, properties)
        self.properties = properties
        self.attributes = _function_attributes(function)
        return self

    def remove(self) -> None:
        _cloudfront(self.where).functions.pop(str(self.properties["Name"]), None)


def _publish(function: CloudFrontFunction, properties: dict[str, Any]) -> None:
    published = str(properties.get("AutoPublish", False)).lower() == "true"
    function.stage, function.status = ("LIVE", "DEPLOYED") if published else (
        "DEVELOPMENT", "UNPUBLISHED")


def _function_attributes(function: CloudFrontFunction) -> dict[str, str]:
    return {"FunctionARN": function.arn, "FunctionMetadata.FunctionARN": function.arn,
            "Stage": function.stage}
