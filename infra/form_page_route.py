"""Where the site sends form.html: the API's GET /forms/{id}/site-page, the
site's page with the form drawn in, so that the form works with JavaScript
off at the address a site owner links to (docs/api.md, "The form page").

Deployed, a CloudFront Function does it (infra/resources.yaml, FormPageRoute);
`make dev`'s web server (devstack/stack.py) asks this module. A test runs the
function's code with Node.js on the same requests and holds the two equal.

The id is read as sent, undecoded, as CloudFront hands it to the function;
a request naming no form, or none a form can have, gets the page of an
unknown form (`_` starts no form id).
"""
from __future__ import annotations

import re

FORM_PAGE = "/form.html"
# chalicelib.forms.model.FORM_ID, in the function's ECMAScript too.
FORM_ID = re.compile(r"[a-z][a-z0-9-]{0,39}")
NO_FORM = "_"


def site_page_path(query: str) -> str:
    """The API path (after its stage) that form.html?<query> is served from."""
    values = [part.partition("=")[2] for part in query.split("&") if part.partition("=")[0] == "form"]
    form_id = values[0] if values and FORM_ID.fullmatch(values[0]) else NO_FORM
    return f"/forms/{form_id}/site-page"
