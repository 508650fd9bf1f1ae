"""The admin dashboard over HTTP: messages, their replies, stats and exports."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from chalice import Response
from msgspec import UNSET

from chalicelib.api import message_bodies as bodies
from chalicelib.attachments.files import AttachmentFiles
from chalicelib.audit.log import Audited
from chalicelib.auth.identity import Identity
from chalicelib.contact.model import ALL_STATUSES, STATUSES, StatusChange
from chalicelib.contact.search import MAX_QUERY_LENGTH, MAX_WORDS, Selection, search_words
from chalicelib.core import text
from chalicelib.core.domain_errors import RecordNotFound
from chalicelib.core.idempotency import Scope, checked_key
from chalicelib.core.retention import KEEP_STAGE_DEFAULT, Retention
from chalicelib.core.validation import Model, gather, parse, parse_into
from chalicelib.dashboard.bulk import BulkChange, Outcome
from chalicelib.dashboard.export import CsvPage
from chalicelib.dashboard.replies import ReplyBody
from chalicelib.dashboard.reply_store import Thread
from chalicelib.dashboard.service import Dashboard, TimeRange
from chalicelib.db.clock import iso
from chalicelib.forms.model import is_form_id
from chalicelib.http.error_map import api_error_of
from chalicelib.http.errors import ValidationFailed
from chalicelib.http.query import page_params
from chalicelib.http.responses import json_response, no_content
from chalicelib.users.model import Email

# Keys are each admin's own: another admin's identical key is another request.
REPLY_SCOPE = Scope("POST /dashboard/messages/{id}/replies", per_actor=True)


def thread_json(thread: Thread) -> bodies.MessageThread:
    return bodies.MessageThread(
        **bodies.Message.fields_of(thread.message),
        replies=[bodies.Reply.of(reply) for reply in thread.replies],
        chat=bodies.Notification.of(thread.chat) if thread.chat is not None else UNSET)


# `status=all`: the messages of every status (an export's default too).
ALL = "all"


def _status(query: Mapping[str, Any], errors: list[dict[str, str]], default: str) -> str | None:
    """A status to filter by, or None for every status (`all`)."""
    status = query.get("status") or default
    if status == ALL:
        return None
    if status not in STATUSES:
        errors.append({"field": "status",
                       "message": f"must be one of {', '.join(STATUSES)} or {ALL}"})
    return status


def _statuses(query: Mapping[str, Any], errors: list[dict[str, str]],
              searching: bool) -> tuple[str, ...] | None:
    """The statuses to list: one, or every one but spam (`all`, which has its
    own list); absent, `new` for a list and `all` for a search."""
    status = _status(query, errors, ALL if searching else "new")
    if status is None:
        return ALL_STATUSES
    return (status,) if status in STATUSES else None


class _Sender(Model):
    normalize = {"email": text.email_form}

    email: Email


def _sender(query: Mapping[str, Any], errors: list[dict[str, str]]) -> str | None:
    """The sender's address to find messages from (empty or absent: any)."""
    email = query.get("email") or None
    if email is None:
        return None
    sender = parse_into(errors, _Sender, {"email": email})
    return sender.email if sender is not None else None


def _words(query: Mapping[str, Any], errors: list[dict[str, str]]) -> tuple[str, ...]:
    """The words to search for (empty, blank or absent: none)."""
    raw = query.get("q") or ""
    words = search_words(raw)
    if len(raw) > MAX_QUERY_LENGTH or len(words) > MAX_WORDS:
        errors.append({"field": "q", "message": f"must be at most {MAX_QUERY_LENGTH} characters "
                                                f"and {MAX_WORDS} words"})
        return ()
    return words


def _form(query: Mapping[str, Any], errors: list[dict[str, str]]) -> str | None:
    """The form to filter by (empty or absent: none)."""
    form_id = query.get("form") or None
    if form_id is not None and not is_form_id(form_id):
        errors.append({"field": "form", "message": "must be a form's id: a lower-case letter, "
                                                   "then up to 39 lower-case letters, digits or "
                                                   "hyphens"})
        return None
    return form_id


def _moment(query: Mapping[str, Any], name: str, errors: list[dict[str, str]]) -> datetime | None:
    raw = query.get(name)
    if not raw:
        return None
    try:
        if len(raw) > 40:
            raise ValueError(raw)
        moment = datetime.fromisoformat(raw)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        moment.astimezone(UTC)  # out of range in UTC: 0001-01-01T00:00+01:00
    except (ValueError, OverflowError):
        errors.append({"field": name, "message": "must be an ISO 8601 date or date and time, "
                                                 "such as 2026-11-01 or 2026-11-01T09:30:00Z"})
        return None
    return moment


def csv_response(page: CsvPage, query: Mapping[str, Any], filename: str) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": "text/csv; charset=utf-8",
               "Content-Disposition": f'attachment; filename="{filename}"'}
    if page.next_cursor:
        params = {name: value for name, value in query.items() if name != "cursor" and value}
        params["cursor"] = page.next_cursor
        # A query-only reference: it resolves against the URL this page came
        # from, whatever stage prefix the API is served under.
        headers["Link"] = f'<?{urlencode(params)}>; rel="next"'
    return Response(body=page.text, status_code=200, headers=headers)


