"""`make admin` and `make admin-remove` record the operator's changes in the
audit log: right after Cognito's change, one entry per change, none when
nothing changed."""
from __future__ import annotations

from typing import Any

from chalicelib.audit.log import AuditLog
from infra.admins import Admins, OperatorAudit
from tests.conftest import LocalAws
from tests.infra.test_admins import Pool, pool

__all__ = ["pool"]


def test_an_invite_and_a_removal_are_the_operators_entries(local_aws: LocalAws, pool: Pool,
                                                           fresh_table: str) -> None:
    log = AuditLog(local_aws.session.client("dynamodb"), fresh_table)
    audit = OperatorAudit(log, local_aws.session.client("sts"))
    admins = Admins(pool.cognito, pool.pool_id, emails_passwords=False, audit=audit)

    admins.invite("Ops@Example.com")
    admins.invite("ops@example.com")  # already an admin: nothing changes, nothing recorded
    assert admins.remove("ops@example.com")
    assert not admins.remove("ops@example.com")

    entries, _ = log.list(limit=10)
    assert [(e.action, e.target.type, e.target.id) for e in entries] == [
        ("admin.remove", "admin", "ops@example.com"), ("admin.invite", "admin", "ops@example.com")]
    assert {e.actor.sub for e in entries} == {"operator"}
    assert len({e.request_id for e in entries}) == 1  # one run of the command
    assert all("with make admin, as arn:aws:" in e.summary for e in entries)
    assert [e.action for e in log.list(actor="operator", limit=10)[0]] == ["admin.remove",
                                                                         "admin.invite"]


def test_an_existing_account_added_to_the_group_is_recorded_once(
        local_aws: LocalAws, pool: Pool, fresh_table: str) -> None:
    log = AuditLog(local_aws.session.client("dynamodb"), fresh_table)
    pool.cognito.admin_create_user(UserPoolId=pool.pool_id, Username="dev@example.com",
                                   MessageAction="SUPPRESS")
    admins: Any = Admins(pool.cognito, pool.pool_id, emails_passwords=False,
                         audit=OperatorAudit(log, local_aws.session.client("sts")))
    admins.invite("dev@example.com")
    [entry] = log.list(limit=10)[0]
    assert entry.summary.startswith("added an existing account to the admin group")
