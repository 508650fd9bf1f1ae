"""The local AWS applies a bucket policy's statements only when their conditions
hold, as S3 does (devstack/moto_s3.py): the site bucket's TLS-only Deny and
CloudFront-only Allow leave a signed local caller free to publish the site."""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from devstack.moto_s3 import condition_holds
from tests.infra.templates import resources_template

ACCOUNT = "123456789012"


def site_policy(bucket: str) -> dict[str, Any]:
    """infra/resources.yaml's SiteBucketPolicy, its !Sub and !GetAtt filled in."""
    document = resources_template()["Resources"]["SiteBucketPolicy"]["Properties"]["PolicyDocument"]
    arn = f"arn:aws:s3:::{bucket}"

    def filled(value: Any) -> Any:
        if isinstance(value, dict) and "Fn::Sub" in value:
            return (value["Fn::Sub"].replace("${SiteBucket.Arn}", arn)
                    .replace("${AWS::Partition}", "aws").replace("${AWS::AccountId}", ACCOUNT)
                    .replace("${SiteDistribution}", "E2EXAMPLE"))
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            return arn
        if isinstance(value, dict):
            return {k: filled(v) for k, v in value.items()}
        if isinstance(value, list):
            return [filled(v) for v in value]
        return value

    return dict(filled(json.loads(json.dumps(document))))


@pytest.fixture
def s3(local_aws: Any) -> Any:
    return local_aws.session.client("s3")


@pytest.fixture
def bucket(s3: Any) -> Iterator[str]:
    name = f"site-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name
    s3.delete_bucket_policy(Bucket=name)
    for item in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=item["Key"])
    s3.delete_bucket(Bucket=name)


def deny_all(bucket: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                 "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def test_the_site_bucket_policy_lets_a_signed_caller_over_tls_publish_and_read(
        s3: Any, bucket: str) -> None:
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(site_policy(bucket)))

    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<!doctype html>",
                  ContentType="text/html; charset=utf-8")

    assert s3.head_object(Bucket=bucket, Key="index.html")["ContentType"] == \
        "text/html; charset=utf-8"
    assert s3.get_object(Bucket=bucket, Key="index.html")["Body"].read() == b"<!doctype html>"


def test_a_deny_whose_condition_holds_still_denies(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        deny_all(bucket, {"Bool": {"aws:SecureTransport": "true"}})))

    with pytest.raises(ClientError) as denied:
        s3.head_object(Bucket=bucket, Key="a.txt")

    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_deny_without_condition_denies(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(deny_all(bucket)))

    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="a.txt")


def test_a_deny_on_a_key_the_request_lacks_does_not_apply(s3: Any, bucket: str) -> None:
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(
        deny_all(bucket, {"StringEquals": {"aws:SourceArn": "arn:aws:cloudfront::1:distribution/E"}})))

    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")

    assert s3.get_object(Bucket=bucket, Key="a.txt")["Body"].read() == b"a"


@pytest.mark.parametrize(("operator", "key", "expected", "holds"), [
    ("Bool", "aws:SecureTransport", "false", False),
    ("Bool", "aws:SecureTransport", True, True),
    ("Bool", "AWS:SECURETRANSPORT", "true", True),
    ("StringEquals", "aws:SourceArn", "arn:x", False),
    ("StringNotEquals", "aws:SourceArn", "arn:x", True),
    ("StringNotEquals", "aws:SecureTransport", "true", False),
    ("StringLike", "aws:SecureTransport", "tr*", True),
    ("StringEqualsIfExists", "aws:SourceArn", "arn:x", True),
    ("Null", "aws:SourceArn", "true", True),
    ("Null", "aws:SecureTransport", "true", False),
    ("NumericLessThan", "aws:SecureTransport", "1", False),
])
def test_condition_operators_follow_iam(operator: str, key: str, expected: Any, holds: bool) -> None:
    assert condition_holds(operator, key, expected, {"aws:securetransport": "true"}) is holds
