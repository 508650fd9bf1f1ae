"""CAPTCHA on POST /contact, against devstack's local verifier and moto's SSM."""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.contact.captcha import PROVIDERS, CaptchaVerifier
from chalicelib.core.domain_errors import DependencyUnavailable
from chalicelib.platform.config import captcha_secret_parameter
from chalicelib.platform.parameters import SsmSecret
from devstack.fakes import LOCAL_CAPTCHA_SECRET, LOCAL_CAPTCHA_TOKEN, FakeServices
from tests.conftest import JSON, TEST_ORIGIN, LocalAws
from tests.contact.conftest import VALID
from tests.support.ports import free_port

FORM = {"Content-Type": "application/x-www-form-urlencoded", "Origin": TEST_ORIGIN}


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakeServices]:
    server = FakeServices().start()
    yield server
    server.stop()


@pytest.fixture
def secret_parameter(local_aws: LocalAws) -> str:
    name = captcha_secret_parameter("local")
    local_aws.session.client("ssm").put_parameter(
        Name=name, Value=LOCAL_CAPTCHA_SECRET, Type="SecureString", Overwrite=True)
    return name


@pytest.fixture
def with_captcha(frontdesk_app: Any, local_aws: LocalAws, fakes: FakeServices,
                 secret_parameter: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Turn the app's CAPTCHA on (Turnstile, the local verifier) for one test."""
    import app as app_module

    def turn_on(provider: str = "turnstile", verify_url: str | None = None,
                secret: Callable[[], str] | None = None) -> CaptchaVerifier:
        verifier = CaptchaVerifier(
            PROVIDERS[provider], verify_url=verify_url or fakes.siteverify_url,
            secret=secret or SsmSecret(local_aws.session.client("ssm"), secret_parameter))
        monkeypatch.setattr(app_module.services.contact_api, "captcha", verifier)
        return verifier
    return turn_on


def stored(client: Any, as_admin: dict[str, str]) -> list[dict[str, Any]]:
    return client.get("/dashboard/messages?status=new", headers=as_admin).json_body["items"]


def post_json(client: Any, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/contact", headers={**JSON, "Origin": TEST_ORIGIN, **headers},
                       body=json.dumps(body).encode())


def test_a_valid_token_in_json_is_verified_then_stored(
        with_captcha: Callable[..., Any], client: Any, as_admin: dict[str, str],
        fakes: FakeServices) -> None:
    with_captcha()
    fakes.verifications.clear()
    response = post_json(client, {**VALID, "captchaToken": LOCAL_CAPTCHA_TOKEN})
    assert response.status_code == 202
    assert len(stored(client, as_admin)) == 1
    (asked,) = fakes.verifications
    assert asked["secret"] == LOCAL_CAPTCHA_SECRET and asked["response"] == LOCAL_CAPTCHA_TOKEN


@pytest.mark.parametrize("token", [None, "", "wrong-token", 42, ["list"]])
def test_a_missing_or_refused_token_is_400_captcha_failed_and_nothing_is_stored(
        with_captcha: Callable[..., Any], client: Any, as_admin: dict[str, str],
        token: Any) -> None:
    with_captcha()
    body = dict(VALID) if token is None else {**VALID, "captchaToken": token}
    response = post_json(client, body)
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "captcha_failed"
    assert response.headers["Access-Control-Allow-Origin"] == TEST_ORIGIN
    assert stored(client, as_admin) == []


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_a_form_post_carries_the_token_in_the_provider_s_own_field(
        with_captcha: Callable[..., Any], client: Any, as_admin: dict[str, str],
        provider: str) -> None:
    with_captcha(provider)
    field = PROVIDERS[provider].form_field
    other = next(p.form_field for p in PROVIDERS.values() if p.form_field != field)
    wrong = client.post("/contact", headers=FORM,
                        body=urlencode({**VALID, other: LOCAL_CAPTCHA_TOKEN}).encode())
    assert wrong.status_code == 400 and "robot" in wrong.body.decode()
    right = client.post("/contact", headers=FORM, body=urlencode(
        {**VALID, field: LOCAL_CAPTCHA_TOKEN, "_error": f"{TEST_ORIGIN}/oops"}).encode())
    assert right.status_code == 200 and "Thank you" in right.body.decode()
    assert len(stored(client, as_admin)) == 1


def test_a_refused_form_token_redirects_with_captcha_failed(
        with_captcha: Callable[..., Any], client: Any) -> None:
    with_captcha()
    response = client.post("/contact", headers=FORM, body=urlencode(
        {**VALID, "cf-turnstile-response": "nope", "_error": f"{TEST_ORIGIN}/oops"}).encode())
    assert response.status_code == 303
    assert response.headers["Location"] == f"{TEST_ORIGIN}/oops?error=captcha_failed&fields="


def test_an_unreachable_verifier_fails_closed_with_503(
        with_captcha: Callable[..., Any], client: Any, as_admin: dict[str, str]) -> None:
    with_captcha(verify_url=f"http://127.0.0.1:{free_port()}/siteverify")
    response = post_json(client, {**VALID, "captchaToken": LOCAL_CAPTCHA_TOKEN})
    assert response.status_code == 503
    assert response.json_body["error"]["code"] == "service_unavailable"
    assert stored(client, as_admin) == []


def test_a_verifier_answering_an_error_status_fails_closed(
        with_captcha: Callable[..., Any], client: Any, fakes: FakeServices) -> None:
    with_captcha(verify_url=fakes.url + "/no-such-path")  # 404
    assert post_json(client, {**VALID, "captchaToken": LOCAL_CAPTCHA_TOKEN}).status_code == 503


def test_a_missing_secret_fails_closed(with_captcha: Callable[..., Any], client: Any,
                                       local_aws: LocalAws, secret_parameter: str) -> None:
    with_captcha()
    local_aws.session.client("ssm").delete_parameter(Name=secret_parameter)
    assert post_json(client, {**VALID, "captchaToken": LOCAL_CAPTCHA_TOKEN}).status_code == 503


def test_the_secret_is_read_once_per_container(local_aws: LocalAws,
                                               secret_parameter: str) -> None:
    ssm = local_aws.session.client("ssm")
    calls: list[str] = []
    ssm.meta.events.register("before-call.ssm.GetParameter",
                             lambda **kwargs: calls.append("GetParameter"))
    secret = SsmSecret(ssm, secret_parameter)
    assert [secret(), secret(), secret()] == [LOCAL_CAPTCHA_SECRET] * 3
    assert calls == ["GetParameter"]


def test_the_verifier_never_waits_more_than_three_seconds() -> None:
    seen: list[float] = []

    def opener(request: Any, timeout: float) -> Any:
        seen.append(timeout)
        raise TimeoutError()

    verifier = CaptchaVerifier(PROVIDERS["hcaptcha"], verify_url="http://verifier.invalid",
                               secret=lambda: "s", opener=opener, timeout_seconds=30)
    with pytest.raises(DependencyUnavailable):
        verifier.verify("token", "203.0.113.1")
    assert seen == [3.0]


def test_a_replayed_submission_is_answered_without_a_second_verification(
        with_captcha: Callable[..., Any], client: Any, fakes: FakeServices) -> None:
    with_captcha()
    fakes.verifications.clear()
    body = {**VALID, "captchaToken": LOCAL_CAPTCHA_TOKEN}
    key = f"captcha-{time.time_ns()}"
    first = post_json(client, body, **{"Idempotency-Key": key})
    again = post_json(client, body, **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 202
    assert again.json_body["id"] == first.json_body["id"]
    assert len(fakes.verifications) == 1  # a token is good once; the replay needs none


def test_without_a_captcha_a_json_token_is_ignored(client: Any) -> None:
    assert post_json(client, {**VALID, "captchaToken": "anything"}).status_code == 202


def test_settings_refuse_an_unknown_provider_and_default_the_rest() -> None:
    from chalicelib.platform.config import ConfigError, Settings

    with pytest.raises(ConfigError, match="CAPTCHA_PROVIDER"):
        Settings.from_env({"STAGE": "local", "CAPTCHA_PROVIDER": "mycaptcha"})
    settings = Settings.from_env({"STAGE": "prod", "CAPTCHA_PROVIDER": "hCaptcha",
                                  "CAPTCHA_SITE_KEY": "site"})
    assert (settings.captcha_provider, settings.captcha_verify_url,
            settings.captcha_secret_parameter) == (
        "hcaptcha", "https://api.hcaptcha.com/siteverify", "/frontdesk/prod/captcha-secret")
    assert Settings.from_env({"STAGE": "local"}).captcha_provider == ""


def test_a_deployed_stage_with_a_provider_needs_a_site_key() -> None:
    from chalicelib.platform.config import deployed_stage_problems

    assert "CAPTCHA_PROVIDER is set but CAPTCHA_SITE_KEY is empty" in deployed_stage_problems(
        {"CAPTCHA_PROVIDER": "turnstile"})
    assert not [p for p in deployed_stage_problems(
        {"CAPTCHA_PROVIDER": "turnstile", "CAPTCHA_SITE_KEY": "0x4AAA"}) if "CAPTCHA" in p]
