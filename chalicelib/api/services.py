"""Everything the routes and event handlers call, built once per Lambda
container from Settings.

Each part is built, and its modules imported, the first time something asks
for it. A container serves one function (the API, the stream notifier or the
retry schedule), and an API container may never see a contact form or a
dashboard request: it should not import them at every cold start. The users
API is what most requests need, so its modules load with this one.
`tests/test_cold_start.py` checks what an init imports.

Tests build their own (or reach the clients through it) instead of patching
module globals.
"""
from __future__ import annotations

from functools import cached_property, partial
from typing import TYPE_CHECKING

from chalicelib.api.users import UsersApi
from chalicelib.core.idempotency import IdempotencyStore
from chalicelib.platform.aws import AwsClients
from chalicelib.platform.config import Settings
from chalicelib.platform.metrics import MetricsSink
from chalicelib.users.store import UserStore

if TYPE_CHECKING:
    from chalicelib.api.audit import AuditApi
    from chalicelib.api.contact import ContactApi
    from chalicelib.api.contact_form import ContactFormApi
    from chalicelib.api.dashboard import DashboardApi
    from chalicelib.api.form_page import FormPageApi
    from chalicelib.api.forms import FormsApi
    from chalicelib.api.people import PeopleApi
    from chalicelib.api.spam_rules import SpamRulesApi
    from chalicelib.api.uploads import UploadsApi
    from chalicelib.attachments.files import AttachmentFiles
    from chalicelib.audit.log import AuditLog
    from chalicelib.contact.captcha import CaptchaVerifier
    from chalicelib.contact.chat import ChatNotifications
    from chalicelib.contact.expired import ExpiredMessages
    from chalicelib.contact.store import MessageStore
    from chalicelib.dashboard.service import Dashboard
    from chalicelib.db.rate_limit import RateLimiter
    from chalicelib.forms.store import FormStore
    from chalicelib.outbox.outbox import Deliveries
    from chalicelib.platform.parameters import SsmSecret
    from chalicelib.spam.akismet import Akismet
    from chalicelib.spam.screen import SpamScreen
    from chalicelib.spam.store import SpamRulesStore


def captcha_verifier(settings: Settings, clients: AwsClients) -> CaptchaVerifier | None:
    if not settings.captcha_provider:
        return None
    from chalicelib.contact.captcha import PROVIDERS, CaptchaVerifier
    from chalicelib.platform.parameters import SsmSecret
    return CaptchaVerifier(PROVIDERS[settings.captcha_provider],
                           verify_url=settings.captcha_verify_url,
                           secret=SsmSecret(clients.ssm, settings.captcha_secret_parameter))


def akismet(settings: Settings, clients: AwsClients) -> Akismet | None:
    if not settings.akismet_blog:
        return None
    from chalicelib.platform.parameters import SsmSecret
    from chalicelib.spam.akismet import Akismet
    return Akismet(blog=settings.akismet_blog, url=settings.akismet_url,
                   key=SsmSecret(clients.ssm, settings.akismet_key_parameter))


