"""Every entity's keys, built in one place. docs/data-model.md lists the access
patterns each key serves. Ids inside keys are ULIDs, so sorting by sort key
sorts by creation time."""
from __future__ import annotations

from chalicelib.db.table import GSI1_PK, GSI1_SK, PK, SK

Key = dict[str, str]

STATS: Key = {PK: "STATS", SK: "STATS"}


def user(user_id: str) -> Key:
    return {PK: f"USER#{user_id}", SK: "USER"}


def user_listing(user_id: str) -> Key:
    """GSI1: every user in one partition, newest first by id."""
    return {GSI1_PK: "USERS", GSI1_SK: user_id}


def email_claim(email: str) -> Key:
    """One item per email in use: its existence is the uniqueness constraint."""
    return {PK: f"EMAIL#{email}", SK: "EMAIL"}
