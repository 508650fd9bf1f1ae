"""Frontdesk's HTTP API: routes, their roles, the Cognito authorizer and the middleware.

Each route is its decorators (path, methods, authorizer, role), then: parse,
call chalicelib, return. Everything else lives in chalicelib/.
"""
from chalice import Chalice, CognitoUserPoolAuthorizer

from chalicelib import log
from chalicelib.auth import roles
from chalicelib.config import Settings
from chalicelib.http.pipeline import HttpPipeline
from chalicelib.http.routing import answer_every_method
from chalicelib.metrics import Metrics

settings = Settings.from_env()

app = Chalice(app_name="frontdesk", configure_logs=False)
# app.log is the "frontdesk" logger; chalicelib's "frontdesk.*" loggers log through it.
log.configure(app.log)

# API Gateway verifies the ID token on every route that names this authorizer.
# Outside Lambda the pipeline's AccessGuard verifies it instead (see guard.py).
cognito = CognitoUserPoolAuthorizer("frontdesk-users", provider_arns=[settings.user_pool_arn])

# One middleware answers preflights, enforces each route's role, and gives every
# response, errors included, the JSON error shape and CORS headers.
# `metrics` is the one EMF writer of this container; hand it to what counts events.
metrics = Metrics(stage=settings.stage)
app.register_middleware(HttpPipeline.for_app(app, settings, metrics), "http")


@app.route("/health", methods=["GET"])
@roles.public
def health() -> dict:
    return {"ok": True}


# Last: every path also answers OPTIONS (preflight) and 405 for other methods.
answer_every_method(app)
