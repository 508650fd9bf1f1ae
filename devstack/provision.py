"""Create, idempotently, the AWS resources a local stage needs, in moto's server.

The resources are infra/resources.yaml itself, deployed through moto's
CloudFormation (taught the template's types in devstack/cloudformation) by the
deploy code (infra/stack.py), with the local stage's parameters: the same
template, and the same code path, as a deployed stage. What stays here is data,
not resources: the demo accounts, their passwords and TOTP set-up.

The same function provisions `make dev` and the test session, so tests run
against exactly what developers use. Running it twice changes nothing.
"""
from __future__ import annotations

import base64
import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from moto.cloudformation.models import Stack

from chalicelib.auth.identity import ADMIN_GROUP
from infra import stack
from infra.audit_salt import ensure_audit_salt
from infra.files_key import ensure_files_key
from infra.stages import LOCAL, TEMPLATE_FILE, StageConfig, load_stage
from infra.web_headers import security_headers

# moto's CloudFormation finishes before CreateStack answers: the first poll sees it.
STACK_WAIT = {"Delay": 1, "MaxAttempts": 30}
API_GATEWAY_STAGE = "api"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    groups: tuple[str, ...] = ()
    totp: bool = False  # signs in with an authenticator-app code as well


# Known passwords, for a local stack only. They satisfy the template's password policy.
DEMO_USERS = (
    DemoUser("admin@example.com", "Admin-Passw0rd!", (ADMIN_GROUP,)),
    DemoUser("user@example.com", "User-Passw0rd!"),
    DemoUser("mfa-admin@example.com", "Mfa-Admin-Passw0rd!", (ADMIN_GROUP,), totp=True),
)


@dataclass(frozen=True)
class Provisioned:
    table_name: str
    user_pool_id: str
    user_pool_client_id: str
    users: list[dict[str, Any]] = field(default_factory=list)
    password_policy: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # the resources stack's


def deploy_resources(session: Any, stage: StageConfig,
                     site_headers: Mapping[str, str] | None = None,
                     files_key: str = "") -> dict[str, str]:
    """Deploy (or update) infra/resources.yaml for `stage`; return its outputs.
    `site_headers` only fills the template's header parameters (the local web
    server sends its own, from the same code); `files_key`, the download
    links' key (make dev's files server checks links with it, from SSM)."""
    if site_headers is None:
        endpoint = session.client("cognito-idp").meta.endpoint_url
        site_headers = security_headers(None, endpoint, None)
    return stack.deploy_stack(session.client("cloudformation"), stage, TEMPLATE_FILE.read_text(),
                              API_GATEWAY_STAGE, site_headers, wait=STACK_WAIT,
                              files_key=files_key)


def template_table(table_name: str) -> dict[str, Any]:
    """CreateTable's arguments for the template's table, named `table_name`:
    for tests and the bench, which make tables of their own. (The template's
    other keys, TTL and point-in-time recovery, are separate calls, and
    deletion protection is prod's.)"""
    properties = Stack.parse_template(TEMPLATE_FILE.read_text())["Resources"]["Table"]["Properties"]
    definition = {key: properties[key] for key in (
        "BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")}
    definition["StreamSpecification"] = {"StreamEnabled": True,
                                         **properties["StreamSpecification"]}
    return {"TableName": table_name, **definition}


def template_ttl() -> dict[str, Any]:
    return dict(Stack.parse_template(TEMPLATE_FILE.read_text())["Resources"]["Table"][
        "Properties"]["TimeToLiveSpecification"])


def recreate_table(dynamodb: Any, table_name: str) -> None:
    """An empty table as the template defines it, in place of `table_name`."""
    try:
        dynamodb.delete_table(TableName=table_name)
    except dynamodb.exceptions.ResourceNotFoundException:
        pass
    dynamodb.create_table(**template_table(table_name))
    dynamodb.update_time_to_live(TableName=table_name, TimeToLiveSpecification=template_ttl())


def ensure_user(cognito: Any, pool_id: str, user: DemoUser) -> None:
    try:
        cognito.admin_get_user(UserPoolId=pool_id, Username=user.username)
    except cognito.exceptions.UserNotFoundException:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=user.username,
            UserAttributes=[{"Name": "email", "Value": user.username},
                            {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=user.username,
                                    Password=user.password, Permanent=True)
    for group in user.groups:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=user.username,
                                        GroupName=group)


def totp_code(secret: str, now: Callable[[], float] = time.time) -> str:
    """The code an authenticator app shows now for a base32 secret (RFC 6238:
    SHA-1, 6 digits, 30-second steps, as Cognito uses)."""
    from cryptography.hazmat.primitives.hashes import SHA1
    from cryptography.hazmat.primitives.twofactor.totp import TOTP

    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    return TOTP(key, 6, SHA1(), 30,  # noqa: S303 (RFC 6238 TOTP is HMAC-SHA1, as Cognito)
                enforce_key_length=False).generate(int(now())).decode()


def ensure_totp(cognito: Any, client_id: str, user: DemoUser) -> str:
    """Turn on the authenticator app for `user`, as the dashboard's set-up does;
    return its secret. moto hands every account the same fixed secret."""
    answer = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.username, "PASSWORD": user.password})
    if answer.get("ChallengeName") == "SOFTWARE_TOKEN_MFA":
        # Already on (a second provision of the same moto): the secret is unchanged.
        return str(cognito.associate_software_token(Session=answer["Session"])["SecretCode"])
    access_token = answer["AuthenticationResult"]["AccessToken"]
    secret = str(cognito.associate_software_token(AccessToken=access_token)["SecretCode"])
    if 30 - time.time() % 30 < 2:
        time.sleep(2)  # so the code is still current when the pool checks it
    cognito.verify_software_token(AccessToken=access_token, UserCode=totp_code(secret),
                                  FriendlyDeviceName="demo")
    cognito.set_user_mfa_preference(
        AccessToken=access_token,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return secret


def provision(session: Any, *, users: tuple[DemoUser, ...] = DEMO_USERS,
              site_headers: Mapping[str, str] | None = None,
              web_origins: Sequence[str] = ()) -> Provisioned:
    """`session` is a boto3 Session whose clients already point at moto. The
    stage's parameters are the local stage's settings (infra.stages.LOCAL_SETTINGS);
    `web_origins`, the local web server's, may post files to the attachments
    bucket (a deployed stage's allowedOrigins do)."""
    stage = dataclasses.replace(load_stage(LOCAL), extra_allowed_origins=tuple(web_origins))
    files_key, _ = ensure_files_key(session.client("ssm"), LOCAL)
    outputs = deploy_resources(session, stage, site_headers, files_key.value)
    ensure_audit_salt(session.client("ssm"), LOCAL)
    pool_id, client_id = outputs["UserPoolId"], outputs["UserPoolClientId"]
    cognito = session.client("cognito-idp")
    described: list[dict[str, Any]] = []
    for user in users:
        ensure_user(cognito, pool_id, user)
        entry: dict[str, Any] = {"username": user.username, "password": user.password,
                                 "groups": list(user.groups)}
        if user.totp:
            entry["totpSecret"] = ensure_totp(cognito, client_id, user)
        described.append(entry)
    policy = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"]["PasswordPolicy"]
    return Provisioned(outputs["TableName"], pool_id, client_id, described, dict(policy), outputs)
