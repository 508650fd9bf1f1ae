"""Posts to a form over HTTP: POST /forms/{id}, and POST /contact, which is
POST /forms/contact. One pipeline for every form: the form read, the body
checked against it (chalicelib/forms/received.py), the honeypots answered like
a success, an Idempotency-Key replayed, the CAPTCHA asked for where the form
wants one and the stage has one, then the message stored with its rate limit
charge and its deliveries in one transaction (chalicelib/contact/store.py)."""
from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.api.message_bodies import ContactReceived
from chalicelib.attachments.files import AttachmentFiles
from chalicelib.attachments.model import Attachment
from chalicelib.autoresponder.decision import Verdict
from chalicelib.contact.captcha import FORM_FIELDS as CAPTCHA_FORM_FIELDS
from chalicelib.contact.captcha import CaptchaVerifier
from chalicelib.contact.store import MessageStore
from chalicelib.core.domain_errors import InvalidFields
from chalicelib.core.idempotency import IdempotencyStore, IdempotentRequest, Scope, checked_key
from chalicelib.core.validation import gather
from chalicelib.db.rate_limit import RateLimiter
from chalicelib.forms.builtin import CONTACT_ID
from chalicelib.forms.model import Form
from chalicelib.forms.received import Received, receive
from chalicelib.forms.store import FormStore
from chalicelib.forms.submission import FieldValue
from chalicelib.http.errors import ValidationFailed
from chalicelib.http.responses import json_response
from chalicelib.platform.ids import new_id
from chalicelib.platform.metrics import CONTACT_RECEIVED, MetricsSink
from chalicelib.spam.screen import CLEAN, Post, SpamScreen

MAX_BODY_BYTES = 16 * 1024
SCOPE = Scope("POST /contact")
# Where a JSON body carries the CAPTCHA widget's token (a form uses the provider's own name).
CAPTCHA_TOKEN_FIELD = "captchaToken"  # noqa: S105 (a field name, not a secret)


def with_file_names(form: Form, values: dict[str, FieldValue],
                    attachments: list[Attachment]) -> dict[str, FieldValue]:
    """`values` with each file field's: the names of its files, in the form's order."""
    names: dict[str, list[str]] = {}
    for attachment in attachments:
        names.setdefault(attachment.field, []).append(attachment.filename)
    return {f.name: ", ".join(names[f.name]) if f.name in names else values[f.name]
            for f in form.definition.fields if f.name in names or f.name in values}


def scope_of(form: Form) -> Scope:
    """A key is a key to one form's posts; the contact form's keep POST /contact's scope."""
    return SCOPE if form.id == CONTACT_ID else Scope(f"POST /forms/{form.id}")


class ContactApi:
    """Every form's posts (the contact form's, POST /contact, among them)."""

    def __init__(self, messages: MessageStore, forms: FormStore, limiter: RateLimiter,
                 idempotency: IdempotencyStore, metrics: MetricsSink,
                 captcha: CaptchaVerifier | None = None,
                 spam: SpamScreen | None = None, *,
                 files: AttachmentFiles | None = None) -> None:
        self._messages = messages
        self._forms = forms
        self._limiter = limiter  # one per stage: its keys are the client's, whatever the form
        self._idempotency = idempotency
        self._metrics = metrics
        self.captcha = captcha
        self._spam = spam
        self._files = files

    def submit(self, body: dict[str, Any], raw_key: str | None, client_ip: str,
               form_id: str = CONTACT_ID) -> Response:
        token = body.pop(CAPTCHA_TOKEN_FIELD, None)  # ignored when the stage has no CAPTCHA
        if form_id != CONTACT_ID:  # a widget's own field names too (POST /contact: as ever)
            for name in CAPTCHA_FORM_FIELDS:
                body.pop(name, None)
        answer = self.accept(body, raw_key, client_ip, token, form_id=form_id)
        return json_response(ContactReceived(**answer), 202)

    def accept(self, body: dict[str, Any], raw_key: str | None, client_ip: str,
               captcha_token: Any = None, *, form_id: str = CONTACT_ID) -> dict[str, Any]:
        """The receipt ({id, status}) of a post to the form, however it arrived."""
        form = self._forms.get(form_id)  # RecordNotFound (404), for an id no form can have too
        errors: list[dict[str, str]] = []
        key = gather(errors, checked_key, raw_key)
        received = gather(errors, receive, form, body)
        if received is None or errors:
            raise ValidationFailed(errors)
        sender = received.values.get(form.definition.reply_to or "")
        request = scope_of(form).request(key, received.compared(),
                                         about=sender if isinstance(sender, str) and sender
                                         else None)
        # A retry neither counts nor stores: it gets the first answer.
        return self._idempotency.once(request, lambda keyed: self._received(
            form, received, keyed, client_ip, captcha_token))

    def _received(self, form: Form, received: Received, request: IdempotentRequest | None,
                  client_ip: str, captcha_token: Any) -> dict[str, Any]:
        if received.is_spam:
            # Answer as for a success (counted like one), keep no message. The
            # decoy id is a fresh ULID, like a real one, and a retry with the
            # same key replays it as a real replay would.
            self._limiter.hit(client_ip)
            decoy = {"id": new_id(), "status": "received"}
            if request is not None:
                decoy = self._idempotency.remember(request, decoy)
            return decoy
        if self.captcha is not None and form.definition.captcha:
            # After the replay: a token is good once, and a retry of a stored
            # submission must still get its answer. Before anything is stored.
            self.captcha.verify(captcha_token, client_ip)
        # Each file checked in the bucket before anything is stored; the file
        # field's value is then its files' names.
        attachments: list[Attachment] = []
        values = received.values
        if received.uploads:
            if self._files is None:
                raise InvalidFields([{"field": name, "message": "cannot take files on this "
                                      "stage"} for name in received.uploads])
            attachments = self._files.inspect(form, received.uploads)
            values = with_file_names(form, values, attachments)
        # Spam by the content rules is stored as spam, and answered as any post
        # is: a sender learns nothing of the rules.
        screening = CLEAN if self._spam is None else self._spam.screen(Post.of(
            form, values, received.extra, received.topic, client_ip))
        # Counted in the transaction that stores it: what stores nothing counts nothing.
        # The post passed every check: accepted, so its form's autoresponse is due
        # (the decoy above, a refused CAPTCHA or charge store nothing, and ask for none;
        # a message stored as spam asks for none either).
        answer = self._messages.create(values, request, self._limiter.charge(client_ip),
                                       form=form, extra=received.extra, topic=received.topic,
                                       verdict=Verdict.ACCEPTED, screening=screening,
                                       attachments=attachments)
        if attachments and self._files is not None:
            self._files.move(attachments)  # claimed: out of the unclaimed prefix
        self._metrics.count(CONTACT_RECEIVED)
        return answer
