"""The forms routes' bodies, declared once, as in chalicelib/api/bodies.py. A
form's fields and autoresponse are the definition's own Structs
(chalicelib/forms/model.py): what is answered is what may be sent back."""
from __future__ import annotations

from typing import Literal

import msgspec

from chalicelib.api.bodies import Body, Moment
from chalicelib.forms.model import Autoresponse, FieldDefinition
from chalicelib.forms.model import Form as FormRecord


class Form(Body, kw_only=True):
    """A form's definition with every default filled in (each text field's
    maxLength too), and what the store adds: `builtIn` (the contact form),
    `version` (the ETag) and `updatedAt` (null until the contact form is first edited)."""
    form_id: str
    name: str
    fields: list[FieldDefinition]
    recipients: list[str]
    reply_to: str | None
    extra_fields: Literal["reject", "keep"]
    captcha: bool
    autoresponse: Autoresponse | None
    # Days its messages are kept; null: the stage's retentionDays (GET /dashboard/stats).
    retention_days: int | None
    built_in: bool
    version: int
    updated_at: Moment | None

    @classmethod
    def of(cls, form: FormRecord) -> Form:
        d = form.definition
        return cls(form_id=form.id, name=d.name,
                   fields=[msgspec.structs.replace(field, max_length=field.effective_max_length)
                           if field.effective_max_length is not None else field
                           for field in d.fields],
                   recipients=list(d.recipients), reply_to=d.reply_to,
                   extra_fields=d.extra_fields, captcha=d.captcha, autoresponse=d.autoresponse,
                   retention_days=d.retention_days, built_in=form.built_in,
                   version=form.version, updated_at=form.updated_at)


class FormList(Body):
    forms: list[Form]


# The bodies above, for /openapi.json.
ANSWERS: tuple[type[msgspec.Struct], ...] = (Form, FormList)
