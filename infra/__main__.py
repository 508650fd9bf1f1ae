"""`python -m infra check-config|deploy|destroy --stage <stage>` (what `make
check-config`, `make deploy` and `make destroy` run), and
`python -m infra admin|admin-remove|admins --stage local|<stage> [--email …]`
(what `make admin`, `make admin-remove` and `make admins` run).

The settings file is frontdesk.json at the repository root, or the file
FRONTDESK_SETTINGS names. It is checked before anything needs credentials.

Fails with one clear sentence, never a traceback, for what a person can fix:
settings that cannot deploy, no credentials, no region, a refused destroy, a
failed stack or Chalice step, an endpoint that does not answer as AWS.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable

import boto3
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from botocore.parsers import ResponseParserError

from infra.admins import AdminError, Admins, deployed_admins, local_admins, stack_file_from_env
from infra.admins import run as run_admins
from infra.deploy import (
    AwsClients,
    Project,
    Refused,
    check_deployable,
    check_destroy_allowed,
    check_runtime,
    deploy,
    destroy,
    run_chalice,
)
from infra.runtime import LAMBDA_RUNTIME
from infra.site import DeleteFailed
from infra.stack import StackFailed
from infra.stages import LOCAL, SettingsError, load_stage, settings_file, shown_path, stage_name_problem

NO_CREDENTIALS = (
    "No AWS credentials found. Configure some first: `aws configure` (or AWS_PROFILE), "
    "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. See docs/deploy.md.")
NO_REGION = "No AWS region set. Set one first, e.g. `export AWS_DEFAULT_REGION=eu-west-1`."
ADMIN_ACTIONS = ("admin", "admin-remove", "admins")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra")
    parser.add_argument("action", choices=("check-config", "deploy", "destroy", *ADMIN_ACTIONS))
    parser.add_argument("--stage", required=True, help="local, or a stage of the settings file")
    parser.add_argument("--email", default=None, help="admin and admin-remove: the account")
    parser.add_argument("--confirm", default=None,
                        help="destroy prod only: the stack name, frontdesk-prod-resources")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.action in ADMIN_ACTIONS and args.stage == "local":
        return _admins(args, lambda: local_admins(stack_file_from_env()))
    if args.stage == LOCAL:
        print(f"error: {args.action} needs a deployed stage, like STAGE=dev; `make dev` is the "
              "local stage, whose settings are built in.", file=sys.stderr)
        return 2
    if problem := stage_name_problem(args.stage):
        print(f"error: {problem}.", file=sys.stderr)
        return 2
    project = Project(settings=settings_file())
    try:  # before anything touches AWS
        if args.action in ("check-config", "deploy"):
            check_deployable(args.stage, project.settings_file)
            check_runtime(LAMBDA_RUNTIME, dt.date.today())
        elif args.action == "destroy":
            check_destroy_allowed(load_stage(args.stage, project.settings_file), args.confirm)
    except (Refused, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.action == "check-config":
        print(f"{shown_path(project.settings_file)}: stage {args.stage} can deploy.")
        return 0
    session = boto3.Session()
    if session.get_credentials() is None:
        print(f"error: {NO_CREDENTIALS}", file=sys.stderr)
        return 2
    if not session.region_name:
        print(f"error: {NO_REGION}", file=sys.stderr)
        return 2
    if args.action in ADMIN_ACTIONS:
        return _admins(args, lambda: deployed_admins(session, args.stage))
    aws = AwsClients.from_session(session)
    try:
        if args.action == "deploy":
            deploy(args.stage, aws=aws, chalice=run_chalice(project), project=project)
        else:
            destroy(args.stage, aws=aws, chalice=run_chalice(project), project=project,
                    confirm=args.confirm)
    except (Refused, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"error: `chalice {' '.join(exc.cmd[1:])}` failed (its output is above).",
              file=sys.stderr)
        return 1
    except (StackFailed, DeleteFailed, ClientError, BotoCoreError) as exc:
        print(f"error: {args.action} {args.stage} failed: {exc}", file=sys.stderr)
        return 1
    except ResponseParserError as exc:
        print(f"error: {args.action} {args.stage} failed: {unreadable(exc)}", file=sys.stderr)
        return 1
    return 0


def unreadable(exc: ResponseParserError) -> str:
    """botocore's ResponseParserError is no BotoCoreError: an answer it cannot
    read as the service's, most often from an endpoint that is not AWS at all."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        return (f"{endpoint} answered with something that is not an AWS response; "
                "AWS_ENDPOINT_URL must name AWS or an embedded AWS (for `make dev`, the "
                "awsEndpoint in .local/stack.json), not the API.")
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"AWS's answer could not be read ({reason}); try again."


def _admins(args: argparse.Namespace, open_pool: Callable[[], Admins]) -> int:
    try:
        run_admins(args.action, open_pool(), args.email, say=print)
    except AdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except EndpointConnectionError as exc:
        hint = " Is `make dev` running?" if args.stage == "local" else ""
        print(f"error: cannot reach {exc.kwargs.get('endpoint_url')}.{hint}", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as exc:
        print(f"error: {args.action} on {args.stage} failed: {exc}", file=sys.stderr)
        return 1
    except ResponseParserError as exc:
        print(f"error: {args.action} on {args.stage} failed: {unreadable(exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
