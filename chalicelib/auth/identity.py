"""The signed-in caller, built from Cognito ID-token claims."""
from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

import msgspec

ADMIN_GROUP = "admin"


def parse_groups(claim: Any) -> tuple[str, ...]:
    """`cognito:groups` in any of the forms it arrives in.

    Locally (and in the raw token) it is a JSON list. Behind API Gateway's
    Cognito authorizer every claim is flattened to a string, seen both as
    "admin,editors" and as "[admin editors]".
    """
    if claim is None:
        return ()
    if isinstance(claim, (list, tuple)):
        return tuple(str(group) for group in claim)
    # Commas and any whitespace separate groups: str.split() splits on the same
    # whitespace as the regex [\s,]+ and drops the empty pieces.
    return tuple(str(claim).strip().strip("[]").replace(",", " ").split())


def parse_flag(claim: Any) -> bool:
    """A boolean claim: true in the raw token, "true" once API Gateway flattened it."""
    return claim is True or str(claim).lower() == "true"


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says
# why), and cheaper to build, which every signed-in request does.
class Identity(msgspec.Struct, frozen=True):
    sub: str
    email: str | None
    groups: tuple[str, ...]
    email_verified: bool = False

    @property
    def is_admin(self) -> bool:
        # Exact membership: "admins", "superadmin" and "not-admin" are other groups.
        return ADMIN_GROUP in self.groups

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Identity:
        email = claims.get("email")
        # Positional: a Struct is built faster so, and every signed-in request builds one.
        return cls(str(claims["sub"]), str(email).lower() if email else None,
                   parse_groups(claims.get("cognito:groups")),
                   parse_flag(claims.get("email_verified")))


_current: ContextVar[Identity | None] = ContextVar("identity", default=None)


def current_identity() -> Identity:
    """The caller of the current request; only valid on signed-in and admin routes."""
    identity = _current.get()
    if identity is None:
        raise LookupError("current_identity() called on a route without a signed-in role")
    return identity


def set_current_identity(identity: Identity | None) -> object:
    return _current.set(identity)


def reset_current_identity(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
