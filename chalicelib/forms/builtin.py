"""The built-in `contact` form: today's POST /contact as a form definition.

It always exists: until an admin edits it, it is this definition in code
(version 1, never updated). It can be edited but not deleted, and only where
an edit keeps POST /contact's contract (chalicelib/contact/model.py): its four
fields keep their names, order, types, `required` and lengths, unknown fields
stay refused, and the visitor's email stays the Reply-To. Its name, its
fields' labels, its recipients, its CAPTCHA switch and its autoresponse may change.
"""
from __future__ import annotations

from chalicelib.forms.model import FieldDefinition, Form, FormDefinition

CONTACT_ID = "contact"
BUILT_IN_VERSION = 1

# As ContactSubmission takes them: name 1-100 characters on one line, a valid
# email, an optional subject of at most 150 on one line, a message of 1-5,000.
# CAPTCHA on: POST /contact asks for one wherever the stage has one configured.
CONTACT = FormDefinition(
    name="Contact",
    fields=[FieldDefinition(name="name", label="Name", type="text", required=True,
                            max_length=100),
            FieldDefinition(name="email", label="Email", type="email", required=True),
            FieldDefinition(name="subject", label="Subject", type="text", max_length=150),
            FieldDefinition(name="message", label="Message", type="textarea", required=True)],
    reply_to="email", captcha=True)


def contact_form() -> Form:
    return Form(id=CONTACT_ID, definition=CONTACT, version=BUILT_IN_VERSION, updated_at=None,
                built_in=True)


def _contract(field: FieldDefinition) -> tuple[object, ...]:
    return (field.name, field.type, field.required, field.effective_max_length, field.min,
            field.max, field.options)


def contact_edit_problems(definition: FormDefinition) -> list[dict[str, str]]:
    """What an edit of the contact form changes that POST /contact's contract fixes."""
    problems: list[dict[str, str]] = []
    fixed = "is fixed in the contact form (only its label may change)"
    if len(definition.fields) != len(CONTACT.fields):
        problems.append({"field": "fields", "message": "must be the contact form's four fields, "
                                                       "name, email, subject and message"})
    else:
        for index, (field, built_in) in enumerate(zip(definition.fields, CONTACT.fields,
                                                      strict=True)):
            if _contract(field) != _contract(built_in):
                problems.append({"field": f"fields[{index}]",
                                 "message": f"must be the built-in {built_in.name} field: "
                                            f"{fixed}"})
    if definition.extra_fields != CONTACT.extra_fields:
        problems.append({"field": "extraFields", "message": "must be reject in the contact form"})
    if definition.reply_to != CONTACT.reply_to:
        problems.append({"field": "replyTo", "message": "must be email in the contact form"})
    return problems
