"""Judge recorded AWS calls against an IAM policy document.

Two small pieces: what IAM authorises for a call (action and resource ARN,
after translating the test world's resource names to a stage's), and whether a
policy's Allow statements match it and no Deny does (IAM's `*` and `?`
wildcards; the policies use no NotAction, NotResource, a Condition only on the
one KMS grant and on the one Deny, the audit log's, whose
`ForAnyValue:StringLike` on `dynamodb:LeadingKeys` is judged against the
item's partition key; tests/iam asserts both).
"""
from __future__ import annotations

import email
import email.utils
import re
from dataclasses import dataclass, field
from typing import Any

from tests.support.aws_calls import AwsCall

# Placeholders: the committed policies use `*` for region and account.
REGION, ACCOUNT = "us-east-1", "123456789012"

# Granted for the Lambda runtime, the X-Ray daemon and the DynamoDB stream's
# event source mapping (Lambda polls the stream with the function's role), not
# called by our code.
STREAM_ACTIONS = frozenset({"dynamodb:DescribeStream", "dynamodb:GetRecords",
                            "dynamodb:GetShardIterator", "dynamodb:ListStreams"})
RUNTIME_ACTIONS = frozenset({"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                             "xray:PutTraceSegments", "xray:PutTelemetryRecords"}) | STREAM_ACTIONS

# Used by SSM on the function's behalf to decrypt a SecureString (the grant's
# kms:ViaService condition allows nothing else); our code never calls KMS.
VIA_SSM_ACTIONS = frozenset({"kms:Decrypt"})

# Used by a visitor's browser through the presigned POST the function signs
# (S3 authorises it as the signer's PutObject); botocore records no call for
# signing one. tests/iam/test_presigned.py checks it is granted.
PRESIGNED_ACTIONS = frozenset({"s3:PutObject"})

# TransactWriteItems has no IAM action of its own: each item is authorised as
# the single-item action it performs, on its own table.
TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                    "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


@dataclass(frozen=True)
class World:
    """How the test session's resource names map to one stage's."""
    tables: dict[str, str]  # test table name -> stage table name
    senders: dict[str, str]  # test sender address -> stage sender address
    parameters: dict[str, str] = field(default_factory=dict)  # SSM names, test -> stage
    buckets: dict[str, str] = field(default_factory=dict)  # test bucket -> stage bucket

    def table(self, name: str) -> str:
        return self.tables.get(name, name)


@dataclass(frozen=True)
class IamRequest:
    action: str
    resources: tuple[str, ...]  # allowed if any one of them is allowed (SES identities)
    call: AwsCall
    leading_key: str | None = None  # a DynamoDB item's partition key (dynamodb:LeadingKeys)


def _leading_key(body: dict[str, Any]) -> str | None:
    key = body.get("Key") or body.get("Item") or {}
    value = key.get("pk", {})
    return value.get("S") if isinstance(value, dict) else None


def _table_arn(world: World, table: str, index: str | None = None) -> str:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{world.table(table)}"
    return f"{arn}/index/{index}" if index else arn


def _ses_identities(world: World, call: AwsCall) -> tuple[str, ...]:
    params = call.params
    sender = params.get("Source") or params.get("FromEmailAddress")
    if not sender and "RawMessage" in params:
        sender = email.message_from_bytes(params["RawMessage"]["Data"]).get("From")
    address = email.utils.parseaddr(sender or "")[1]
    address = world.senders.get(address, address)
    domain = address.partition("@")[2]
    return tuple(f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{identity}"
                 for identity in (address, domain) if identity)


def iam_requests(call: AwsCall, world: World) -> list[IamRequest]:
    params, op = call.params, call.operation
    if call.service == "dynamodb":
        if op in ("TransactWriteItems", "TransactGetItems"):
            requests = []
            for item in params["TransactItems"]:
                (kind, body), = item.items()
                requests.append(IamRequest(f"dynamodb:{TRANSACT_ACTIONS[kind]}",
                                           (_table_arn(world, body["TableName"]),), call,
                                           _leading_key(body)))
            return requests
        if op in ("BatchWriteItem", "BatchGetItem"):
            return [IamRequest(f"dynamodb:{op}", (_table_arn(world, t),), call)
                    for t in params["RequestItems"]]
        if "TableName" in params:
            return [IamRequest(f"dynamodb:{op}",
                               (_table_arn(world, params["TableName"], params.get("IndexName")),),
                               call, _leading_key(params))]
    if call.service == "ses":
        return [IamRequest(f"ses:{op}", _ses_identities(world, call), call)]
    if call.service == "ssm" and "Name" in params:
        # A version selector (`name:3`) is authorised as the parameter itself.
        name = params["Name"].partition(":")[0]
        name = world.parameters.get(name, name)
        return [IamRequest(f"ssm:{op}",
                           (f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{name.lstrip('/')}",), call)]
    if call.service == "s3" and "Bucket" in params:
        return _s3_requests(call, world)
    if call.service == "cognito-idp" and "UserPoolId" in params:
        return [IamRequest(f"cognito-idp:{op}",
                           (f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{params['UserPoolId']}",),
                           call)]
    # Anything else: no resource mapping yet, so only a `*` resource would allow it.
    # Add a branch above when the app starts calling such a service.
    return [IamRequest(f"{call.service}:{op}", ("*",), call)]


# S3 authorises each object operation as an action on the object's ARN:
# HeadObject is GetObject; DeleteObjects is DeleteObject on each key; CopyObject
# is GetObject on the source and PutObject on the target.
S3_ACTIONS = {"HeadObject": "GetObject", "GetObject": "GetObject", "PutObject": "PutObject",
              "DeleteObject": "DeleteObject"}


def _s3_requests(call: AwsCall, world: World) -> list[IamRequest]:
    params = call.params

    def arn(bucket: str, key: str) -> tuple[str, ...]:
        return (f"arn:aws:s3:::{world.buckets.get(bucket, bucket)}/{key}",)

    bucket = params["Bucket"]
    if call.operation == "CreateBucket":
        # Never sent: botocore builds a presigned POST's endpoint from this
        # operation's model (the POST itself is PRESIGNED_ACTIONS' PutObject).
        return []
    if call.operation == "DeleteObjects":
        return [IamRequest("s3:DeleteObject", arn(bucket, o["Key"]), call)
                for o in params["Delete"]["Objects"]]
    if call.operation == "CopyObject":
        source = params["CopySource"]  # botocore has made it "bucket/key" by now
        if isinstance(source, dict):
            source = f"{source['Bucket']}/{source['Key']}"
        source_bucket, _, source_key = source.lstrip("/").partition("/")
        return [IamRequest("s3:GetObject", arn(source_bucket, source_key), call),
                IamRequest("s3:PutObject", arn(bucket, params["Key"]), call)]
    action = S3_ACTIONS.get(call.operation, call.operation)
    return [IamRequest(f"s3:{action}", arn(bucket, params.get("Key", "")), call)]


def _pattern(value: str, ignore_case: bool = False) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in value)
    return re.compile(f"^{regex}$", re.IGNORECASE if ignore_case else 0)


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def allows(policy: dict[str, Any], action: str, resource: str) -> bool:
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        if any(_pattern(a, ignore_case=True).match(action) for a in _as_list(statement["Action"])) \
                and any(_pattern(r).match(resource) for r in _as_list(statement["Resource"])):
            return True
    return False


def denies(policy: dict[str, Any], action: str, resource: str, leading_key: str | None) -> bool:
    """Whether a Deny statement matches: its action and resource, and its
    condition (only `ForAnyValue:StringLike` on `dynamodb:LeadingKeys`)."""
    for statement in policy["Statement"]:
        if statement["Effect"] != "Deny":
            continue
        if not (any(_pattern(a, ignore_case=True).match(action)
                    for a in _as_list(statement["Action"]))
                and any(_pattern(r).match(resource) for r in _as_list(statement["Resource"]))):
            continue
        condition = statement.get("Condition")
        if condition is None:
            return True
        if set(condition) != {"ForAnyValue:StringLike"} or \
                set(condition["ForAnyValue:StringLike"]) != {"dynamodb:LeadingKeys"}:
            raise ValueError(f"{statement['Sid']}: a condition this judge cannot read")
        patterns = _as_list(condition["ForAnyValue:StringLike"]["dynamodb:LeadingKeys"])
        if leading_key is not None and any(_pattern(p).match(leading_key) for p in patterns):
            return True
    return False


def allowed(policy: dict[str, Any], request: IamRequest) -> bool:
    return any(allows(policy, request.action, resource)
               and not denies(policy, request.action, resource, request.leading_key)
               for resource in request.resources)


def granted_actions(policy: dict[str, Any]) -> set[str]:
    return {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in _as_list(s["Action"])}
