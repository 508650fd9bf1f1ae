"""Everything the routes and event handlers call, built once per Lambda
container from Settings.

Tests build their own (or reach the clients through it) instead of patching
module globals.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from chalicelib.api.contact import MAX_BODY_BYTES as CONTACT_MAX_BODY_BYTES
from chalicelib.api.contact import ContactApi
from chalicelib.api.contact_form import ContactFormApi, FormTargets
from chalicelib.api.dashboard import DashboardApi
from chalicelib.api.users import UsersApi
from chalicelib.aws import AwsClients
from chalicelib.config import Settings
from chalicelib.contact.captcha import PROVIDERS as CAPTCHA_PROVIDERS
from chalicelib.contact.captcha import CaptchaVerifier
from chalicelib.contact.chat import ChatNotifications
from chalicelib.contact.notifications import OwnerNotifications
from chalicelib.contact.store import MessageStore
from chalicelib.dashboard.reply_mail import ReplyMail
from chalicelib.dashboard.reply_store import ReplyStore
from chalicelib.dashboard.service import Dashboard, ExportLimits
from chalicelib.db.counters import read_counters
from chalicelib.db.rate_limit import RateLimiter
from chalicelib.idempotency import IdempotencyStore
from chalicelib.metrics import MetricsSink
from chalicelib.outbox.outbox import Deliveries, Outbox
from chalicelib.parameters import SsmSecret
from chalicelib.users.store import UserStore


def captcha_verifier(settings: Settings, clients: AwsClients) -> CaptchaVerifier | None:
    if not settings.captcha_provider:
        return None
    return CaptchaVerifier(CAPTCHA_PROVIDERS[settings.captcha_provider],
                           verify_url=settings.captcha_verify_url,
                           secret=SsmSecret(clients.ssm, settings.captcha_secret_parameter))


@dataclass(frozen=True)
class Services:
    clients: AwsClients
    users: UserStore
    users_api: UsersApi
    contact_api: ContactApi
    contact_form_api: ContactFormApi
    dashboard: Dashboard
    dashboard_api: DashboardApi
    deliveries: Deliveries

    @classmethod
    def create(cls, settings: Settings, metrics: MetricsSink,
               clients: AwsClients | None = None) -> Services:
        clients = clients or AwsClients.create(settings)
        table = settings.table_name
        users = UserStore(clients.dynamodb, table)
        chat = ChatNotifications(SsmSecret(clients.ssm, settings.chat_webhook_parameter),
                                 fmt=settings.chat_format) if settings.chat_format else None
        messages = MessageStore(clients.dynamodb, table, companions=[chat] if chat else [])
        idempotency = IdempotencyStore(clients.dynamodb, table)
        contact_limiter = RateLimiter(clients.dynamodb, table, scope="contact",
                                      limit=settings.contact_rate_limit,
                                      window_seconds=settings.contact_rate_window_seconds)
        reply_limiter = RateLimiter(clients.dynamodb, table, scope="reply",
                                    limit=settings.reply_rate_limit,
                                    window_seconds=settings.reply_rate_window_seconds)
        dashboard = Dashboard(
            messages, ReplyStore(clients.dynamodb, table,
                                 max_replies=settings.max_replies_per_message),
            dynamodb=clients.dynamodb, table_name=table,
            counters=partial(read_counters, clients.dynamodb, table), reply_limiter=reply_limiter,
            idempotency=idempotency,
            export_limits=ExportLimits(settings.export_max_rows, settings.export_max_bytes))
        kinds = [OwnerNotifications(clients.ses, sender=settings.mail_from,
                                    owner=settings.owner_email),
                 ReplyMail(clients.dynamodb, clients.ses, table, sender=settings.mail_from,
                           reply_to=settings.reply_to), *([chat] if chat else [])]
        contact_api = ContactApi(messages, contact_limiter, idempotency, metrics,
                                 captcha_verifier(settings, clients))
        return cls(
            clients=clients,
            users=users,
            users_api=UsersApi(users, idempotency),
            contact_api=contact_api,
            contact_form_api=ContactFormApi(
                contact_api, allowed_origins=settings.allowed_origins,
                stage_targets=FormTargets(settings.contact_redirect_ok or None,
                                          settings.contact_redirect_error or None),
                max_body_bytes=CONTACT_MAX_BODY_BYTES, metrics=metrics),
            dashboard=dashboard,
            dashboard_api=DashboardApi(dashboard),
            deliveries=Deliveries(Outbox(clients.dynamodb, table, kind, metrics=metrics,
                                         max_attempts=settings.notify_max_attempts,
                                         backoff_seconds=settings.outbox_backoff_seconds,
                                         claim_seconds=settings.outbox_claim_seconds)
                                  for kind in kinds),
        )
