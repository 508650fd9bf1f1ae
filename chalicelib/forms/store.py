"""FormStore: form definitions in the single table, with DynamoDB enforcing the rules.

- Every form is one item in the FORMS partition (sort key FORM#<id>), so one
  strongly consistent Query lists them all, sorted by id. The built-in
  contact form is stored only once edited; until then it is its definition
  in code (chalicelib/forms/builtin.py), version 1.
- Put, new form: one transaction puts the form (attribute_not_exists) and adds
  1 to the forms counter on condition it is below the cap, so concurrent
  creates can never pass it. A create that loses a race to the same id is read
  again and becomes a replace.
- Put, existing form: conditional on the version just read (optimistic
  concurrency; If-Match names the versions it may replace; without one, a
  concurrent replace is read again and the put applied to it, so concurrent
  puts each get a version of their own).
- With an `Audited`, every write holds its audit entry in its transaction.
- Delete: conditional on the version just read, and subtracts 1 from the counter
  in the same transaction. The contact form is never deleted.
"""
from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.audit.entry import Target
from chalicelib.audit.log import PART as AUDIT_PART
from chalicelib.audit.log import Audited
from chalicelib.core.domain_errors import (
    BuiltInForm,
    DependencyUnavailable,
    InvalidFields,
    LimitReached,
    RecordNotFound,
    VersionMismatch,
)
from chalicelib.db import keys
from chalicelib.db.clock import iso, utc_now
from chalicelib.db.errors import aws_unavailable_mapped
from chalicelib.db.expressions import attr, delete, put, update
from chalicelib.db.items import from_item, to_value
from chalicelib.db.reads import get_item
from chalicelib.db.table import PK, SK
from chalicelib.db.transactions import (
    ConditionFailed,
    PartOrder,
    Parts,
    as_written,
    transact_write,
)
from chalicelib.forms.builtin import CONTACT_ID, contact_edit_problems, contact_form
from chalicelib.forms.model import MAX_FORMS, Form, FormDefinition, check_form_id, is_form_id

_COUNT = "count"
# A write conditional on the version read loses only to another writer's
# success, so a put that names no version (If-Match absent) lands within
# this many attempts whenever fewer writers race it: nine admins saving one
# form in the same instant.
_ATTEMPTS = 10


@dataclass(frozen=True)
class Precondition:
    """What must hold of the current form for a put to apply (If-Match, If-None-Match)."""
    versions: Set[int] | None = None  # the current version must be one of these; None: any
    exists: bool | None = None  # True: a form must exist; False: none may; None: either

    def allows(self, current: Form | None) -> bool:
        if current is None:
            return self.versions is None and self.exists is not True
        return self.exists is not False and (self.versions is None
                                             or current.version in self.versions)


ANY = Precondition()


