"""Create, idempotently, the AWS resources a local stage needs, in moto's server.

The same function provisions `make dev` and the test session, so tests run
against exactly what developers use. Running it twice changes nothing.
"""
from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.db.table import TTL_ATTRIBUTE, table_definition
from infra.stages import mfa_mode

POOL_NAME = "frontdesk-local"
CLIENT_NAME = "frontdesk-web"
ADMIN_GROUP = "admin"
# The deployed pool's rules (infra/resources.yaml; tests/infra holds the two equal),
# so a password refused deployed is refused locally too.
PASSWORD_POLICY = {"MinimumLength": 12, "RequireLowercase": True, "RequireUppercase": True,
                   "RequireNumbers": True, "RequireSymbols": True,
                   "TemporaryPasswordValidityDays": 3}
# MfaConfiguration for each value of a stage's "mfa" setting (infra/settings_schema.py).
POOL_MFA = {"off": "OFF", "optional": "OPTIONAL", "required": "ON"}


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    groups: tuple[str, ...] = ()
    totp: bool = False  # signs in with an authenticator-app code as well


# Known passwords, for a local stack only. They satisfy PASSWORD_POLICY.
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


def ensure_table(dynamodb: Any, table_name: str) -> None:
    try:
        dynamodb.create_table(**table_definition(table_name))
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
    dynamodb.get_waiter("table_exists").wait(TableName=table_name,
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    dynamodb.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE})


def ensure_user_pool(cognito: Any, mfa: str = "off") -> tuple[str, str]:
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((p["Id"] for p in pools if p["Name"] == POOL_NAME), None)
    if pool_id is None:
        pool_id = cognito.create_user_pool(
            PoolName=POOL_NAME,
            UsernameAttributes=["email"],  # people sign in with their email, as deployed
            AutoVerifiedAttributes=["email"],
            Policies={"PasswordPolicy": PASSWORD_POLICY},
        )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration=POOL_MFA[mfa],
        SoftwareTokenMfaConfiguration={"Enabled": mfa != "off"})
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == CLIENT_NAME), None)
    if client_id is None:
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=CLIENT_NAME,
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            ReadAttributes=["email", "email_verified"],  # puts email in the ID token
        )["UserPoolClient"]["ClientId"]
    try:
        cognito.create_group(UserPoolId=pool_id, GroupName=ADMIN_GROUP)
    except cognito.exceptions.GroupExistsException:
        pass
    return pool_id, client_id


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


def provision(session: Any, *, table_name: str, mail_from: str,
              users: tuple[DemoUser, ...] = DEMO_USERS) -> Provisioned:
    """`session` is a boto3 Session whose clients already point at moto."""
    ensure_table(session.client("dynamodb"), table_name)
    # SES refuses to send from an unverified address; moto checks that too.
    session.client("ses").verify_email_identity(EmailAddress=mail_from)
    cognito = session.client("cognito-idp")
    pool_id, client_id = ensure_user_pool(cognito, mfa_mode("local"))
    described: list[dict[str, Any]] = []
    for user in users:
        ensure_user(cognito, pool_id, user)
        entry: dict[str, Any] = {"username": user.username, "password": user.password,
                                 "groups": list(user.groups)}
        if user.totp:
            entry["totpSecret"] = ensure_totp(cognito, client_id, user)
        described.append(entry)
    policy = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"]["PasswordPolicy"]
    return Provisioned(table_name, pool_id, client_id, described, dict(policy))
