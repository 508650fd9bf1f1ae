"""AWS::Cognito::UserPool, UserPoolClient and UserPoolGroup, created in moto's
Cognito with the template's properties (the same keys as the Cognito API,
except where noted)."""
from __future__ import annotations

from typing import Any

from moto.cognitoidp.exceptions import InvalidParameterException, ResourceNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool, cognitoidp_backends

from devstack.cloudformation.base import StackResource, Where


def _cognito(where: Where) -> CognitoIdpBackend:
    return cognitoidp_backends[where.account_id][where.region]


def _pool_config(properties: dict[str, Any]) -> dict[str, Any]:
    """CreateUserPool's arguments: the template's, less the two the API lacks
    (UserPoolName is PoolName; EnabledMfas is SetUserPoolMfaConfig's)."""
    return {key: value for key, value in properties.items()
            if key not in ("UserPoolName", "EnabledMfas")}


def _set_mfa(cognito: CognitoIdpBackend, pool: CognitoIdpUserPool,
             properties: dict[str, Any]) -> None:
    enabled = properties.get("EnabledMfas") or []
    cognito.set_user_pool_mfa_config(
        pool.id, None, {"Enabled": "SOFTWARE_TOKEN_MFA" in enabled},  # type: ignore[arg-type]
        str(properties.get("MfaConfiguration", "OFF")))


class UserPool(StackResource):
    TYPE = "AWS::Cognito::UserPool"
    NAME_PROPERTY = "UserPoolName"
    ATTRIBUTES = ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    @classmethod
    def create(cls, where: Where, name: str, properties: dict[str, Any]) -> UserPool:
        cognito = _cognito(where)
        pool = cognito.create_user_pool(name, _pool_config(properties))
        _set_mfa(cognito, pool, properties)
        provider = f"cognito-idp.{where.region}.amazonaws.com/{pool.id}"
        return cls(where, pool.id, properties, {
            "Arn": pool.arn, "ProviderName": provider, "ProviderURL": f"https://{provider}",
            "UserPoolId": pool.id})

    def change(self, properties: dict[str, Any]) -> UserPool:
        # In place, as CloudFormation updates a pool: its users stay.
        cognito = _cognito(self.where)
        cognito.update_user_pool(self.physical_id, _pool_config(properties))
        pool = cognito.describe_user_pool(self.physical_id)
        pool.name = str(properties.get("UserPoolName", pool.name))
        _set_mfa(cognito, pool, properties)
        self.properties = properties
        return self

    def remove(self) -> None:
        cognito = _cognito(self.where)
        try:
            pool = cognito.describe_user_pool(self.physical_id)
        except ResourceNotFoundError:
            return
        if pool.extended_config.get("DeletionProtection") == "ACTIVE":
            # Cognito's answer (moto deletes a protected pool): the stack's
            # deletion fails until the protection is switched off.
            raise InvalidParameterException(
                "The user pool cannot be deleted because deletion protection is activated. "
                "Deletion protection must be inactivated first.")
        cognito.delete_user_pool(self.physical_id)


def _client_config(properties: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in properties.items()
            if key not in ("UserPoolId", "GenerateSecret")}


class UserPoolClient(StackResource):
    TYPE = "AWS::Cognito::UserPoolClient"
    ATTRIBUTES = ("ClientId", "ClientSecret", "Name")

    @classmethod
    def create(cls, where: Where, name: str, properties: dict[str, Any]) -> UserPoolClient:
        client = _cognito(where).create_user_pool_client(
            str(properties["UserPoolId"]), bool(properties.get("GenerateSecret", False)),
            _client_config(properties))
        attributes = {"ClientId": client.id, "Name": properties.get("ClientName", "")}
        if client.generate_secret:
            attributes["ClientSecret"] = client.secret
        return cls(where, client.id, properties, attributes)

    def change(self, properties: dict[str, Any]) -> UserPoolClient:
        replaced = ("UserPoolId", "GenerateSecret")
        if any(properties.get(key) != self.properties.get(key) for key in replaced):
            return super().change(properties)
        # UpdateUserPoolClient resets what it is not given, as CloudFormation's update does.
        client = _cognito(self.where).describe_user_pool_client(
            str(properties["UserPoolId"]), self.physical_id)
        for key in _client_config(self.properties):
            client.extended_config.pop(key, None)
        client.extended_config.update(_client_config(properties))
        self.properties = properties
        self.attributes["Name"] = properties.get("ClientName", "")
        return self

    def remove(self) -> None:
        try:
            _cognito(self.where).delete_user_pool_client(
                str(self.properties["UserPoolId"]), self.physical_id)
        except ResourceNotFoundError:
            pass


class UserPoolGroup(StackResource):
    TYPE = "AWS::Cognito::UserPoolGroup"
    NAME_PROPERTY = "GroupName"

    @classmethod
    def create(cls, where: Where, name: str, properties: dict[str, Any]) -> UserPoolGroup:
        _cognito(where).create_group(
            str(properties["UserPoolId"]), name, properties.get("Description", ""),
            properties.get("RoleArn", ""), properties.get("Precedence", 0))
        return cls(where, name, properties)

    def change(self, properties: dict[str, Any]) -> UserPoolGroup:
        if properties.get("UserPoolId") != self.properties.get("UserPoolId") or \
                self._name_for(properties) != self.physical_id:
            return super().change(properties)
        _cognito(self.where).update_group(
            str(properties["UserPoolId"]), self.physical_id, properties.get("Description", ""),
            properties.get("RoleArn", ""), properties.get("Precedence", 0))
        self.properties = properties
        return self

    def remove(self) -> None:
        try:
            _cognito(self.where).delete_group(str(self.properties["UserPoolId"]), self.physical_id)
        except ResourceNotFoundError:
            pass