class FormStore:
    def __init__(self, client: Any, table_name: str, *, clock: Callable[[], datetime] = utc_now,
                 part_order: PartOrder = as_written, max_forms: int = MAX_FORMS) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock
        self._part_order = part_order
        # The contact form always exists, so this many others may be stored.
        self._max_stored = max_forms - 1

    # -- reads ---------------------------------------------------------------

    def get(self, form_id: str) -> Form:
        form, _ = self._current(form_id)
        if form is None:
            raise RecordNotFound("No form has this id.")
        return form

    def list(self) -> list[Form]:
        """Every form, the contact form included, sorted by id."""
        query: dict[str, Any] = {
            "TableName": self._table, "ConsistentRead": True,
            "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": PK, "#sk": SK},
            "ExpressionAttributeValues": {":pk": to_value(keys.FORMS),
                                          ":prefix": to_value(keys.FORM_PREFIX)}}
        forms: dict[str, Form] = {}
        while True:  # 50 forms fit one page; a page is at most 1 MB
            with aws_unavailable_mapped():
                response = self._client.query(**query)
            for typed in response["Items"]:
                form = self._from_item(from_item(typed))
                forms[form.id] = form
            if "LastEvaluatedKey" not in response:
                break
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        forms.setdefault(CONTACT_ID, contact_form())
        return [forms[form_id] for form_id in sorted(forms)]

    # -- writes --------------------------------------------------------------

    def put(self, form_id: str, definition: FormDefinition,
            precondition: Precondition = ANY,
            audited: Audited | None = None) -> tuple[Form, bool]:
        """Create or replace the form; (the form, whether it was created).
        InvalidFields for an id no form may have, or an edit of the contact
        form that would break POST /contact; VersionMismatch when
        `precondition` does not hold; LimitReached at the cap."""
        check_form_id(form_id)
        if form_id == CONTACT_ID:
            problems = contact_edit_problems(definition)
            if problems:
                raise InvalidFields(problems)
        for _ in range(_ATTEMPTS):
            current, stored = self._current(form_id)
            if not precondition.allows(current):
                raise VersionMismatch("The form changed since you read it." if current
                                      else "No form has this id yet.")
            now = iso(self._clock())
            if current is None:
                form = Form(id=form_id, definition=definition, version=1, updated_at=now)
                if self._create(form, _audit(audited, form, "created")):
                    return form, True
                continue  # created meanwhile: replace it, if the precondition allows
            form = Form(id=form_id, definition=definition, version=current.version + 1,
                        updated_at=now, built_in=current.built_in)
            try:
                self._replace(form, current, stored,
                              _audit(audited, form, f"replaced version {current.version}"))
                return form, False
            except ConditionFailed:
                pass
            # Changed or deleted since we read it: read again.
        raise DependencyUnavailable("The form kept changing while being saved. Try again.")

    def delete(self, form_id: str, expected_versions: Set[int] | None = None,
               audited: Audited | None = None) -> None:
        if form_id == CONTACT_ID:
            raise BuiltInForm()
        for _ in range(_ATTEMPTS):
            current, _ = self._current(form_id)
            if current is None:
                raise RecordNotFound("No form has this id.")
            if expected_versions is not None and current.version not in expected_versions:
                raise VersionMismatch("The form changed since you read it.")
            try:
                transact_write(self._client, {
                    "form": {"Delete": delete(self._table, keys.form(form_id),
                                              condition=attr("version").eq(current.version))},
                    "count": {"Update": update(self._table, keys.FORM_COUNT, add={_COUNT: -1})},
                    **_audit(audited, current, "deleted", action="form.delete"),
                }, order=self._part_order)
                return
            except ConditionFailed:
                continue  # changed or deleted since we read it: read again
        raise DependencyUnavailable("The form kept changing while being deleted. Try again.")

    def stored_count(self) -> int:
        """The counter the cap is held by (stored forms besides the contact form)."""
        item = get_item(self._client, self._table, keys.FORM_COUNT)
        return int(item.get(_COUNT, 0)) if item else 0

    # -- pieces --------------------------------------------------------------

    def _current(self, form_id: str) -> tuple[Form | None, bool]:
        """The form and whether it is stored; the contact form is never None."""
        if not is_form_id(form_id):  # also keeps junk out of DynamoDB keys
            return None, False
        item = get_item(self._client, self._table, keys.form(form_id))
        if item is not None:
            return self._from_item(item), True
        return (contact_form(), False) if form_id == CONTACT_ID else (None, False)

    @staticmethod
    def _from_item(item: dict[str, Any]) -> Form:
        return Form.from_item(item, built_in=item["id"] == CONTACT_ID)

    def _replace(self, form: Form, current: Form, stored: bool, audit: Parts) -> None:
        """Store `form` over `current` (ConditionFailed: it changed or went
        meanwhile). The contact form in code is replaced only if nobody stored
        it meanwhile."""
        unchanged = attr("version").eq(current.version) if stored else attr(PK).not_exists()
        transact_write(self._client, {
            "form": {"Put": put(self._table, form.to_item(), condition=unchanged)}, **audit,
        }, order=self._part_order)

    def _create(self, form: Form, audit: Parts) -> bool:
        """Store a new form and count it; False if one with its id appeared meanwhile."""
        below_cap = attr(_COUNT).not_exists() | attr(_COUNT).lt(self._max_stored)
        try:
            transact_write(self._client, {
                "form": {"Put": put(self._table, form.to_item(), condition=attr(PK).not_exists())},
                "count": {"Update": update(self._table, keys.FORM_COUNT, add={_COUNT: 1},
                                           condition=below_cap)},
                **audit,
            }, order=self._part_order)
        except ConditionFailed as exc:
            if exc.failed("form"):
                return False
            if exc.failed("count"):
                raise LimitReached(f"A stage has at most {self._max_stored + 1} forms, "
                                   "the contact form included. Delete one first.") from exc
            raise
        return True


def _audit(audited: Audited | None, form: Form, what: str,
           action: str = "form.put") -> Parts:
    """The write's audit part, if it is audited: `what` happened, and the
    form's version and field names (never a recipient's address)."""
    if audited is None:
        return {}
    fields = ", ".join(f.name for f in form.definition.fields)
    return {AUDIT_PART: audited.part(action, Target("form", form.id),
                                     f"{what}: version {form.version}, fields {fields}")}
