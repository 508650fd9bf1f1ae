"""The dashboard's administrators: the `admin` group of a stage's user pool.

`make admin EMAIL=…`, `make admin-remove EMAIL=…` and `make admins` run these
through `python -m infra`. STAGE=local (their default) is the running
`make dev` stack, found through its .local/stack.json; dev and prod are the
deployed pools, found through the resources stack's outputs.

Each change is recorded in the stage's audit log (chalicelib/audit) as the
operator's: actor `{"sub": "operator"}`, the AWS identity running it in the
summary, a request id of the run's own. Cognito is no DynamoDB transaction,
so the entry is written right after the change succeeds; when that write
fails, the command says so (the change stays made).
"""
from __future__ import annotations

import json
import os
import secrets
import string
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.audit.entry import OPERATOR_SUB, Actor, Target
from chalicelib.audit.log import Audited, AuditLog
from infra.stages import PROJECT_DIR

ADMIN_GROUP = "admin"  # the group the API's require-admin check reads (chalicelib.auth.identity)
LOCAL_STACK_FILE = PROJECT_DIR / ".local" / "stack.json"


class AdminError(RuntimeError):
    """Something a person can fix, said in one sentence."""


@dataclass(frozen=True)
class Invitation:
    email: str
    created: bool  # False: the account existed and was only added to the group
    already_admin: bool = False
    temporary_password: str | None = None  # only when this code chose it (locally)


def temporary_password(length: int = 16) -> str:
    """A password any Cognito policy up to `length` characters accepts: each
    character class at least once, the rest random."""
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "!#%+-=?@^_")
    chosen = [secrets.choice(chars) for chars in classes]
    alphabet = "".join(classes)
    chosen += [secrets.choice(alphabet) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in email):
        raise AdminError(f"EMAIL must be an email address, like EMAIL=you@example.com; got {email!r}.")
    return email


class Admins:
    """The admin group of one user pool.

    `emails_passwords`: deployed, Cognito creates the temporary password and
    emails it; the local stack sends no mail, so this code chooses the password
    and hands it back to be printed.
    """

    def __init__(self, cognito: Any, pool_id: str, *, emails_passwords: bool,
                 make_password: Callable[[], str] = temporary_password,
                 audit: OperatorAudit | None = None) -> None:
        self._cognito = cognito
        self._pool_id = pool_id
        self._emails_passwords = emails_passwords
        self._make_password = make_password
        self._audit = audit

    def invite(self, email: str) -> Invitation:
        email = normalise_email(email)
        password = None if self._emails_passwords else self._make_password()
        arguments: dict[str, Any] = {
            "UserPoolId": self._pool_id,
            "Username": email,
            # Verified: it is where the invitation goes, and GET /me links records by it.
            "UserAttributes": [{"Name": "email", "Value": email},
                               {"Name": "email_verified", "Value": "true"}],
        }
        if password is None:
            arguments["DesiredDeliveryMediums"] = ["EMAIL"]
        else:
            arguments.update(TemporaryPassword=password, MessageAction="SUPPRESS")
        try:
            self._cognito.admin_create_user(**arguments)
        except self._cognito.exceptions.UsernameExistsException:
            already = ADMIN_GROUP in self._groups_of(email)
            self._add_to_group(email)
            if not already:
                self._record("admin.invite", email, "added an existing account to the admin "
                                                    "group")
            return Invitation(email, created=False, already_admin=already)
        self._add_to_group(email)
        self._record("admin.invite", email, "created an account in the admin group")
        return Invitation(email, created=True, temporary_password=password)

    def remove(self, email: str) -> bool:
        """Out of the group, and every refresh token of the account revoked.
        False (and nothing done) when the account was not in the group."""
        email = normalise_email(email)
        try:
            if ADMIN_GROUP not in self._groups_of(email):
                return False
            self._cognito.admin_remove_user_from_group(
                UserPoolId=self._pool_id, Username=email, GroupName=ADMIN_GROUP)
            self._cognito.admin_user_global_sign_out(UserPoolId=self._pool_id, Username=email)
        except self._cognito.exceptions.UserNotFoundException as exc:
            raise AdminError(f"There is no account for {email}.") from exc
        self._record("admin.remove", email, "removed from the admin group and signed out "
                                            "everywhere")
        return True

    def _record(self, action: str, email: str, what: str) -> None:
        if self._audit is not None:
            self._audit.record(action, email, what)

    def emails(self) -> list[str]:
        return sorted(self._members())

    def _members(self) -> Iterator[str]:
        pages = self._cognito.get_paginator("list_users_in_group").paginate(
            UserPoolId=self._pool_id, GroupName=ADMIN_GROUP)
        for page in pages:
            for user in page["Users"]:
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                yield attributes.get("email", user["Username"])

    def _groups_of(self, email: str) -> list[str]:
        groups = self._cognito.admin_list_groups_for_user(
            UserPoolId=self._pool_id, Username=email)["Groups"]
        return [g["GroupName"] for g in groups]

    def _add_to_group(self, email: str) -> None:
        self._cognito.admin_add_user_to_group(
            UserPoolId=self._pool_id, Username=email, GroupName=ADMIN_GROUP)


