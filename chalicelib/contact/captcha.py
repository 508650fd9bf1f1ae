"""CAPTCHA on contact submissions: Turnstile, hCaptcha and reCAPTCHA, all of
which verify a token the same way (POST secret, response and remoteip as a
form to the provider's siteverify address; the answer's `success` says yes).

Fails closed: a verifier that cannot be reached, or a secret that cannot be
read, refuses the submission (DependencyUnavailable) rather than letting it
through unchecked.
"""
from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.core.domain_errors import CaptchaRejected, DependencyUnavailable
from chalicelib.platform.form_service import FormService, NoAnswer, Opener

VERIFY_TIMEOUT_SECONDS = 3.0
_log = logging.getLogger("frontdesk.captcha")


@dataclass(frozen=True)
class Provider:
    name: str
    form_field: str  # where the provider's widget puts its token in a form
    verify_url: str
    script_url: str  # the widget, loaded by the contact page
    # What the site's CSP must allow for the widget (infra/web_headers.py).
    script_origins: tuple[str, ...]
    frame_origins: tuple[str, ...]


PROVIDERS: dict[str, Provider] = {p.name: p for p in (
    Provider("turnstile", "cf-turnstile-response",
             "https://challenges.cloudflare.com/turnstile/v0/siteverify",
             "https://challenges.cloudflare.com/turnstile/v0/api.js",
             ("https://challenges.cloudflare.com",), ("https://challenges.cloudflare.com",)),
    Provider("hcaptcha", "h-captcha-response", "https://api.hcaptcha.com/siteverify",
             "https://js.hcaptcha.com/1/api.js",
             ("https://hcaptcha.com", "https://*.hcaptcha.com"),
             ("https://hcaptcha.com", "https://*.hcaptcha.com")),
    Provider("recaptcha", "g-recaptcha-response",
             "https://www.google.com/recaptcha/api/siteverify",
             "https://www.google.com/recaptcha/api.js",
             ("https://www.google.com/recaptcha/", "https://www.gstatic.com/recaptcha/"),
             ("https://www.google.com/recaptcha/", "https://recaptcha.google.com/recaptcha/")),
)}
FORM_FIELDS = frozenset(p.form_field for p in PROVIDERS.values())


class CaptchaVerifier:
    def __init__(self, provider: Provider, *, verify_url: str, secret: Callable[[], str],
                 opener: Opener = urllib.request.urlopen,
                 timeout_seconds: float = VERIFY_TIMEOUT_SECONDS) -> None:
        self._service = FormService(verify_url, what="CAPTCHA verify", opener=opener,
                                    timeout_seconds=min(timeout_seconds, VERIFY_TIMEOUT_SECONDS))
        self.provider = provider
        self._secret = secret

    def verify(self, token: str | None, remote_ip: str | None) -> None:
        """Returns when the provider accepts `token`; raises CaptchaRejected
        when it does not, DependencyUnavailable when it cannot be asked."""
        if not token or not isinstance(token, str) or len(token) > 4096:
            raise CaptchaRejected()
        form = {"secret": self._secret(), "response": token}
        if remote_ip and remote_ip != "unknown":
            form["remoteip"] = remote_ip
        try:
            raw, _ = self._service.post(form, max_bytes=64 * 1024)
        except NoAnswer as exc:
            _log.error("CAPTCHA verifier unavailable: %s", exc)
            raise DependencyUnavailable() from exc
        try:
            answer = json.loads(raw)
        except ValueError as exc:
            _log.error("CAPTCHA verifier unavailable: ValueError")
            raise DependencyUnavailable() from exc
        if not isinstance(answer, dict) or answer.get("success") is not True:
            raise CaptchaRejected()
