"""GET /me: the caller as the token describes them, plus the Users record with
their (verified) email."""
from __future__ import annotations

from chalicelib.api.bodies import Me, User
from chalicelib.auth.identity import Identity
from chalicelib.users.store import UserStore


def describe(identity: Identity, users: UserStore) -> Me:
    # Only a verified email links the caller to a record: an address someone
    # merely typed into their profile must not open another person's record.
    linked = identity.email if identity.email and identity.email_verified else None
    user = users.find_by_email(linked) if linked else None
    return Me(sub=identity.sub, email=identity.email, groups=list(identity.groups),
              user=User.of(user) if user else None)
