"""Create, idempotently, the AWS resources a local stage needs, in moto's server.

The same function provisions `make dev` and the test session, so tests run
against exactly what developers use. Running it twice changes nothing.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.db.table import TTL_ATTRIBUTE, table_definition

POOL_NAME = "frontdesk-local"
CLIENT_NAME = "frontdesk-web"
ADMIN_GROUP = "admin"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    groups: tuple[str, ...] = ()


# Known passwords, for a local stack only. They satisfy Cognito's default policy.
DEMO_USERS = (
    DemoUser("admin@example.com", "Admin-Passw0rd!", (ADMIN_GROUP,)),
    DemoUser("user@example.com", "User-Passw0rd!"),
)


@dataclass(frozen=True)
class Provisioned:
    table_name: str
    user_pool_id: str
    user_pool_client_id: str
    users: list[dict[str, Any]] = field(default_factory=list)


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


def ensure_user_pool(cognito: Any) -> tuple[str, str]:
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((p["Id"] for p in pools if p["Name"] == POOL_NAME), None)
    if pool_id is None:
        pool_id = cognito.create_user_pool(
            PoolName=POOL_NAME,
            UsernameAttributes=["email"],  # people sign in with their email, as deployed
            AutoVerifiedAttributes=["email"],
        )["UserPool"]["Id"]
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


def provision(session: Any, *, table_name: str, mail_from: str,
              users: tuple[DemoUser, ...] = DEMO_USERS) -> Provisioned:
    """`session` is a boto3 Session whose clients already point at moto."""
    ensure_table(session.client("dynamodb"), table_name)
    # SES refuses to send from an unverified address; moto checks that too.
    session.client("ses").verify_email_identity(EmailAddress=mail_from)
    cognito = session.client("cognito-idp")
    pool_id, client_id = ensure_user_pool(cognito)
    for user in users:
        ensure_user(cognito, pool_id, user)
    return Provisioned(table_name, pool_id, client_id, [
        {**asdict(u), "groups": list(u.groups)} for u in users])
