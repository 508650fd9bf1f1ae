"""A form's definition (the body of PUT /dashboard/forms/{id}), its limits, and
the stored record.

The Structs are the one declaration of a definition: chalicelib/forms/definition.py
validates a body against them (every bad field at once, with paths such as
`fields[3].name`), /openapi.json takes their schema, and the answers reuse them.
A stored definition is kept as JSON text in one attribute: it is read and
written whole, and numbers such as 2.5 need no Decimal round trip.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

import msgspec
from msgspec import UNSET, Meta, UnsetType

from chalicelib.attachments.types import MAX_FILE_BYTES, MAX_FILES, MEDIA_TYPES
from chalicelib.core import text
from chalicelib.core.domain_errors import InvalidFields
from chalicelib.core.retention import MAX_DAYS as MAX_RETENTION_DAYS
from chalicelib.core.text import EMAIL_MAX_LENGTH
from chalicelib.core.validation import Model
from chalicelib.db import keys
from chalicelib.users.model import Email

MAX_FORMS = 50  # per stage, the built-in contact form included
MAX_FIELDS = 30
MAX_RECIPIENTS = 5
MAX_OPTIONS = 50
MAX_FIELD_LENGTH = 5000  # the largest maxLength a field may have
NUMBER_LIMIT = 10 ** 15  # min, max and values of number fields lie within ±this

FORM_ID = rf"^[a-z][a-z0-9-]{{0,39}}{text.END}"
FIELD_NAME = rf"^[a-z][a-z0-9_]{{0,39}}{text.END}"
# Names a field may not have: the page fields and honeypots that
# POST /forms/{id} reads itself. `_`-names are refused by FIELD_NAME already;
# `website` is the contact form's honeypot, and is one in every form, so a
# snippet copied from the contact page keeps working (docs/api.md, "Forms").
RESERVED_NAMES = frozenset({"_next", "_error", "_gotcha", "_subject", "website"})

FieldType = Literal["text", "textarea", "email", "tel", "url", "number", "date", "select",
                    "checkbox", "file"]
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
# The types whose values are text of some length, and the maxLength each has
# when the definition names none. The others are bounded by what they are.
DEFAULT_MAX_LENGTH: dict[str, int] = {"text": 200, "textarea": 5000, "email": EMAIL_MAX_LENGTH,
                                      "tel": 30, "url": 2000}
ExtraFields = Literal["reject", "keep"]
# The only merge tags an autoresponse may use: nothing a visitor typed.
MERGE_TAGS = ("{{form}}", "{{reference}}", "{{date}}")

FormId = Annotated[str, Meta(pattern=FORM_ID, description="a lower-case letter, then up to 39 "
                                                          "lower-case letters, digits or hyphens")]
FieldName = Annotated[str, Meta(pattern=FIELD_NAME,
                                description="a lower-case letter, then up to 39 lower-case "
                                            "letters, digits or underscores")]
Label = Annotated[str, Meta(min_length=1, max_length=100, pattern=text.ONE_LINE,
                            description="1 to 100 characters on one line")]
MaxLength = Annotated[int, Meta(ge=1, le=MAX_FIELD_LENGTH,
                                description=f"an integer from 1 to {MAX_FIELD_LENGTH:,}")]
Bound = (Annotated[int, Meta(ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)]
         | Annotated[float, Meta(ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)])
Option = Annotated[str, Meta(min_length=1, max_length=100, pattern=text.ONE_LINE)]
Options = Annotated[list[Option], Meta(min_length=1, max_length=MAX_OPTIONS,
                                       description=f"1 to {MAX_OPTIONS} options, each 1 to 100 "
                                                   "characters on one line")]
Recipients = Annotated[list[Email], Meta(max_length=MAX_RECIPIENTS,
                                         description=f"at most {MAX_RECIPIENTS} valid email "
                                                     "addresses")]
FormName = Annotated[str, Meta(min_length=1, max_length=100, pattern=text.ONE_LINE,
                               description="1 to 100 characters on one line")]
MaxFiles = Annotated[int, Meta(ge=1, le=MAX_FILES,
                               description=f"an integer from 1 to {MAX_FILES}")]
MaxBytes = Annotated[int, Meta(ge=1, le=MAX_FILE_BYTES,
                               description=f"a number of bytes from 1 to {MAX_FILE_BYTES:,} "
                                           f"(10 MiB)")]
MediaType = Literal[MEDIA_TYPES]  # type: ignore[valid-type]
Accept = Annotated[list[MediaType], Meta(  # type: ignore[valid-type]
    min_length=1, max_length=len(MEDIA_TYPES),
    description="a list of media types, each one of " + ", ".join(MEDIA_TYPES))]
AutoSubject = Annotated[str, Meta(min_length=1, max_length=150, pattern=text.ONE_LINE,
                                  description="1 to 150 characters on one line")]
RetentionDays = Annotated[int, Meta(ge=0, le=MAX_RETENTION_DAYS,
                                    description=f"whole days from 0 (forever) to "
                                                f"{MAX_RETENTION_DAYS:,}")]
AutoBody = Annotated[str, Meta(min_length=1, max_length=2000, pattern=text.MULTI_LINE,
                               description="1 to 2,000 characters, not all blank, without "
                                           "control characters other than newlines and tabs")]


class FieldDefinition(Model, rename="camel"):
    """One field of a form. `maxLength` applies to text, textarea, email, tel and
    url fields; `min`/`max` to number fields; `options` to select fields;
    `maxFiles`, `maxBytes` and `accept` to file fields (chalicelib/attachments)."""
    name: FieldName
    label: Label
    type: Annotated[FieldType, Meta(description=f"one of {', '.join(FIELD_TYPES)}")]
    required: bool = False
    max_length: MaxLength | UnsetType = UNSET
    min: Bound | UnsetType = UNSET
    max: Bound | UnsetType = UNSET
    options: Options | UnsetType = UNSET
    max_files: MaxFiles | UnsetType = UNSET
    max_bytes: MaxBytes | UnsetType = UNSET
    accept: Accept | UnsetType = UNSET  # type: ignore[valid-type]

    @property
    def effective_max_files(self) -> int:
        """A file field's most files (1 unless it says); 0 for any other field."""
        if self.type != "file":
            return 0
        return 1 if self.max_files is UNSET else self.max_files

    @property
    def effective_max_bytes(self) -> int:
        """A file field's most bytes per file (10 MiB unless it says)."""
        return MAX_FILE_BYTES if self.max_bytes is UNSET else self.max_bytes

    @property
    def effective_accept(self) -> tuple[str, ...]:
        """The media types a file field takes (every safe one unless it says)."""
        return MEDIA_TYPES if self.accept is UNSET else tuple(self.accept)

    @property
    def effective_max_length(self) -> int | None:
        """The most characters a value may have, for the text-like types."""
        if self.type not in DEFAULT_MAX_LENGTH:
            return None
        return DEFAULT_MAX_LENGTH[self.type] if self.max_length is UNSET else self.max_length


