"""POST /contact and the admin dashboard, over HTTP."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from chalice import Response

from chalicelib.contact.model import STATUSES, ContactSubmission, StatusChange
from chalicelib.contact.rate_limit import RateLimiter
from chalicelib.contact.store import MessageStore
from chalicelib.errors import ValidationFailed
from chalicelib.http.query import page_params
from chalicelib.http.responses import json_response, no_content
from chalicelib.idempotency import IdempotencyStore, IdempotentRequest, KeyInUse, checked_key
from chalicelib.ids import new_id
from chalicelib.metrics import CONTACT_RECEIVED, MetricsSink
from chalicelib.validation import gather, parse

MAX_BODY_BYTES = 16 * 1024
IDEMPOTENCY_SCOPE = "POST /contact"


class ContactApi:
    def __init__(self, messages: MessageStore, limiter: RateLimiter, idempotency: IdempotencyStore,
                 metrics: MetricsSink) -> None:
        self._messages = messages
        self._limiter = limiter
        self._idempotency = idempotency
        self._metrics = metrics

    def submit(self, body: dict[str, Any], idempotency_key: str | None, client_ip: str) -> Response:
        errors: list[dict[str, str]] = []
        key = gather(errors, checked_key, idempotency_key)
        submission = gather(errors, parse, ContactSubmission, body)
        if submission is None or errors:
            raise ValidationFailed(errors)
        request = IdempotentRequest(IDEMPOTENCY_SCOPE, key, submission.fields()) if key else None
        if request is not None:
            replayed = self._idempotency.replay(request)
            if replayed is not None:
                return json_response(replayed, 202)  # a retry neither counts nor stores
        if submission.is_spam:
            # Answer as for a success (counted like one), keep no message. The
            # decoy id is a fresh ULID, like a real one, and a retry with the
            # same key replays it as a real replay would.
            self._limiter.hit(client_ip)
            decoy = {"id": new_id(), "status": "received"}
            if request is not None:
                decoy = self._idempotency.remember(request, decoy)
            return json_response(decoy, 202)
        try:
            # Counted in the transaction that stores it: what stores nothing counts nothing.
            answer = self._messages.create(submission.fields(), request,
                                           self._limiter.charge(client_ip))
        except KeyInUse:
            assert request is not None
            return json_response(self._idempotency.replay_raced(request), 202)
        self._metrics.count(CONTACT_RECEIVED)
        return json_response(answer, 202)


class DashboardApi:
    def __init__(self, messages: MessageStore, counters: Callable[[], dict[str, int]]) -> None:
        self._messages = messages
        self._counters = counters

    def list(self, query: Mapping[str, Any] | None) -> Response:
        errors: list[dict[str, str]] = []
        page = gather(errors, page_params, query)
        status = (query or {}).get("status", "new")
        if status not in STATUSES:
            errors.append({"field": "status", "message": f"must be one of {', '.join(STATUSES)}"})
        if errors or page is None:
            raise ValidationFailed(errors)
        limit, cursor = page
        messages, next_cursor = self._messages.list(status=status, limit=limit, cursor=cursor)
        return json_response({"items": [m.to_json() for m in messages], "nextCursor": next_cursor})

    def get(self, message_id: str) -> Response:
        return json_response(self._messages.get(message_id).to_json())

    def update(self, message_id: str, body: dict[str, Any]) -> Response:
        change = parse(StatusChange, body)
        return json_response(self._messages.set_status(message_id, change.status).to_json())

    def delete(self, message_id: str) -> Response:
        self._messages.delete(message_id)
        return no_content()

    def stats(self) -> Response:
        counts = self._counters()
        return json_response({
            "users": counts["users"],
            "messages": {"new": counts["messagesNew"], "read": counts["messagesRead"],
                         "archived": counts["messagesArchived"]},
            "notifications": {"pending": counts["notificationsPending"],
                              "failed": counts["notificationsFailed"]},
        })
