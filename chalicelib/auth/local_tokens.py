"""Verify Cognito ID tokens ourselves, as API Gateway's authorizer does.

Used whenever we are not behind API Gateway: `make dev`, plain `chalice local`
and the tests. `chalice local` would otherwise accept any token, forged or
expired, because it only base64-decodes the payload (CHALICE-NOTES).

PyJWT is a development dependency: deployed code never imports this module.
"""
from __future__ import annotations

from typing import Any

import jwt

from chalicelib.http.errors import ServiceUnavailable, Unauthorized


class CognitoTokenVerifier:
    def __init__(self, *, jwks_url: str, issuer: str, client_id: str, leeway_seconds: int = 0):
        if not (jwks_url and client_id):
            raise ValueError("token verification needs a JWKS URL and a client id")
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=5)
        self._issuer = issuer
        self._client_id = client_id
        self._leeway = leeway_seconds

    def verify(self, token: str) -> dict[str, Any]:
        try:
            signing_key = self._jwks.get_signing_key_from_jwt(token)
            # The audience is checked below, after token_use: an access token has
            # no "aud" (its client is in "client_id"), and a caller who sent one
            # should be told which token to send instead.
            claims: dict[str, Any] = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],  # never "none", never a symmetric algorithm
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "sub", "token_use"],
                         "verify_aud": False},
            )
        except jwt.PyJWKClientConnectionError as exc:
            raise ServiceUnavailable("Cannot reach the user pool's signing keys.") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("The token is invalid or expired.") from exc
        if claims.get("token_use") == "access":
            raise Unauthorized("Send the ID token, not the access token.")
        if claims.get("token_use") != "id" or claims.get("aud") != self._client_id:
            raise Unauthorized("The token is invalid or expired.")
        return claims
