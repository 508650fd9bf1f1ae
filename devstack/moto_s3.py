"""What moto's S3 gets wrong about bucket policy conditions and browser POST
uploads, patched in one place.

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

moto 5.2 stores whatever a browser-based POST upload sends: it reads no
policy. S3 checks the POST's policy document before it stores anything
(`post_policy_problem` below, as S3's "Browser-based uploads using POST" says):
- a POST without a policy is anonymous: refused (the bucket grants nobody);
- a policy past its `expiration` is refused;
- every condition must hold: exact ones (`{"key": ...}`, `["eq", "$name", ...]`),
  `starts-with`, and `content-length-range` on the file's size (400
  EntityTooLarge or EntityTooSmall);
- every form field but the exempt ones must have a condition ("Extra input
  fields").
It does not check the POST's signature (moto checks none of any request's;
on AWS a policy not signed with the caller's key is refused).
"""
from __future__ import annotations

import base64
import binascii
import fnmatch
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response

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


# Form fields S3 needs no condition for.
EXEMPT_FIELDS = frozenset({"policy", "x-amz-signature", "file", "signature", "awsaccesskeyid"})


class PostRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _condition_failed(condition: Any) -> PostRefused:
    return PostRefused(403, "AccessDenied", "Invalid according to Policy: Policy Condition "
                                            f"failed: {json.dumps(condition)}")


def check_post_policy(fields: Mapping[str, str], bucket: str, file_size: int,
                      now: datetime) -> None:
    """Raise PostRefused where S3 refuses this POST upload (its form fields,
    the file's size) to `bucket`."""
    if "policy" not in {name.lower() for name in fields}:
        raise PostRefused(403, "AccessDenied", "Access Denied")
    given = {name.lower(): value for name, value in fields.items()}
    try:
        policy = json.loads(base64.b64decode(given["policy"], validate=True))
        expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
        conditions = list(policy["conditions"])
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
        raise PostRefused(400, "InvalidPolicyDocument",
                          "Invalid Policy: Invalid JSON.") from None
    if expiration <= now:
        raise PostRefused(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    values = {**given, "bucket": bucket}
    covered = {"bucket"}
    for condition in conditions:
        if isinstance(condition, dict):
            ((name, expected),) = condition.items()
            operator, name = "eq", name.lower()
        elif isinstance(condition, list) and condition and condition[0] == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if file_size > high:
                raise PostRefused(400, "EntityTooLarge",
                                  "Your proposed upload exceeds the maximum allowed size")
            if file_size < low:
                raise PostRefused(400, "EntityTooSmall",
                                  "Your proposed upload is smaller than the minimum allowed size")
            continue
        else:
            operator, name, expected = condition[0].lower(), condition[1].lstrip("$").lower(), \
                condition[2]
        covered.add(name)
        actual = values.get(name)
        if actual is None or not (actual == expected if operator == "eq"
                                  else actual.startswith(expected)):
            raise _condition_failed(condition)
    extra = sorted(name for name in given if name not in covered and name not in EXEMPT_FIELDS
                   and not name.startswith("x-ignore-"))
    if extra:
        raise PostRefused(403, "AccessDenied", "Invalid according to Policy: Extra input "
                                               f"fields: {', '.join(extra)}")


def _error(refused: PostRefused) -> tuple[int, dict[str, str], str]:
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>'
            f"{refused.code}</Code><Message>{refused.message}</Message></Error>")
    return refused.status, {"Content-Type": "application/xml"}, body


_moto_post: Callable[..., Any] = S3Response._bucket_response_post


def _bucket_response_post(self: S3Response, request: Any, bucket_name: str) -> Any:
    form = getattr(request, "form", None) or {}
    if "key" in form:  # a browser-based POST upload (a batch delete has no form)
        size = len(self.raw_body) if isinstance(self.raw_body, bytes | str) else 0
        try:
            check_post_policy(dict(form.items()), bucket_name, size, datetime.now(UTC))
        except PostRefused as refused:
            return _error(refused)
    return _moto_post(self, request, bucket_name)


def install() -> None:
    """Patch moto's S3 buckets (every account and region) and POST uploads. Idempotent."""
    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]
    S3Response._bucket_response_post = _bucket_response_post  # type: ignore[method-assign]
