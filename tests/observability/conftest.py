"""The log privacy test's posts, stream pump, SES outage, forms and TTL."""
from __future__ import annotations

from tests.contact.conftest import pump, ses_outage, submit
from tests.forms.conftest import put_form
from tests.retention.conftest import sweep_ttl

__all__ = ["pump", "put_form", "ses_outage", "submit", "sweep_ttl"]
