"""POST /forms/{id}/uploads: a presigned POST for one file of a form's file
field (chalicelib/attachments/uploads.py), rate-limited per client IP like
the posts themselves."""
from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.api.bodies import Body, Moment
from chalicelib.attachments.uploads import Uploads
from chalicelib.db.rate_limit import RateLimiter
from chalicelib.forms.store import FormStore
from chalicelib.http.responses import json_response


class UploadOffer(Body):
    """Post the file to `url` as multipart/form-data: every one of `fields`,
    then the file as the last part, named `file`, before `expiresAt`. Then
    name `uploadId` in the file field of the post to the form."""
    upload_id: str
    url: str
    fields: dict[str, str]
    expires_at: Moment


class UploadsApi:
    def __init__(self, forms: FormStore, uploads: Uploads, limiter: RateLimiter) -> None:
        self._forms = forms
        self._uploads = uploads
        # Its own scope of the per-IP limiter, with room for a post's files.
        self._limiter = limiter

    def offer(self, form_id: str, body: dict[str, Any], client_ip: str) -> Response:
        form = self._forms.get(form_id)  # RecordNotFound (404)
        # A request that is refused counts nothing: only offers do.
        offer = self._uploads.offer(form, body, before=lambda: self._limiter.hit(client_ip))
        return json_response(UploadOffer(upload_id=offer.upload_id, url=offer.url,
                                         fields=offer.fields, expires_at=offer.expires_at), 201)


ANSWERS = (UploadOffer,)
