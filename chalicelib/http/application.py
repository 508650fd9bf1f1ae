"""Chalice, with what every route needs applied as the route is declared.

- **Its errors.** Chalice turns an exception a view raises into its own 500
  body before any middleware sees it, so the error map
  (chalicelib/http/error_map.py) must sit between Chalice and the view. `route`
  puts it there, the way Powertools' exception handlers or Starlette's
  exception_handlers are part of declaring the app.
- **Every method of its path.** API Gateway forwards only the methods a path
  declares, so each path also gets a route for every method it lacks (OPTIONS
  for preflights, 405 with Allow for the others), answered by the pipeline
  (chalicelib/http/routing.py). A method declared later replaces its stand-in.

So a route declared anywhere, in any order, answers like every other.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Chalice

from chalicelib.http.cors import ALL_METHODS
from chalicelib.http.error_map import answering_errors
from chalicelib.http.routing import not_routed

View = Callable[..., Any]


class Application(Chalice):
    def route(self, path: str, **kwargs: Any) -> Callable[[View], View]:
        methods = [m.upper() for m in kwargs.get("methods", ["GET"])]
        register = super().route(path, **kwargs)

        def declare(view: View) -> View:
            entries = self.routes[path]
            for method in methods:
                if method in entries and entries[method].view_function is not_routed:
                    del entries[method]
            register(answering_errors(view))
            missing = [m for m in (*ALL_METHODS, "OPTIONS") if m not in entries]
            if missing:
                super(Application, self).route(path, methods=missing, name="not_routed")(not_routed)
            return view
        return declare

    def register_blueprint(self, *args: Any, **kwargs: Any) -> None:
        # A blueprint's routes reach Chalice without passing through `route`.
        raise NotImplementedError("declare routes on the Application itself")
