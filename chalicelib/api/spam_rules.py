"""The spam rules document over HTTP (admin): GET with its ETag, PUT with If-Match."""
from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.audit.log import Audited
from chalicelib.http.conditional import etag, optional_versions
from chalicelib.http.responses import json_response
from chalicelib.spam.rules import parse_rules
from chalicelib.spam.store import SpamRulesStore


class SpamRulesApi:
    def __init__(self, store: SpamRulesStore) -> None:
        self._store = store

    def get(self) -> Response:
        document = self._store.get()
        return json_response(document.rules, headers={"ETag": etag(document.version)})

    def put(self, body: dict[str, Any], if_match: str | None, audited: Audited) -> Response:
        """Replace the document (If-Match optional: absent, any version)."""
        expected = optional_versions(if_match)
        document = self._store.put(parse_rules(body), expected, audited)
        return json_response(document.rules, headers={"ETag": etag(document.version)})
