"""Everything the routes call, built once per Lambda container from Settings.

Tests build their own (or reach the clients through it) instead of patching
module globals.
"""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.aws import AwsClients
from chalicelib.config import Settings
from chalicelib.users.api import UsersApi
from chalicelib.users.store import UserStore


@dataclass(frozen=True)
class Services:
    clients: AwsClients
    users: UserStore
    users_api: UsersApi

    @classmethod
    def create(cls, settings: Settings, clients: AwsClients | None = None) -> "Services":
        clients = clients or AwsClients.create(settings)
        users = UserStore(clients.dynamodb, settings.table_name)
        return cls(clients=clients, users=users, users_api=UsersApi(users))
