"""What each route answers and reads, declared beside it in app.py.

`@responds(...)` sits next to the route's @app.route and role, like the role,
and /openapi.json reads it from the registered route (chalicelib/http/openapi.py),
adding what every route of a kind answers (a body: 400, 413, 415; a role: 401,
403; DynamoDB: 503). Bodies are named by their Struct's name, so declaring a
route loads no model of a route not yet used.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import msgspec

View = TypeVar("View", bound=Callable[..., object])

_ATTRIBUTE = "frontdesk_operation"
JSON = "application/json"
CSV = "text/csv"  # a response that is a CSV file, not JSON
HTML = "text/html"  # a page for a browser; its 404 is a page too


# A Struct, not a dataclass: this module loads at init, and on Python 3.13 defining
# a dataclass costs every cold start about 0.5 ms (its methods are generated and
# compiled), a Struct about 0.01 ms (docs/architecture.md, "Cold start").
class Operation(msgspec.Struct, frozen=True):
    success: int
    answer: str | None  # the success body's Struct (chalicelib/api/bodies.py); None: no body
    body: str | None = None  # the request body's model
    query: tuple[str, ...] = ()  # query parameters, as openapi.PARAMETERS names them
    headers: tuple[str, ...] = ()  # header parameters
    required_headers: tuple[str, ...] = ()
    statuses: tuple[int, ...] = ()  # besides those its kind brings
    success_headers: tuple[str, ...] = ()
    uses_aws: bool = True
    media_type: str = JSON  # of the success body
    form_post: bool = False  # also takes a plain HTML form (chalicelib/api/contact_form.py)
    # A PUT that creates at its address: 201 (a new record) as well as `success`
    # (a replaced one), and an unknown id is created, never a 404.
    creates: bool = False
    # A redirect that a request asking for JSON (Accept: application/json) gets
    # as 200 with this body instead: a page's script cannot follow a
    # cross-origin redirect it needs to read, nor read a redirect's Location.
    alternative: str | None = None
    # The path names what may have nothing stored (a person's address): nothing
    # there is an empty answer, never a 404.
    empty_when_absent: bool = False


def responds(success: int, answer: str | None, *, body: str | None = None,
             query: tuple[str, ...] = (), headers: tuple[str, ...] = (),
             required_headers: tuple[str, ...] = (), statuses: tuple[int, ...] = (),
             success_headers: tuple[str, ...] = (), uses_aws: bool = True,
             media_type: str = JSON, form_post: bool = False,
             creates: bool = False, alternative: str | None = None,
             empty_when_absent: bool = False) -> Callable[[View], View]:
    operation = Operation(success, answer, body, query, headers, required_headers, statuses,
                          success_headers, uses_aws, media_type, form_post, creates,
                          alternative, empty_when_absent)

    def declare(view: View) -> View:
        setattr(view, _ATTRIBUTE, operation)
        return view
    return declare


def operation_of(view: Callable[..., object]) -> Operation | None:
    return getattr(view, _ATTRIBUTE, None)
