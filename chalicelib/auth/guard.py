"""Enforce a route's role before its view runs.

Deployed, API Gateway has already verified the ID token (Cognito authorizer)
or the API key (usage plan) by the time the Lambda runs; we read the claims it
passed and refuse a protected request that arrives without them.

Anywhere else (the local stage, `chalice local`, tests) nothing upstream has
checked anything, so we verify the token's signature and claims ourselves and
compare the API key. Which of the two applies is decided by Settings from
where the code runs, not by a switch someone could flip.
"""
from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from typing import Any, Protocol

from chalice.app import Request

from chalicelib.auth.identity import Identity
from chalicelib.auth.roles import Role
from chalicelib.http.errors import Forbidden, Unauthorized
from chalicelib.platform.config import Settings

log = logging.getLogger("frontdesk.auth")


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Mapping[str, Any]: ...


class _NoVerifier:
    """Local use without a user pool configured: refuse every token."""

    def verify(self, token: str) -> Mapping[str, Any]:
        log.error("USER_POOL_ID/USER_POOL_CLIENT_ID are not set; refusing all tokens")
        raise Unauthorized("Sign-in is not configured on this server.")


def bearer_token(authorization: str) -> str:
    scheme, _, rest = authorization.strip().partition(" ")
    # API Gateway's Cognito authorizer takes the bare token; "Bearer <token>" is
    # what most clients send. Accept both.
    return rest.strip() if scheme.lower() == "bearer" else authorization.strip()


class AccessGuard:
    def __init__(self, *, verifier: TokenVerifier | None, local_api_key: str = "") -> None:
        # verifier None means "behind API Gateway: trust its authorizer claims".
        self._verifier = verifier
        self._local_api_key = local_api_key

    @classmethod
    def from_settings(cls, settings: Settings) -> AccessGuard:
        if settings.behind_api_gateway:
            return cls(verifier=None)
        verifier: TokenVerifier = _NoVerifier()
        if settings.user_pool_id and settings.user_pool_client_id:
            from chalicelib.auth.local_tokens import CognitoTokenVerifier
            verifier = CognitoTokenVerifier(
                jwks_url=settings.cognito_jwks_url
                or f"{settings.cognito_issuer}/.well-known/jwks.json",
                issuer=settings.cognito_issuer,
                client_id=settings.user_pool_client_id,
            )
        return cls(verifier=verifier, local_api_key=settings.local_api_key)

    def check(self, role: Role | None, request: Request) -> Identity | None:
        """Return the caller's identity (None on public and service routes) or raise."""
        if role is Role.PUBLIC:
            return None
        if role is Role.SERVICE:
            self._check_api_key(request)
            return None
        if role not in (Role.SIGNED_IN, Role.ADMIN):
            log.error("route has no declared role; refusing", extra={"fields": {
                "route": request.context.get("resourcePath")}})
            raise Forbidden()
        identity = self._identify(request)
        if role is Role.ADMIN and not identity.is_admin:
            raise Forbidden("This needs the admin role.")
        return identity

    def _identify(self, request: Request) -> Identity:
        if self._verifier is None:
            claims = (request.context.get("authorizer") or {}).get("claims") or {}
            # Reaching a protected route without claims means the route lost its
            # authorizer; never treat that as anonymous access.
            if not claims.get("sub") or claims.get("token_use") != "id":
                log.error("protected route reached without Cognito claims")
                raise Unauthorized()
            return Identity.from_claims(claims)
        token = bearer_token(request.headers.get("authorization", ""))
        if not token:
            raise Unauthorized("Send your ID token in the Authorization header.")
        return Identity.from_claims(self._verifier.verify(token))

    def _check_api_key(self, request: Request) -> None:
        if self._verifier is None:
            return  # API Gateway matched the key against the usage plan
        given = request.headers.get("x-api-key", "").encode()
        expected = self._local_api_key.encode()
        # compare_digest: the time taken does not reveal how much of the key matched.
        if not expected or not hmac.compare_digest(given, expected):
            raise Forbidden("A valid X-Api-Key header is required.")
