"""`make admin`, `make admin-remove` and `make admins` (infra/admins.py) against a
moto user pool with the deployed password policy."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.__main__ import main
from infra.admins import ADMIN_GROUP, AdminError, Admins, run, temporary_password
from tests.conftest import LocalAws
from tests.infra.templates import resources_template

POLICY = resources_template()["Resources"]["UserPool"]["Properties"]["Policies"]["PasswordPolicy"]


@dataclass
class Pool:
    cognito: Any
    pool_id: str
    client_id: str

    def groups_of(self, email: str) -> list[str]:
        return [g["GroupName"] for g in self.cognito.admin_list_groups_for_user(
            UserPoolId=self.pool_id, Username=email)["Groups"]]

    def sign_in(self, email: str, password: str) -> dict[str, Any]:
        return dict(self.cognito.initiate_auth(
            ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password}))


@pytest.fixture
def pool(local_aws: LocalAws, request: pytest.FixtureRequest) -> Pool:
    """A pool of its own per test, shaped like the deployed one."""
    cognito = local_aws.session.client("cognito-idp")
    pool_id = cognito.create_user_pool(
        PoolName=f"admins-{request.node.name}"[:128], UsernameAttributes=["email"],
        Policies={"PasswordPolicy": POLICY})["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.create_group(UserPoolId=pool_id, GroupName=ADMIN_GROUP)
    return Pool(cognito, pool_id, client_id)


def local(pool: Pool) -> Admins:
    return Admins(pool.cognito, pool.pool_id, emails_passwords=False)


def test_temporary_passwords_meet_the_deployed_policy() -> None:
    for _ in range(200):
        password = temporary_password()
        assert len(password) >= POLICY["MinimumLength"]
        for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"):
            assert re.search(pattern, password), password


def test_local_invite_creates_an_admin_who_must_choose_a_password(pool: Pool) -> None:
    invitation = local(pool).invite("  New.Admin@Example.com ")
    assert invitation.created and invitation.email == "new.admin@example.com"
    assert invitation.temporary_password
    assert pool.groups_of("new.admin@example.com") == [ADMIN_GROUP]
    answer = pool.sign_in("new.admin@example.com", invitation.temporary_password)
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_deployed_invite_leaves_the_password_to_cognito_s_email(pool: Pool) -> None:
    invitation = Admins(pool.cognito, pool.pool_id, emails_passwords=True).invite("a@example.com")
    assert invitation.created and invitation.temporary_password is None
    user = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username="a@example.com")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert pool.groups_of("a@example.com") == [ADMIN_GROUP]


def test_inviting_an_existing_account_adds_it_to_the_group_and_says_so(pool: Pool) -> None:
    pool.cognito.admin_create_user(UserPoolId=pool.pool_id, Username="old@example.com",
                                   MessageAction="SUPPRESS")
    said: list[str] = []
    run("admin", local(pool), "old@example.com", said.append)
    assert said == ["old@example.com already has an account; added it to the admin group."]
    assert pool.groups_of("old@example.com") == [ADMIN_GROUP]
    run("admin", local(pool), "old@example.com", said.append)
    assert said[-1] == "old@example.com already has an account; it was already in the admin group."


def test_remove_takes_the_account_out_and_revokes_its_refresh_tokens(pool: Pool) -> None:
    admins = local(pool)
    invitation = admins.invite("gone@example.com")
    assert invitation.temporary_password
    pool.cognito.admin_set_user_password(UserPoolId=pool.pool_id, Username="gone@example.com",
                                         Password=invitation.temporary_password, Permanent=True)
    refresh_token = pool.sign_in("gone@example.com", invitation.temporary_password)[
        "AuthenticationResult"]["RefreshToken"]
    assert admins.remove("gone@example.com") is True
    assert pool.groups_of("gone@example.com") == []
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException):
        pool.cognito.initiate_auth(ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                   AuthParameters={"REFRESH_TOKEN": refresh_token})


def test_removing_an_account_outside_the_group_changes_nothing(pool: Pool) -> None:
    pool.cognito.admin_create_user(UserPoolId=pool.pool_id, Username="plain@example.com",
                                   MessageAction="SUPPRESS")
    said: list[str] = []
    run("admin-remove", local(pool), "plain@example.com", said.append)
    assert said == ["plain@example.com is not in the admin group; nothing changed."]


def test_removing_an_unknown_account_says_there_is_none(pool: Pool) -> None:
    with pytest.raises(AdminError, match="There is no account for nobody@example.com"):
        local(pool).remove("nobody@example.com")


@pytest.mark.parametrize("email", ["", "not-an-address", "a b@example.com", "a@localhost"])
def test_an_address_that_is_not_one_is_refused_before_cognito(pool: Pool, email: str) -> None:
    with pytest.raises(AdminError, match="EMAIL must be an email address"):
        local(pool).invite(email)


def test_admins_lists_the_group_sorted(pool: Pool) -> None:
    admins = local(pool)
    for email in ("b@example.com", "a@example.com"):
        admins.invite(email)
    pool.cognito.admin_create_user(UserPoolId=pool.pool_id, Username="plain@example.com",
                                   MessageAction="SUPPRESS")
    assert admins.emails() == ["a@example.com", "b@example.com"]


def _stack_file(tmp_path: Path, local_aws: LocalAws, pool: Pool) -> Path:
    stack_file = tmp_path / "stack.json"
    stack_file.write_text(json.dumps({"cognitoEndpoint": local_aws.endpoint, "region": "us-east-1",
                                      "userPoolId": pool.pool_id}))
    return stack_file


def test_the_command_prints_the_local_temporary_password_on_a_line_of_its_own(
        tmp_path: Path, local_aws: LocalAws, pool: Pool, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACK_FILE", str(_stack_file(tmp_path, local_aws, pool)))
    assert main(["admin", "--stage", "local", "--email", "cli@example.com"]) == 0
    lines = capsys.readouterr().out.splitlines()
    (password,) = [line.removeprefix("Temporary password: ") for line in lines
                   if line.startswith("Temporary password: ")]
    assert pool.sign_in("cli@example.com", password)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"

    assert main(["admins", "--stage", "local"]) == 0
    assert capsys.readouterr().out.splitlines() == ["cli@example.com"]
    assert main(["admin-remove", "--stage", "local", "--email", "cli@example.com"]) == 0
    assert "Removed cli@example.com from the admin group" in capsys.readouterr().out
    assert main(["admins", "--stage", "local"]) == 0
    assert "The admin group is empty" in capsys.readouterr().out


def test_the_command_without_a_running_stack_says_how_to_start_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACK_FILE", str(tmp_path / "missing.json"))
    assert main(["admins", "--stage", "local"]) == 2
    assert "Start one with `make dev`" in capsys.readouterr().err


def test_deploy_refuses_the_local_stage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deploy", "--stage", "local"]) == 2
    assert "needs a deployed stage, like STAGE=dev" in capsys.readouterr().err


def test_a_deployed_stage_s_admins_before_its_first_deploy_says_to_deploy_first(
        local_aws: LocalAws, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION"):  # a region no test deploys to
        monkeypatch.setenv(name, "ap-southeast-2")
    assert main(["admin", "--stage", "dev", "--email", "a@example.com"]) == 2
    assert capsys.readouterr().err == (
        "error: There is no stack frontdesk-dev-resources in ap-southeast-2 yet: "
        "run `make deploy STAGE=dev` first.\n")
