"""What provisioning gives the local stage: the resources template's own stack
(so the deployed password rules), and a third demo admin who signs in with an
authenticator-app code that moto really checks."""
from __future__ import annotations

import time
from typing import Any

import pytest

from devstack.provision import DEMO_USERS, provision, totp_code
from tests.conftest import MAIL_FROM, OTHER_ALLOWED_ORIGIN, TEST_ORIGIN, LocalAws
from tests.infra.templates import resources_template
from tests.support.totp import fresh_totp, totp

# RFC 6238, appendix B: the SHA-1 seed "12345678901234567890", in base32.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.mark.parametrize("at, code", [(59, "287082"), (1111111109, "081804"),
                                      (2000000000, "279037")])
def test_both_totp_implementations_match_the_rfc_vectors(at: int, code: str) -> None:
    assert totp(RFC_SECRET, at) == code
    assert totp_code(RFC_SECRET, lambda: at) == code


def test_the_local_pool_has_the_deployed_password_rules(local_aws: LocalAws) -> None:
    template_policy = resources_template()["Resources"]["UserPool"]["Properties"][
        "Policies"]["PasswordPolicy"]
    pool = local_aws.session.client("cognito-idp").describe_user_pool(
        UserPoolId=local_aws.user_pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"] == template_policy
    for user in DEMO_USERS:
        assert len(user.password) >= template_policy["MinimumLength"]


def test_the_local_resources_are_the_template_s_stack(local_aws: LocalAws) -> None:
    """Deployed through CloudFormation with the local stage's parameters."""
    cfn = local_aws.session.client("cloudformation")
    (stack,) = cfn.describe_stacks(StackName="frontdesk-local-resources")["Stacks"]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert (parameters["Stage"], parameters["SesIdentity"]) == ("local", MAIL_FROM)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert (outputs["TableName"], outputs["UserPoolId"], outputs["UserPoolClientId"]) == (
        local_aws.table_name, local_aws.user_pool_id, local_aws.user_pool_client_id)
    assert local_aws.table_name == "frontdesk-local"


def _sign_in(local_aws: LocalAws, user: dict[str, Any]) -> dict[str, Any]:
    return dict(local_aws.session.client("cognito-idp").initiate_auth(
        ClientId=local_aws.user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]}))


def test_the_plain_demo_accounts_sign_in_with_a_password_only(
        local_aws: LocalAws, demo_users: dict[str, dict[str, Any]]) -> None:
    for role in ("admin", "user"):
        assert "AuthenticationResult" in _sign_in(local_aws, demo_users[role])
        assert "totpSecret" not in demo_users[role]


def test_the_mfa_demo_account_needs_a_right_code(
        local_aws: LocalAws, demo_users: dict[str, dict[str, Any]]) -> None:
    cognito = local_aws.session.client("cognito-idp")
    mfa = demo_users["mfa"]
    assert mfa["groups"] == ["admin"] and mfa["totpSecret"]

    challenge = _sign_in(local_aws, mfa)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    wrong = f"{(int(totp(mfa['totpSecret'], time.time())) + 1) % 1_000_000:06d}"
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        cognito.respond_to_auth_challenge(
            ClientId=local_aws.user_pool_client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": mfa["username"], "SOFTWARE_TOKEN_MFA_CODE": wrong})

    challenge = _sign_in(local_aws, mfa)
    answer = cognito.respond_to_auth_challenge(
        ClientId=local_aws.user_pool_client_id, ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": mfa["username"],
                            "SOFTWARE_TOKEN_MFA_CODE": fresh_totp(mfa["totpSecret"])})
    assert answer["AuthenticationResult"]["IdToken"]


def test_provisioning_again_changes_nothing(local_aws: LocalAws) -> None:
    again = provision(local_aws.session, web_origins=(TEST_ORIGIN, OTHER_ALLOWED_ORIGIN))
    assert (again.table_name, again.user_pool_id, again.user_pool_client_id) == (
        local_aws.table_name, local_aws.user_pool_id, local_aws.user_pool_client_id)
    assert again.users == local_aws.users
    events = local_aws.session.client("cloudformation").describe_stack_events(
        StackName="frontdesk-local-resources")["StackEvents"]
    assert not [e for e in events if e["ResourceStatus"].startswith("UPDATE")]
