"""GET /me: the caller as the token describes them, plus their Users record."""
from __future__ import annotations

from typing import Any

from chalicelib.auth.identity import Identity
from chalicelib.users.store import UserStore


def describe(identity: Identity, users: UserStore) -> dict[str, Any]:
    user = users.find_by_email(identity.email) if identity.email else None
    return {"sub": identity.sub, "email": identity.email, "groups": list(identity.groups),
            "user": user.to_json() if user else None}