class OperatorAudit:
    """`make admin`'s entries in the stage's audit log: the operator's (their
    AWS identity, as STS names it, in each summary), one request id per run."""

    def __init__(self, log: AuditLog, sts: Any) -> None:
        self._audited: Audited = log.by(Actor(OPERATOR_SUB), f"make-admin-{uuid.uuid4()}")
        self._sts = sts
        self._identity: str | None = None

    def record(self, action: str, email: str, what: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            if self._identity is None:
                self._identity = str(self._sts.get_caller_identity()["Arn"])
            self._audited.record(action, Target("admin", email),
                                 f"{what} with make admin, as {self._identity}")
        except (ClientError, BotoCoreError) as exc:
            raise AdminError(f"{email}: done, but its audit entry could not be written ({exc}); "
                             "the audit log will not show this change.") from exc


def local_admins(stack_file: Path) -> Admins:
    """The running `make dev` stack's pool, through the moto endpoint it wrote down."""
    import boto3

    try:
        stack = json.loads(stack_file.read_text())
    except FileNotFoundError as exc:
        raise AdminError(f"No local stack is running ({stack_file} is missing). "
                         "Start one with `make dev`, or pass a deployed stage, like STAGE=dev.") from exc
    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=stack.get("awsEndpoint",
                                                            stack["cognitoEndpoint"]),
                            region_name=stack["region"], aws_access_key_id="local",
                            aws_secret_access_key="local")  # noqa: S106 (moto takes any)

    cognito = boto3.client("cognito-idp", endpoint_url=stack["cognitoEndpoint"],
                           region_name=stack["region"],
                           aws_access_key_id="local",
                           aws_secret_access_key="local")  # noqa: S106 (moto takes any)
    audit = OperatorAudit(AuditLog(client("dynamodb"), stack["tableName"]), client("sts")) \
        if "tableName" in stack else None
    return Admins(cognito, stack["userPoolId"], emails_passwords=False, audit=audit)


def deployed_admins(session: Any, stage_name: str) -> Admins:
    from botocore.exceptions import ClientError

    from infra.stack import stack_outputs
    from infra.stages import stack_name

    stack = stack_name(stage_name)  # no settings needed: the name is the stage's
    try:
        outputs = stack_outputs(session.client("cloudformation"), stack)
        pool_id = outputs["UserPoolId"]
    except ClientError as exc:
        if "does not exist" not in exc.response["Error"]["Message"]:
            raise
        raise AdminError(f"There is no stack {stack} in {session.region_name} yet: "
                         f"run `make deploy STAGE={stage_name}` first.") from exc
    except KeyError as exc:
        raise AdminError(f"The stack {stack} has no UserPoolId output; "
                         f"run `make deploy STAGE={stage_name}` first.") from exc
    log = AuditLog(session.client("dynamodb"), outputs.get("TableName") or f"frontdesk-{stage_name}",
                   retention_days=audit_retention_days(stage_name))
    return Admins(session.client("cognito-idp"), pool_id, emails_passwords=True,
                  audit=OperatorAudit(log, session.client("sts")))


def audit_retention_days(stage_name: str) -> int:
    """The stage's auditRetentionDays; its default when the settings file
    cannot say (`make admin` needs no settings file)."""
    from chalicelib.core.retention import AUDIT_DAYS
    from infra.stages import SettingsError, load_stage

    try:
        return load_stage(stage_name).audit_retention_days
    except SettingsError:
        return AUDIT_DAYS


def stack_file_from_env() -> Path:
    return Path(os.environ.get("STACK_FILE", LOCAL_STACK_FILE))


def run(action: str, admins: Admins, email: str | None, say: Callable[[str], None]) -> None:
    if action == "admins":
        emails = admins.emails()
        for address in emails:
            say(address)
        if not emails:
            say(f"The {ADMIN_GROUP} group is empty. Add someone with `make admin EMAIL=<address>`.")
        return
    if not email:
        raise AdminError("EMAIL is required, like EMAIL=you@example.com.")
    if action == "admin-remove":
        if not admins.remove(email):
            say(f"{normalise_email(email)} is not in the {ADMIN_GROUP} group; nothing changed.")
            return
        say(f"Removed {normalise_email(email)} from the {ADMIN_GROUP} group and signed it out "
            "everywhere. An ID token it already holds stays valid until it expires "
            "(at most an hour).")
        return
    invitation = admins.invite(email)
    if not invitation.created:
        say(f"{invitation.email} already has an account; "
            + ("it was already in the admin group." if invitation.already_admin
               else "added it to the admin group."))
    elif invitation.temporary_password is None:
        say(f"Invited {invitation.email} to the admin group. Cognito has emailed a temporary "
            "password; the first sign-in on the dashboard asks for a new one.")
    else:
        say(f"Created {invitation.email} in the admin group. Sign in on the dashboard with this "
            "temporary password; it then asks for a new one.")
        say(f"Temporary password: {invitation.temporary_password}")
