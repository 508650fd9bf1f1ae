"""POST /forms/{id} (and POST /contact) from a plain HTML form
(application/x-www-form-urlencoded).

The same submission as JSON, through the same ContactApi (fields, limits,
honeypots, rate limit, idempotency, store first); only the answer differs: a
browser that posted a form needs a page, so every outcome is a 303 to the
site's thank-you or error page, or our own small page when it named none.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from chalice import Response

from chalicelib.api.contact import ContactApi
from chalicelib.api.form_page import is_form_page
from chalicelib.contact.captcha import FORM_FIELDS as CAPTCHA_FORM_FIELDS
from chalicelib.core.domain_errors import DomainError
from chalicelib.forms.builtin import CONTACT_ID
from chalicelib.http.error_map import api_error_of
from chalicelib.http.errors import ApiError, ValidationFailed
from chalicelib.http.form import FormPost, read_form, single_values
from chalicelib.http.form_pages import error_page, redirect, thanks_page
from chalicelib.http.query import check_query
from chalicelib.http.redirects import is_allowed_target, with_query
from chalicelib.platform.metrics import RATE_LIMITED, MetricsSink

# Hidden fields a form may carry to name its own pages; never part of the message.
NEXT_FIELD, ERROR_FIELD = "_next", "_error"
NOT_ALLOWED = "must be an http(s) address on one of this site's allowed origins"

_log = logging.getLogger("frontdesk.http")


@dataclass(frozen=True)
class FormTargets:
    ok: str | None = None
    error: str | None = None


class ContactFormApi:
    def __init__(self, contact: ContactApi, *, allowed_origins: tuple[str, ...],
                 stage_targets: FormTargets, max_body_bytes: int, metrics: MetricsSink) -> None:
        self._contact = contact
        self._allowed_origins = allowed_origins
        self._stage_targets = stage_targets
        self._max_body_bytes = max_body_bytes
        self._metrics = metrics

    def submit(self, post: FormPost, form_id: str = CONTACT_ID) -> Response:
        targets = self._stage_targets
        # A page of the site, or this form's own page on the API (GET /forms/{id}).
        back_url = (post.referer if is_allowed_target(post.referer, self._allowed_origins)
                    or is_form_page(post.referer, post.host, form_id) else None)
        try:
            form = read_form(post.raw_body, max_bytes=self._max_body_bytes)
            targets = self._targets_of(form)
            check_query(post.query, frozenset())  # its action URL takes no parameters
            fields = single_values(form)
            tokens = {name: fields.pop(name) for name in CAPTCHA_FORM_FIELDS if name in fields}
            captcha = self._contact.captcha
            self._contact.accept(fields, post.idempotency_key, post.client_ip,
                                 tokens.get(captcha.provider.form_field) if captcha else None,
                                 form_id=form_id)
        except (DomainError, ApiError) as error:
            return self._refused(api_error_of(error), targets, back_url)
        return redirect(targets.ok) if targets.ok else thanks_page(back_url)

    def _targets_of(self, form: dict[str, list[str]]) -> FormTargets:
        """Take the hidden fields out of `form`; refuse any outside the site.
        The error page is settled first, so a refused `_next` is reported there."""
        targets = self._stage_targets
        problems = []
        for name in (ERROR_FIELD, NEXT_FIELD):
            values = form.pop(name, [])
            url = values[0] if len(values) == 1 else ""
            if len(values) > 1:
                problems.append({"field": name, "message": "must be sent once"})
            if not url:
                continue
            if not is_allowed_target(url, self._allowed_origins):
                problems.append({"field": name, "message": NOT_ALLOWED})
            elif name == ERROR_FIELD:
                targets = replace(targets, error=url)
            else:
                targets = replace(targets, ok=url)
        if problems:
            raise _RefusedTargets(problems, replace(targets, ok=None))
        return targets

    def _refused(self, error: ApiError, targets: FormTargets, back_url: str | None) -> Response:
        if isinstance(error, _RefusedTargets):
            targets = error.targets
        if error.status >= 500:
            _log.error("request failed", exc_info=error.__cause__ or error)
        if not targets.error:
            return error_page(error, back_url)
        if error.status == 429:
            self._metrics.count(RATE_LIMITED)  # the pipeline counts only a 429 it sees
        fields = ",".join(d["field"] for d in error.details or [] if d.get("field"))
        return redirect(with_query(targets.error, {"error": error.code, "fields": fields}))


class _RefusedTargets(ValidationFailed):
    def __init__(self, problems: list[dict[str, str]], targets: FormTargets) -> None:
        super().__init__(problems)
        self.targets = targets
