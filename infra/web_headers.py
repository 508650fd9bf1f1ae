"""The security headers every page of web/ is served with, defined once.

Deployed, CloudFront's response headers policy (infra/resources.yaml) sets
them: deploy passes the CSP and the Permissions-Policy as stack parameters,
and a test holds the template's fixed headers to this module. Locally,
`make dev`'s web server (devstack/stack.py) sends the same map. So the policy
a developer sees under `make dev` is the one the deployed site enforces.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from chalicelib.contact.captcha import PROVIDERS as CAPTCHA_PROVIDERS

HSTS_MAX_AGE_SECONDS = 2 * 365 * 24 * 3600
REFERRER_POLICY = "strict-origin-when-cross-origin"
# Nothing in web/ uses any of these; a script injected despite the CSP gets none of them.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
    "payment", "usb"))


def origin_of(url: str) -> str:
    """scheme://host[:port] of an address, the unit CSP and CORS work in."""
    parts = urlsplit(url)
    if not (parts.scheme and parts.netloc):
        raise ValueError(f"not an absolute address: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(api_origin: str | None, cognito_origin: str,
                            captcha_provider: str | None = None,
                            upload_origins: tuple[str, ...] = ()) -> str:
    """`api_origin` is None only while a first deploy has no API yet.

    connect-src keeps 'self' because the pages fetch config.json from their own
    origin, and allows `upload_origins`, where form.html posts files (the
    attachments bucket's presigned POSTs). form-action allows the API so a form
    may post to it directly. A stage with a CAPTCHA allows exactly its
    provider's script and frames.
    """
    api = [api_origin] if api_origin else []
    captcha = CAPTCHA_PROVIDERS[captcha_provider] if captcha_provider else None
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *(captcha.script_origins if captcha else ())],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", *api, cognito_origin,
                        *(o for o in upload_origins if o != cognito_origin)],
        "form-action": ["'self'", *api],
        **({"frame-src": list(captcha.frame_origins)} if captcha else {}),
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def security_headers(api_url: str | None, cognito_endpoint: str,
                     captcha_provider: str | None = None,
                     upload_origins: tuple[str, ...] = ()) -> dict[str, str]:
    """The headers for every response of the site whose config.json names
    this API and this Cognito endpoint (full addresses; only origins are used)
    and, when it has one, this CAPTCHA provider; `upload_origins`, where its
    pages post files (CSP sources: the attachments bucket's)."""
    return {
        "Content-Security-Policy": content_security_policy(
            origin_of(api_url) if api_url else None, origin_of(cognito_endpoint),
            captcha_provider, upload_origins),
        "Strict-Transport-Security": f"max-age={HSTS_MAX_AGE_SECONDS}; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        # frame-ancestors says the same to every current browser; this is for older ones.
        "X-Frame-Options": "DENY",
        "Referrer-Policy": REFERRER_POLICY,
        "Permissions-Policy": PERMISSIONS_POLICY,
    }
