"""How long each function's log is kept: the stage's `logRetentionDays`, set on
every function's log group by `make deploy` after `chalice deploy`.

Lambda writes to `/aws/lambda/<function name>`, a group it creates on the
first invocation, kept forever. Logs can hold personal data (a log line must
not, and tests/observability/test_log_privacy.py holds the app to it, but a
traceback or an AWS error message is not ours to shape), so a stage keeps them
for `logRetentionDays` (30 unless set; 0 keeps them forever, CloudWatch's own
default). Why here and not elsewhere:
- Chalice's `log_retention_in_days` names the API handler's group
  `/aws/lambda/<app>-<stage>-api_handler`, where the function it deploys is
  `<app>-<stage>` (chalice/deploy/appgraph.py): it would miss the API's log;
- an AWS::Logs::LogGroup in the resources stack fails on every existing stage,
  whose groups Lambda has already made ("already exists"), and the stack would
  have to know the function names Chalice gives.
So deploy creates each group that does not exist yet (a new stage: before the
first invocation, so no line is ever kept forever) and puts the policy on it,
every deploy (a changed setting takes effect then).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# What CloudWatch Logs accepts as retentionInDays (PutRetentionPolicy).
ALLOWED_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                2192, 2557, 2922, 3288, 3653)
DEFAULT_DAYS = 30
FOREVER = 0


def log_group(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


def apply(logs: Any, function_names: Iterable[str], days: int) -> list[str]:
    """Each function's log group made if missing and kept `days` (0: forever);
    returns the groups."""
    groups = [log_group(name) for name in function_names]
    for group in groups:
        try:
            logs.create_log_group(logGroupName=group)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass
        if days == FOREVER:
            logs.delete_retention_policy(logGroupName=group)
        else:
            logs.put_retention_policy(logGroupName=group, retentionInDays=days)
    return groups
