"""Record every AWS operation made in the test session, through a botocore
event hook, and tell which were made by the app's own code.

`install()` (called once from conftest.py) registers a `before-parameter-build`
handler on every botocore session created from then on (boto3's default
session, `boto3.Session()`, anything the app builds) and on the default session
if it already exists. Each call is recorded with its parameters and its
origin: "app" when the innermost project frame that made it is in chalicelib/
or app.py (code that runs in the Lambda) and not called by infra/ (the deploy),
"harness" otherwise (tests, devstack, infra). tests/iam/ judges the app's calls
against the generated role policies (infra/policy.py).
"""
from __future__ import annotations

import copy
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.session

PROJECT_DIR = Path(__file__).resolve().parents[2]
APP_CODE = ("chalicelib/", "app.py")
DEPLOY_CODE = ("infra/",)
# botocore's signing name is the IAM prefix, except for these.
IAM_PREFIX = {"monitoring": "cloudwatch"}


@dataclass(frozen=True)
class AwsCall:
    service: str  # IAM prefix: dynamodb, ses, cognito-idp, cloudwatch
    operation: str  # DescribeTable, TransactWriteItems, ...
    params: dict[str, Any]
    origin: str  # "app" or "harness"
    caller: str  # project file and line that made the call


def origin_of(filenames: Iterable[str], project_dir: Path = PROJECT_DIR) -> tuple[str, str]:
    """(origin, caller) from a call stack's file names, innermost first."""
    root = str(project_dir) + "/"
    project = [filename[len(root):] for filename in filenames
               if filename.startswith(root) and "/.venv/" not in filename
               and "/site-packages/" not in filename]
    if not project:
        return "harness", "(outside the project)"
    caller = project[0]
    # chalicelib code that the deploy runs (infra/index_upgrades.py's backfills)
    # runs with the operator's credentials, not the function's role.
    deployed_by_infra = any(name.startswith(DEPLOY_CODE) for name in project[1:])
    return ("app" if caller.startswith(APP_CODE) and not deployed_by_infra else "harness"), caller


@dataclass
class AwsCallRecorder:
    calls: list[AwsCall] = field(default_factory=list)

    def record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        frames = []
        frame = sys._getframe(1)
        while frame is not None:
            frames.append((frame.f_code.co_filename, frame.f_lineno))
            frame = frame.f_back  # type: ignore[assignment]
        origin, caller = origin_of(name for name, _ in frames)
        line = next((n for f, n in frames if f.endswith(caller)), 0)
        service = model.service_model.signing_name
        self.calls.append(AwsCall(IAM_PREFIX.get(service, service), model.name,
                                  copy.deepcopy(params), origin, f"{caller}:{line}"))

    def app_calls(self) -> list[AwsCall]:
        return [call for call in self.calls if call.origin == "app"]


RECORDER = AwsCallRecorder()
_installed = False


def _register(session: botocore.session.Session) -> None:
    session.register("before-parameter-build", RECORDER.record,
                     unique_id="frontdesk-aws-call-recorder")


def install() -> AwsCallRecorder:
    global _installed
    if not _installed:
        original_init = botocore.session.Session.__init__

        def init(self: botocore.session.Session, *args: Any, **kwargs: Any) -> None:
            original_init(self, *args, **kwargs)
            _register(self)

        botocore.session.Session.__init__ = init  # type: ignore[method-assign]
        if boto3.DEFAULT_SESSION is not None:
            _register(boto3.DEFAULT_SESSION._session)
        _installed = True
    return RECORDER


CONFORMANCE_MODULE = "tests/iam/test_policy_conformance.py"
WHOLE_SUITE_ONLY = "test_the_policy_grants_no_action_the_code_never_calls"


def order_conformance_last(config: Any, items: list[Any]) -> None:
    """For conftest's pytest_collection_modifyitems: judge the calls after every
    other test has made its own. "Grants no unused action" means something only
    when the whole suite ran, so in a partial run that test is deselected
    (pytest reports it as deselected, never as passed)."""
    def is_conformance(item: Any) -> bool:
        return str(item.path).endswith(CONFORMANCE_MODULE)

    items.sort(key=is_conformance)  # stable: everything else keeps its order
    # Folders the configuration leaves out (tests/e2e: it needs a browser) are
    # another suite, not a sign of a partial run.
    ignored = [Path(p).resolve() for p in config.getoption("ignore") or []]
    every_module = {str(p) for p in (PROJECT_DIR / "tests").rglob("test_*.py")
                    if not any(p.resolve().is_relative_to(folder) for folder in ignored)}
    collected = {str(item.path) for item in items}
    filtered = bool(config.getoption("keyword") or config.getoption("markexpr")
                    or config.getoption("lf", False))
    if filtered or not every_module <= collected:
        partial = [item for item in items if is_conformance(item) and WHOLE_SUITE_ONLY in item.name]
        if partial:
            config.hook.pytest_deselected(items=partial)
            items[:] = [item for item in items if item not in partial]