class DashboardApi:
    def __init__(self, dashboard: Dashboard, *,
                 retention: Retention = KEEP_STAGE_DEFAULT,
                 files: AttachmentFiles | None = None) -> None:
        self._dashboard = dashboard
        self._retention = retention
        self._files = files

    def attachment(self, message_id: str, index: str, accept: str | None) -> Response:
        """A redirect to the file (a signed link to the files distribution,
        which serves it as a download); its address as JSON to a page that
        asks (Accept)."""
        attachment = self._dashboard.attachment(message_id, index)  # RecordNotFound: 404
        if self._files is None:
            raise RecordNotFound("This stage keeps no attachments.")
        url, expires = self._files.download_url(attachment)
        if accept and "application/json" in accept.lower():
            return json_response(bodies.AttachmentLink(
                url=url, filename=attachment.filename, content_type=attachment.content_type,
                size=attachment.size, expires_at=iso(datetime.fromtimestamp(expires, UTC))))
        # Never cached: the address is signed for minutes, and is the admin's alone.
        return Response(body="", status_code=302,
                        headers={"Location": url, "Cache-Control": "no-store"})

    def list(self, query: Mapping[str, Any] | None) -> Response:
        query = query or {}
        errors: list[dict[str, str]] = []
        page = gather(errors, page_params, query)
        email = _sender(query, errors)
        words = _words(query, errors)
        statuses = _statuses(query, errors, searching=email is not None or bool(words))
        form_id = _form(query, errors)
        if errors or page is None or statuses is None:
            raise ValidationFailed(errors)
        limit, cursor = page
        found = self._dashboard.find(Selection(statuses, form_id, email, words),
                                     limit=limit, cursor=cursor)
        return json_response(bodies.MessagePage(
            items=[bodies.Message.of(m) for m in found.messages], next_cursor=found.next_cursor,
            searched=UNSET if found.searched is None else found.searched))

    def bulk(self, body: dict[str, Any], audited: Audited) -> Response:
        outcomes = self._dashboard.bulk(parse(BulkChange, body), audited)
        return json_response(bodies.BulkResults(results=[_result(o) for o in outcomes]))

    def get(self, message_id: str) -> Response:
        return json_response(thread_json(self._dashboard.thread(message_id)))

    def update(self, message_id: str, body: dict[str, Any], audited: Audited) -> Response:
        change = parse(StatusChange, body)
        return json_response(thread_json(self._dashboard.set_status(message_id, change.status,
                                                                    audited)))

    def delete(self, message_id: str, audited: Audited) -> Response:
        self._dashboard.delete(message_id, audited)
        return no_content()

    def stats(self) -> Response:
        counts = self._dashboard.counts()
        return json_response(bodies.Stats.of(counts, self._dashboard.form_counts(counts),
                                             retention_days=self._retention.days))

    def reply(self, message_id: str, body: dict[str, Any], raw_key: str | None,
              author: Identity, audited: Audited) -> Response:
        errors: list[dict[str, str]] = []
        key = gather(errors, checked_key, raw_key)
        reply = parse_into(errors, ReplyBody, body)
        if reply is None or errors:
            raise ValidationFailed(errors)
        request = REPLY_SCOPE.request(key, {"messageId": message_id, "body": reply.body},
                                      actor=author.sub)
        answer = self._dashboard.reply(message_id, body=reply.body,
                                       author=author.email or author.sub, author_key=author.sub,
                                       request=request, audited=audited)
        return json_response(bodies.ReplyAccepted(**answer), 202)

    def export_messages(self, query: Mapping[str, Any] | None) -> Response:
        query = query or {}
        errors: list[dict[str, str]] = []
        status = _status(query, errors, ALL)
        form_id = _form(query, errors)
        start, end = _moment(query, "from", errors), _moment(query, "to", errors)
        if start and end and start >= end:
            errors.append({"field": "to", "message": "must be later than from"})
        _check_cursor(query, errors)
        if errors:
            raise ValidationFailed(errors)
        page = self._dashboard.export_messages(status=status, period=TimeRange(start, end),
                                               cursor=query.get("cursor") or None,
                                               form_id=form_id)
        return csv_response(page, query, f"{form_id}-messages.csv" if form_id
                            else "messages.csv")

    def export_users(self, query: Mapping[str, Any] | None) -> Response:
        query = query or {}
        errors: list[dict[str, str]] = []
        _check_cursor(query, errors)
        if errors:
            raise ValidationFailed(errors)
        page = self._dashboard.export_users(cursor=query.get("cursor") or None)
        return csv_response(page, query, "users.csv")


def _result(outcome: Outcome) -> bodies.BulkResult:
    if outcome.error is None:
        return bodies.BulkResult(id=outcome.id, status=outcome.status or UNSET)
    # The answer the id's own route would give, as one entry among the others.
    error = api_error_of(outcome.error)
    return bodies.BulkResult(id=outcome.id,
                             error=bodies.ResultError(code=error.code, message=error.message))


def _check_cursor(query: Mapping[str, Any], errors: list[dict[str, str]]) -> None:
    cursor = query.get("cursor")
    if cursor is not None and len(cursor) > 200:
        errors.append({"field": "cursor", "message": "is not a cursor this list issued"})

