"""POST /contact over HTTP."""
from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.api.headers import idempotency_key
from chalicelib.contact.captcha import CaptchaVerifier
from chalicelib.contact.idempotency import IdempotentRequest
from chalicelib.contact.model import ContactSubmission
from chalicelib.contact.store import MessageStore
from chalicelib.db.rate_limit import RateLimiter
from chalicelib.errors import ValidationFailed
from chalicelib.http.responses import json_response
from chalicelib.ids import new_id, ulid_from
from chalicelib.metrics import CONTACT_RECEIVED, MetricsSink
from chalicelib.validation import gather, parse

MAX_BODY_BYTES = 16 * 1024
# Where a JSON body carries the CAPTCHA widget's token (a form uses the provider's own name).
CAPTCHA_TOKEN_FIELD = "captchaToken"


class ContactApi:
    def __init__(self, messages: MessageStore, limiter: RateLimiter, metrics: MetricsSink,
                 captcha: CaptchaVerifier | None = None) -> None:
        self._messages = messages
        self._limiter = limiter
        self._metrics = metrics
        self.captcha = captcha

    def submit(self, body: dict[str, Any], raw_key: str | None, client_ip: str) -> Response:
        token = body.pop(CAPTCHA_TOKEN_FIELD, None)  # ignored when the stage has no CAPTCHA
        return json_response(self.accept(body, raw_key, client_ip, token), 202)

    def accept(self, body: dict[str, Any], raw_key: str | None, client_ip: str,
               captcha_token: Any = None) -> dict[str, Any]:
        """The receipt ({id, status}) of a submission, however it arrived."""
        errors: list[dict[str, str]] = []
        key = gather(errors, idempotency_key, raw_key)
        submission = gather(errors, parse, ContactSubmission, body)
        if submission is None or errors:
            raise ValidationFailed(errors)
        if submission.is_spam:
            # Answer as for a success (and count it like one), but keep nothing.
            # A retry with the same key gets the same id, as a real replay would.
            self._limiter.hit(client_ip)
            decoy = ulid_from(key.encode()) if key else new_id()
            return {"id": decoy, "status": "received"}
        request = IdempotentRequest(key, submission.fields()) if key else None
        if request is not None:
            replayed = self._messages.replay(request)
            if replayed is not None:
                return replayed  # a retry neither counts nor stores
        if self.captcha is not None:
            # After the replay: a token is good once, and a retry of a stored
            # submission must still get its answer. Before anything is stored.
            self.captcha.verify(captcha_token, client_ip)
        # Counted in the transaction that stores it: what stores nothing counts nothing.
        receipt = self._messages.create(submission.fields(), request,
                                        self._limiter.charge(client_ip))
        if receipt.stored:
            self._metrics.count(CONTACT_RECEIVED)
        return receipt.body
