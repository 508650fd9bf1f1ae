"""Everything the routes and event handlers call, built once per Lambda
container from Settings.

Tests build their own (or reach the clients through it) instead of patching
module globals.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from chalicelib.aws import AwsClients
from chalicelib.config import Settings
from chalicelib.contact.api import ContactApi, DashboardApi
from chalicelib.contact.notifier import Notifier
from chalicelib.contact.rate_limit import RateLimiter
from chalicelib.contact.store import MessageStore
from chalicelib.db.counters import read_counters
from chalicelib.idempotency import IdempotencyStore
from chalicelib.metrics import MetricsSink
from chalicelib.users.api import UsersApi
from chalicelib.users.store import UserStore


@dataclass(frozen=True)
class Services:
    clients: AwsClients
    users: UserStore
    users_api: UsersApi
    contact_api: ContactApi
    dashboard_api: DashboardApi
    notifier: Notifier

    @classmethod
    def create(cls, settings: Settings, metrics: MetricsSink,
               clients: AwsClients | None = None) -> "Services":
        clients = clients or AwsClients.create(settings)
        table = settings.table_name
        users = UserStore(clients.dynamodb, table)
        messages = MessageStore(clients.dynamodb, table)
        idempotency = IdempotencyStore(clients.dynamodb, table)
        limiter = RateLimiter(clients.dynamodb, table, limit=settings.contact_rate_limit,
                              window_seconds=settings.contact_rate_window_seconds)
        return cls(
            clients=clients,
            users=users,
            users_api=UsersApi(users, idempotency),
            contact_api=ContactApi(messages, limiter, idempotency, metrics),
            dashboard_api=DashboardApi(messages, partial(read_counters, clients.dynamodb, table)),
            notifier=Notifier(clients.dynamodb, clients.ses, table, sender=settings.mail_from,
                              owner=settings.owner_email, max_attempts=settings.notify_max_attempts,
                              metrics=metrics),
        )
