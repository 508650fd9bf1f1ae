"""Akismet, optional per stage, against devstack's stand-in: a second opinion
only when the content rules found nothing, and failing open in each way it
can fail (timeout, 5xx, an invalid key, an unreadable key, unreachable)."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib.api.services import Services
from chalicelib.platform.aws import AwsClients
from chalicelib.platform.config import Settings, akismet_key_parameter
from chalicelib.spam.akismet import Akismet, Answer
from chalicelib.spam.rules import parse_rules
from chalicelib.spam.screen import Post
from devstack.fakes import (
    AKISMET_ERROR_AUTHOR,
    AKISMET_SLOW_AUTHOR,
    AKISMET_SPAM_AUTHOR,
    AKISMET_SPAM_EMAIL,
    LOCAL_AKISMET_KEY,
    FakeServices,
)
from tests.conftest import MAIL_FROM, OWNER_EMAIL, LocalAws
from tests.contact.conftest import VALID
from tests.support.metrics import RecordingMetrics
from tests.support.ports import free_port

BLOG = "https://site.example"


@pytest.fixture(scope="module")
def akismet_fake() -> Iterator[FakeServices]:
    server = FakeServices().start()
    yield server
    server.stop()


@pytest.fixture
def with_akismet(local_aws: LocalAws, fresh_table: str, akismet_fake: FakeServices
                 ) -> Callable[..., Services]:
    """The app's services on a stage with Akismet; `key` in SSM (None: no parameter)."""
    ssm = local_aws.session.client("ssm")

    def build(key: str | None = LOCAL_AKISMET_KEY, url: str | None = None) -> Services:
        akismet_fake.akismet_checks.clear()
        name = akismet_key_parameter("local")
        if key is None:
            try:
                ssm.delete_parameter(Name=name)
            except ssm.exceptions.ParameterNotFound:
                pass
        else:
            ssm.put_parameter(Name=name, Value=key, Type="SecureString", Overwrite=True)
        settings = Settings.from_env({
            "STAGE": "local", "TABLE_NAME": fresh_table, "MAIL_FROM": MAIL_FROM,
            "OWNER_EMAIL": OWNER_EMAIL, "CONTACT_RATE_LIMIT": "50", "AKISMET_BLOG": BLOG,
            "AKISMET_URL": url or akismet_fake.akismet_url})
        session = local_aws.session
        return Services.create(settings, RecordingMetrics(), AwsClients(
            dynamodb=session.client("dynamodb"), ses=session.client("ses"), ssm=ssm))
    return build


def post(services: Services, **fields: str) -> dict[str, Any]:
    """Submit; what was stored of the judgement."""
    response = services.contact_api.submit({**VALID, **fields}, None, "203.0.113.5")
    assert response.status_code == 202
    message = services.messages.get(str(response.body.id))
    return {"status": message.status, "spamReason": list(message.spam_reason),
            "spamCheck": message.spam_check, "notification": message.notification.status}


def test_akismet_s_own_test_values_are_spam(with_akismet: Callable[..., Services],
                                             akismet_fake: FakeServices) -> None:
    services = with_akismet()
    by_name = post(services, name=AKISMET_SPAM_AUTHOR)
    by_email = post(services, email=AKISMET_SPAM_EMAIL)
    for judged in (by_name, by_email):
        assert judged["status"] == "spam" and judged["spamReason"] == ["akismet"]
        assert judged["spamCheck"] is None and judged["notification"] == "skipped"
    check = akismet_fake.akismet_checks[0]
    assert check["blog"] == BLOG and check["user_ip"] == "203.0.113.5"
    assert check["comment_type"] == "contact-form"
    assert check["comment_author"] == AKISMET_SPAM_AUTHOR and check["comment_content"].endswith(
        "Hello!")


def test_a_message_akismet_calls_good_is_kept_with_no_note(
        with_akismet: Callable[..., Services]) -> None:
    judged = post(with_akismet())
    assert judged == {"status": "new", "spamReason": [], "spamCheck": None,
                      "notification": "pending"}


def test_akismet_is_not_asked_when_the_rules_already_judged_spam(
        with_akismet: Callable[..., Services], akismet_fake: FakeServices) -> None:
    services = with_akismet()
    services.spam_rules.put(parse_rules({"blockedWords": ["casino"]}))
    judged = post(services, name=AKISMET_SPAM_AUTHOR, message="casino")
    assert judged["spamReason"] == ["blocked_word:casino"]
    assert akismet_fake.akismet_checks == []


@pytest.mark.parametrize("case", ["timeout", "5xx", "invalid key", "no key", "unreachable"])
def test_every_akismet_failure_keeps_the_message_as_a_normal_one_with_a_note(
        with_akismet: Callable[..., Services], case: str) -> None:
    services = {
        "timeout": lambda: with_akismet(), "5xx": lambda: with_akismet(),
        "invalid key": lambda: with_akismet(key="not-the-key"),
        "no key": lambda: with_akismet(key=None),
        "unreachable": lambda: with_akismet(url=f"http://127.0.0.1:{free_port()}/check"),
    }[case]()
    name = {"timeout": AKISMET_SLOW_AUTHOR, "5xx": AKISMET_ERROR_AUTHOR}.get(case, "Ada")
    started = time.monotonic()
    judged = post(services, name=name)
    assert judged == {"status": "new", "spamReason": [], "spamCheck": "akismet_unavailable",
                      "notification": "pending"}
    assert time.monotonic() - started < 3  # the 2 s bound, not the stand-in's 3 s


def test_the_note_is_in_the_message_json(with_akismet: Callable[..., Services],
                                         client: Any, as_admin: dict[str, str]) -> None:
    services = with_akismet()
    response = services.contact_api.submit({**VALID, "name": AKISMET_ERROR_AUTHOR}, None,
                                           "203.0.113.5")
    message = client.get(f"/dashboard/messages/{response.body.id}", headers=as_admin).json_body
    assert message["spamCheck"] == "akismet_unavailable" and message["status"] == "new"
    assert "spamReason" not in message


def test_the_client_never_waits_more_than_two_seconds() -> None:
    def hanging(request: Any, timeout: float) -> Any:
        time.sleep(5)
        raise AssertionError("never reached in time")

    akismet = Akismet(blog=BLOG, key=lambda: "k", url="https://akismet.invalid/check",
                      opener=hanging, timeout_seconds=30)
    started = time.monotonic()
    answer = akismet.check(Post("contact", ("hi",), "a@example.com", "Ada", "203.0.113.5"))
    assert answer is Answer.UNAVAILABLE and time.monotonic() - started < 2.5


def test_settings_refuse_a_blog_or_url_that_is_not_http() -> None:
    from chalicelib.platform.config import ConfigError
    with pytest.raises(ConfigError, match="AKISMET_BLOG"):
        Settings.from_env({"STAGE": "local", "AKISMET_BLOG": "site.example"})
    with pytest.raises(ConfigError, match="AKISMET_URL"):
        Settings.from_env({"STAGE": "local", "AKISMET_BLOG": BLOG,
                           "AKISMET_URL": "file:///etc/passwd"})
    assert Settings.from_env({"STAGE": "local"}).akismet_blog == ""
