"""Real tokens from the mocked user pool, and deliberately bad ones."""
from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


class Tokens:
    def __init__(self, cognito: Any, pool_id: str, client_id: str) -> None:
        self._cognito = cognito
        self.pool_id = pool_id
        self.client_id = client_id
        self._signed_in: dict[tuple[str, str], dict[str, str]] = {}

    def _auth(self, username: str, password: str) -> dict[str, str]:
        if (username, password) not in self._signed_in:
            result = self._cognito.initiate_auth(
                ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password})
            self._signed_in[(username, password)] = dict(result["AuthenticationResult"])
        return self._signed_in[(username, password)]

    def id_token(self, username: str, password: str) -> str:
        return self._auth(username, password)["IdToken"]

    def access_token(self, username: str, password: str) -> str:
        return self._auth(username, password)["AccessToken"]

    def create_user(self, email: str, password: str, groups: tuple[str, ...] = ()) -> None:
        self._cognito.admin_create_user(
            UserPoolId=self.pool_id, Username=email, MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": email},
                            {"Name": "email_verified", "Value": "true"}])
        self._cognito.admin_set_user_password(UserPoolId=self.pool_id, Username=email,
                                              Password=password, Permanent=True)
        for group in groups:
            try:
                self._cognito.create_group(UserPoolId=self.pool_id, GroupName=group)
            except self._cognito.exceptions.GroupExistsException:
                pass
            self._cognito.admin_add_user_to_group(UserPoolId=self.pool_id, Username=email,
                                                  GroupName=group)


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(claims: dict[str, Any]) -> str:
    """An `alg: none` token: what chalice local alone would accept."""
    header = {"alg": "none", "typ": "JWT", "kid": "dummy"}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."


def token_signed_by_another_key(claims: dict[str, Any]) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


def expired(claims: dict[str, Any]) -> dict[str, Any]:
    return {**claims, "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}


def signed_by_pool_key(claims: dict[str, Any]) -> str:
    """Sign with the user pool's own key (moto ships it), so that the one thing
    wrong with the token is whatever the test changed in `claims`."""
    from moto.utilities.utils import load_resource

    private_jwk = load_resource("cognitoidp/resources/jwks-private.json")
    key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(private_jwk))
    return jwt.encode(claims, key, algorithm="RS256",  # type: ignore[arg-type]
                      headers={"kid": private_jwk.get("kid", "dummy")})


def demo_role(user: dict[str, Any]) -> str:
    """Which demo account of `make dev` this is: 'admin', 'user' or 'mfa' (an admin
    who signs in with an authenticator-app code too)."""
    if "totpSecret" in user:
        return "mfa"
    return "admin" if user["groups"] else "user"