class Services:
    def __init__(self, settings: Settings, metrics: MetricsSink, clients: AwsClients) -> None:
        self.settings = settings
        self.metrics = metrics
        self.clients = clients

    @classmethod
    def create(cls, settings: Settings, metrics: MetricsSink,
               clients: AwsClients | None = None) -> Services:
        return cls(settings, metrics, clients or AwsClients.create(settings))

    @property
    def _table(self) -> str:
        return self.settings.table_name

    @cached_property
    def users(self) -> UserStore:
        return UserStore(self.clients.dynamodb, self._table)

    @cached_property
    def idempotency(self) -> IdempotencyStore:
        return IdempotencyStore(self.clients.dynamodb, self._table)

    @cached_property
    def users_api(self) -> UsersApi:
        return UsersApi(self.users, self.idempotency)

    def _rate_limiter(self, scope: str, limit: int, window_seconds: int) -> RateLimiter:
        from chalicelib.db.rate_limit import RateLimiter
        return RateLimiter(self.clients.dynamodb, self._table, scope=scope, limit=limit,
                           window_seconds=window_seconds)

    @cached_property
    def chat(self) -> ChatNotifications | None:
        if not self.settings.chat_format:
            return None
        from chalicelib.contact.chat import ChatNotifications
        from chalicelib.platform.parameters import SsmSecret
        return ChatNotifications(SsmSecret(self.clients.ssm, self.settings.chat_webhook_parameter),
                                 fmt=self.settings.chat_format)

    @cached_property
    def messages(self) -> MessageStore:
        from chalicelib.contact.store import MessageStore
        return MessageStore(self.clients.dynamodb, self._table,
                            companions=[self.chat] if self.chat else [],
                            retention=self.settings.retention, files=self.attachment_files)

    @cached_property
    def contact_api(self) -> ContactApi:
        from chalicelib.api.contact import ContactApi
        settings = self.settings
        return ContactApi(self.messages, self.forms,
                          self._rate_limiter("contact", settings.contact_rate_limit,
                                             settings.contact_rate_window_seconds),
                          self.idempotency, self.metrics, captcha_verifier(settings, self.clients),
                          self.spam_screen, files=self.attachment_files)

    @cached_property
    def attachment_files(self) -> AttachmentFiles:
        from chalicelib.attachments.files import AttachmentFiles
        from chalicelib.attachments.links import DownloadLinks
        from chalicelib.platform.parameters import SsmSecret
        settings = self.settings
        # The signing key is read from SSM on the first download, not at init.
        links = DownloadLinks(settings.files_url, SsmSecret(
            self.clients.ssm, settings.files_key_parameter)) if settings.files_url else None
        return AttachmentFiles(self.clients.s3, settings.attachments_bucket, links)

    @cached_property
    def uploads_api(self) -> UploadsApi:
        from chalicelib.api.uploads import UploadsApi
        from chalicelib.attachments.types import MAX_FILES
        from chalicelib.attachments.uploads import Uploads
        settings = self.settings
        # The posts' own limit, with room for a full file field's files per post.
        return UploadsApi(self.forms, Uploads(self.clients.s3, settings.attachments_bucket),
                          self._rate_limiter("upload", settings.contact_rate_limit * MAX_FILES,
                                             settings.contact_rate_window_seconds))

    @cached_property
    def spam_rules(self) -> SpamRulesStore:
        from chalicelib.spam.rules import NO_RULES
        from chalicelib.spam.store import SpamRulesStore
        return SpamRulesStore(self.clients.dynamodb, self._table,
                              seed=self.settings.spam_rules or NO_RULES)

    @cached_property
    def spam_screen(self) -> SpamScreen:
        from chalicelib.spam.screen import SpamScreen
        return SpamScreen(self.spam_rules.rules, akismet=akismet(self.settings, self.clients))

    @cached_property
    def spam_rules_api(self) -> SpamRulesApi:
        from chalicelib.api.spam_rules import SpamRulesApi
        return SpamRulesApi(self.spam_rules)

    @cached_property
    def contact_form_api(self) -> ContactFormApi:
        from chalicelib.api.contact import MAX_BODY_BYTES
        from chalicelib.api.contact_form import ContactFormApi, FormTargets
        settings = self.settings
        return ContactFormApi(
            self.contact_api, allowed_origins=settings.allowed_origins,
            stage_targets=FormTargets(settings.contact_redirect_ok or None,
                                      settings.contact_redirect_error or None),
            max_body_bytes=MAX_BODY_BYTES, metrics=self.metrics)

    @cached_property
    def dashboard(self) -> Dashboard:
        from chalicelib.dashboard.reply_store import ReplyStore
        from chalicelib.dashboard.service import Dashboard, ExportLimits
        from chalicelib.db.counters import read_counters
        settings, dynamodb, table = self.settings, self.clients.dynamodb, self._table
        return Dashboard(
            self.messages, ReplyStore(dynamodb, table, max_replies=settings.max_replies_per_message),
            dynamodb=dynamodb, table_name=table,
            counters=partial(read_counters, dynamodb, table),
            reply_limiter=self._rate_limiter("reply", settings.reply_rate_limit,
                                             settings.reply_rate_window_seconds),
            idempotency=self.idempotency,
            export_limits=ExportLimits(settings.export_max_rows, settings.export_max_bytes),
            forms=self.forms)

    @cached_property
    def expired_messages(self) -> ExpiredMessages:
        """The stream's REMOVE records of messages TTL deleted, counted out."""
        from chalicelib.contact.expired import ExpiredMessages
        return ExpiredMessages(self.clients.dynamodb, self._table, files=self.attachment_files)

    @cached_property
    def dashboard_api(self) -> DashboardApi:
        from chalicelib.api.dashboard import DashboardApi
        return DashboardApi(self.dashboard, retention=self.settings.retention,
                            files=self.attachment_files)

    @cached_property
    def audit(self) -> AuditLog:
        """The audit log: each admin write records itself in it (`audit.by`)."""
        from chalicelib.audit.log import AuditLog
        return AuditLog(self.clients.dynamodb, self._table,
                        retention_days=self.settings.audit_retention_days)

    @cached_property
    def audit_api(self) -> AuditApi:
        from chalicelib.api.audit import AuditApi
        return AuditApi(self.audit)

    @cached_property
    def audit_salt(self) -> SsmSecret:
        """The stage's salt for an erased address's hash (chalicelib/audit/hashing.py)."""
        from chalicelib.platform.parameters import SsmSecret
        return SsmSecret(self.clients.ssm, self.settings.audit_salt_parameter)

    @cached_property
    def people_api(self) -> PeopleApi:
        """A person's data: found through the sender index, erased by each
        record's own delete."""
        from chalicelib.api.people import PeopleApi
        from chalicelib.people.erasure import Erasure
        from chalicelib.people.records import PersonRecords
        dynamodb, table = self.clients.dynamodb, self._table
        records = PersonRecords(dynamodb, table)
        return PeopleApi(records, Erasure(dynamodb, table, records=records,
                                          dashboard=self.dashboard, users=self.users),
                         salt=self.audit_salt)

    @cached_property
    def forms(self) -> FormStore:
        from chalicelib.forms.store import FormStore
        return FormStore(self.clients.dynamodb, self._table)

    @cached_property
    def forms_api(self) -> FormsApi:
        from chalicelib.api.forms import FormsApi
        return FormsApi(self.forms)

    @cached_property
    def form_page_api(self) -> FormPageApi:
        from chalicelib.api.form_page import FormPageApi, thanks_address
        from chalicelib.http.redirects import origin_of
        settings = self.settings
        next_url = thanks_address(settings.site_url, settings.contact_redirect_ok,
                                  settings.allowed_origins)
        targets = (next_url, settings.contact_redirect_ok, settings.contact_redirect_error)
        return FormPageApi(self.forms, site_name=settings.branding.site_name,
                           site_url=settings.site_url, next_url=next_url,
                           redirect_origins=tuple(origin_of(t) or "" for t in targets if t),
                           captcha_on=bool(settings.captcha_provider),
                           dashboard_link=settings.branding.dashboard_link)

    @cached_property
    def deliveries(self) -> Deliveries:
        """The outbox's delivery kinds, for the stream notifier and the retry schedule."""
        from chalicelib.autoresponder.sender import Autoresponder
        from chalicelib.contact.notifications import OwnerNotifications
        from chalicelib.dashboard.reply_mail import ReplyMail
        from chalicelib.outbox.outbox import Deliveries, Outbox
        settings, clients = self.settings, self.clients
        kinds = [OwnerNotifications(clients.ses, sender=settings.mail_from,
                                    owner=settings.owner_email, branding=settings.branding,
                                    dashboard_url=f"{settings.site_url}admin.html"
                                    if settings.site_url else None),
                 ReplyMail(clients.dynamodb, clients.ses, self._table, sender=settings.mail_from,
                           reply_to=settings.reply_to, branding=settings.branding),
                 Autoresponder(clients.ses, sender=settings.mail_from,
                               reply_to=settings.reply_to, branding=settings.branding),
                 *([self.chat] if self.chat else [])]
        return Deliveries(Outbox(clients.dynamodb, self._table, kind, metrics=self.metrics,
                                 max_attempts=settings.notify_max_attempts,
                                 backoff_seconds=settings.outbox_backoff_seconds,
                                 claim_seconds=settings.outbox_claim_seconds)
                          for kind in kinds)