class Autoresponse(Model):
    """Plain text mailed to the visitor; only the MERGE_TAGS are substituted."""
    subject: AutoSubject
    body: AutoBody


class FormDefinition(Model, rename="camel"):
    """PUT /dashboard/forms/{id}: the whole form (absent properties take their defaults)."""
    normalize = {"name": text.trim_spaces}

    name: FormName
    fields: Annotated[list[FieldDefinition],
                      Meta(min_length=1, max_length=MAX_FIELDS,
                           description=f"1 to {MAX_FIELDS} fields")]
    recipients: Recipients = msgspec.field(default_factory=list)
    reply_to: FieldName | None = None
    extra_fields: Annotated[ExtraFields, Meta(description="one of reject, keep")] = "reject"
    captcha: bool = False
    autoresponse: Autoresponse | None = None
    # Days its messages are kept (chalicelib/core/retention.py); None: the stage's.
    retention_days: RetentionDays | None = None

    def field(self, name: str) -> FieldDefinition | None:
        return next((f for f in self.fields if f.name == name), None)


_FORM_ID = re.compile(FORM_ID)


def is_form_id(form_id: str) -> bool:
    return _FORM_ID.match(form_id) is not None


def check_form_id(form_id: str) -> None:
    if not is_form_id(form_id):
        raise InvalidFields([{"field": "formId", "message": "must be a lower-case letter, then "
                              "up to 39 lower-case letters, digits or hyphens"}])


_definition_encoder = msgspec.json.Encoder()
_definition_decoder = msgspec.json.Decoder(FormDefinition)


@dataclass(frozen=True)
class Form:
    id: str
    definition: FormDefinition
    version: int
    updated_at: str | None  # None: the built-in contact form, never edited
    built_in: bool = False

    def to_item(self) -> dict[str, Any]:
        return {**keys.form(self.id), "type": "form", "id": self.id, "version": self.version,
                "updatedAt": self.updated_at, "definition": self.encoded(self.definition)}

    @staticmethod
    def encoded(definition: FormDefinition) -> str:
        return _definition_encoder.encode(definition).decode()

    @classmethod
    def from_item(cls, item: dict[str, Any], *, built_in: bool = False) -> Form:
        return cls(id=item["id"], definition=_definition_decoder.decode(item["definition"]),
                   version=int(item["version"]), updated_at=item.get("updatedAt"),
                   built_in=built_in)
