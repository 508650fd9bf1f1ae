"""POST /contact over HTTP."""
from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.api.message_bodies import ContactReceived
from chalicelib.contact.captcha import CaptchaVerifier
from chalicelib.contact.model import ContactSubmission
from chalicelib.contact.store import MessageStore
from chalicelib.core.idempotency import IdempotencyStore, IdempotentRequest, Scope, checked_key
from chalicelib.core.validation import gather, parse_into
from chalicelib.db.rate_limit import RateLimiter
from chalicelib.http.errors import ValidationFailed
from chalicelib.http.responses import json_response
from chalicelib.platform.ids import new_id
from chalicelib.platform.metrics import CONTACT_RECEIVED, MetricsSink

MAX_BODY_BYTES = 16 * 1024
SCOPE = Scope("POST /contact")
# Where a JSON body carries the CAPTCHA widget's token (a form uses the provider's own name).
CAPTCHA_TOKEN_FIELD = "captchaToken"  # noqa: S105 (a field name, not a secret)


class ContactApi:
    def __init__(self, messages: MessageStore, limiter: RateLimiter, idempotency: IdempotencyStore,
                 metrics: MetricsSink, captcha: CaptchaVerifier | None = None) -> None:
        self._messages = messages
        self._limiter = limiter
        self._idempotency = idempotency
        self._metrics = metrics
        self.captcha = captcha

    def submit(self, body: dict[str, Any], raw_key: str | None, client_ip: str) -> Response:
        token = body.pop(CAPTCHA_TOKEN_FIELD, None)  # ignored when the stage has no CAPTCHA
        return json_response(ContactReceived(**self.accept(body, raw_key, client_ip, token)), 202)

    def accept(self, body: dict[str, Any], raw_key: str | None, client_ip: str,
               captcha_token: Any = None) -> dict[str, Any]:
        """The receipt ({id, status}) of a submission, however it arrived."""
        errors: list[dict[str, str]] = []
        key = gather(errors, checked_key, raw_key)
        submission = parse_into(errors, ContactSubmission, body)
        if submission is None or errors:
            raise ValidationFailed(errors)
        request = SCOPE.request(key, submission.fields())
        # A retry neither counts nor stores: it gets the first answer.
        return self._idempotency.once(request, lambda keyed: self._received(
            submission, keyed, client_ip, captcha_token))

    def _received(self, submission: ContactSubmission, request: IdempotentRequest | None,
                  client_ip: str, captcha_token: Any) -> dict[str, Any]:
        if submission.is_spam:
            # Answer as for a success (counted like one), keep no message. The
            # decoy id is a fresh ULID, like a real one, and a retry with the
            # same key replays it as a real replay would.
            self._limiter.hit(client_ip)
            decoy = {"id": new_id(), "status": "received"}
            if request is not None:
                decoy = self._idempotency.remember(request, decoy)
            return decoy
        if self.captcha is not None:
            # After the replay: a token is good once, and a retry of a stored
            # submission must still get its answer. Before anything is stored.
            self.captcha.verify(captcha_token, client_ip)
        # Counted in the transaction that stores it: what stores nothing counts nothing.
        answer = self._messages.create(submission.fields(), request,
                                       self._limiter.charge(client_ip))
        self._metrics.count(CONTACT_RECEIVED)
        return answer
