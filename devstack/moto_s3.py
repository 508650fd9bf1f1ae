"""What moto's S3 gets wrong about bucket policy conditions, patched in one place.

moto 5.2 checks a bucket policy's statements without evaluating their
conditions the way S3 does: an operator it does not know (`Bool`, so
`aws:SecureTransport`) counts as met, so the site bucket's "deny anything not
over TLS" statement denies every object request; and a statement whose
condition it cannot evaluate is a Deny whatever its Effect.

Here a statement applies only when its conditions hold for the request, as
in IAM's evaluation, with the request context the local endpoint can give:
- `aws:SecureTransport` is true. The local endpoint answers plain HTTP only
  because it is on this machine; it stands for AWS's endpoints, which botocore
  and browsers always reach over TLS. (On AWS a plain-HTTP request is denied by
  such a statement.)
- Any other key (`aws:SourceArn`, `aws:SourceIp`, ...) is absent: a condition
  on it does not hold, except with `...IfExists`, a negated operator
  (`StringNotEquals`...) and `Null: true`, as IAM's documentation says. So the
  CloudFront-only Allow does not apply to a local caller, as on AWS.
The rest of the statement (action, resource, principal) moto still judges.
"""
from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping
from typing import Any

from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.s3.models import FakeBucket

REQUEST_CONTEXT = {"aws:securetransport": "true"}
NEGATED = {"StringNotEquals": "StringEquals", "StringNotLike": "StringLike",
           "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
           "ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike"}


def _values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in items]


def _matches(operator: str, expected: list[str], actual: str) -> bool:
    if operator in ("StringEquals", "ArnEquals"):
        return actual in expected
    if operator == "StringEqualsIgnoreCase":
        return actual.lower() in (e.lower() for e in expected)
    if operator in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(actual, e) for e in expected)
    if operator == "Bool":
        return actual.lower() in (e.lower() for e in expected)
    raise KeyError(operator)


def condition_holds(operator: str, key: str, expected_value: Any,
                    context: Mapping[str, str]) -> bool:
    """One operator and key of a Condition block, as IAM evaluates it."""
    expected = _values(expected_value)
    actual = context.get(key.lower())
    if operator == "Null":  # "true": the key must be absent
        return (actual is None) == (expected[0].lower() == "true")
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists").split(":")[-1]  # ForAnyValue: one value here
    if actual is None:  # a negated operator holds for an absent key
        return if_exists or operator in NEGATED
    try:
        if operator in NEGATED:
            return not _matches(NEGATED[operator], expected, actual)
        return _matches(operator, expected, actual)
    except KeyError:
        return False  # an operator this does not model never grants nor denies


def conditions_hold(conditions: Mapping[str, Mapping[str, Any]],
                    context: Mapping[str, str] = REQUEST_CONTEXT) -> bool:
    return all(condition_holds(operator, key, expected, context)
               for operator, keys in conditions.items() for key, expected in keys.items())


def get_permission(self: FakeBucket, action: str, resource: str) -> PermissionResult:
    if self.policy is None:
        return PermissionResult.NEUTRAL
    statements = json.loads(self.policy.decode())["Statement"]
    permitted = False
    for statement in statements if isinstance(statements, list) else [statements]:
        if not conditions_hold(statement.get("Condition", {})):
            continue
        unconditional = {k: v for k, v in statement.items() if k != "Condition"}
        result = IAMPolicyStatement(unconditional).is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            return result
        permitted = permitted or result == PermissionResult.PERMITTED
    return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL


def install() -> None:
    """Patch moto's S3 buckets (every account and region). Idempotent."""
    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]
