"""The contact tests' stream pump, SES outage and CAPTCHA stage, for posts to forms."""
from __future__ import annotations

from tests.contact.conftest import pump, ses_outage  # noqa: F401 (fixtures)
from tests.contact.test_captcha import fakes, secret_parameter, with_captcha  # noqa: F401
from tests.forms.conftest import put_form  # noqa: F401 (fixture)
