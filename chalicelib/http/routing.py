"""Every path answers every method.

API Gateway only forwards the methods a resource declares: an undeclared
method gets its "Missing Authentication Token" 403, and a preflight would be
answered by a mock integration with one static origin. So each path also gets
an OPTIONS route (preflights, answered by the pipeline for any allowed origin)
and a route for each method it lacks (405 with an Allow header). Locally the
same routes make `chalice local` behave the same way. The routes are added as
each path is declared (chalicelib/http/application.py).
"""
from __future__ import annotations

from chalice.app import RouteEntry

from chalicelib.auth.roles import public


@public
def not_routed() -> None:
    """Never runs: the pipeline answers OPTIONS and 405 before any view is called."""
    raise AssertionError("the HTTP pipeline answers these methods itself")


def declared_methods(entries: dict[str, RouteEntry]) -> tuple[str, ...]:
    return tuple(m for m, entry in entries.items() if entry.view_function is not not_routed)
