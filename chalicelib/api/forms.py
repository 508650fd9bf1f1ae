"""The forms resource over HTTP: definitions in, forms with ETags out (admin),
and each form's JSON Schema (public)."""
from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.api.form_bodies import Form, FormList
from chalicelib.audit.log import Audited
from chalicelib.core.validation import gather
from chalicelib.forms.definition import parse_definition
from chalicelib.forms.model import check_form_id
from chalicelib.forms.schema import json_schema
from chalicelib.forms.store import ANY, FormStore, Precondition
from chalicelib.http.conditional import creation_only, etag, optional_versions
from chalicelib.http.errors import ValidationFailed
from chalicelib.http.responses import json_response, no_content

# A form's schema changes only when an admin edits it: a minute of caching
# spares the API the page views, and an edit shows within that minute.
SCHEMA_CACHE_CONTROL = "public, max-age=60"


def precondition(if_match: str | None, if_none_match: str | None) -> Precondition:
    """If-Match: the versions a PUT may replace ("*": any existing form);
    If-None-Match: * only creates. Both at once can never hold."""
    only_new = creation_only(if_none_match)
    if if_match is None or not if_match.strip():
        return Precondition(exists=False) if only_new else ANY
    if only_new:
        return Precondition(versions=frozenset())
    return Precondition(versions=optional_versions(if_match), exists=True)


class FormsApi:
    def __init__(self, store: FormStore) -> None:
        self._store = store

    def list(self) -> Response:
        return json_response(FormList(forms=[Form.of(form) for form in self._store.list()]))

    def get(self, form_id: str) -> Response:
        form = self._store.get(form_id)
        return json_response(Form.of(form), headers={"ETag": etag(form.version)})

    def schema(self, form_id: str) -> Response:
        """The current definition as JSON Schema, for a client to check a post before sending."""
        form = self._store.get(form_id)
        return json_response(json_schema(form.definition),
                             headers={"Cache-Control": SCHEMA_CACHE_CONTROL})

    def put(self, form_id: str, body: dict[str, Any], if_match: str | None,
            if_none_match: str | None, audited: Audited) -> Response:
        """201 with a new form, 200 with a replaced one."""
        expected = precondition(if_match, if_none_match)
        errors: list[dict[str, str]] = []
        gather(errors, check_form_id, form_id)
        definition = gather(errors, parse_definition, body)
        if definition is None or errors:
            raise ValidationFailed(errors)
        form, created = self._store.put(form_id, definition, expected, audited)
        return json_response(Form.of(form), 201 if created else 200,
                             {"ETag": etag(form.version)})

    def delete(self, form_id: str, if_match: str | None, audited: Audited) -> Response:
        self._store.delete(form_id, optional_versions(if_match), audited)
        return no_content()
