"""Every route declares one role, next to its @app.route in app.py.

The HTTP pipeline looks the role up for each request and enforces it before
the view runs. A route without a role is refused (fail closed), and
tests/auth/test_route_roles.py fails the build before that can ship.
"""
from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

View = TypeVar("View", bound=Callable[..., object])

_ATTRIBUTE = "frontdesk_role"


class Role(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed-in"
    ADMIN = "admin"
    SERVICE = "service"


def _declare(role: Role) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        setattr(view, _ATTRIBUTE, role)
        return view
    return decorate


public = _declare(Role.PUBLIC)
signed_in = _declare(Role.SIGNED_IN)
admin = _declare(Role.ADMIN)
service = _declare(Role.SERVICE)


def role_of(view: Callable[..., object]) -> Role | None:
    return getattr(view, _ATTRIBUTE, None)
