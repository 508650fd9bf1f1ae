"""Settings: read once from the environment, at the edge, into one frozen object.

The local stage's values live in `.chalice/config.json` (`environment_variables`);
`make dev` adds the values only known once the local stack is up (pool ids,
the local API key). A deployed stage's come from the owner's frontdesk.json and
its resources stack, written by `make deploy` (infra/chalice_config.py).
Nothing else in chalicelib reads `os.environ`.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.core.retention import AUDIT_DAYS, MAX_DAYS, Retention
from chalicelib.core.retention import DEFAULT_DAYS as DEFAULT_RETENTION_DAYS
from chalicelib.outbox.timing import (
    BACKOFF_SECONDS,
    CLAIM_SECONDS,
    FUNCTION_TIMEOUT_SECONDS,
    MIN_CLAIM_SECONDS,
)
from chalicelib.platform.branding import DEFAULT as DEFAULT_BRANDING
from chalicelib.platform.branding import Branding, BrandingError

if TYPE_CHECKING:
    from chalicelib.spam.rules import SpamRules

CHAT_FORMATS = ("slack", "discord", "json")

# `local` is `make dev`'s stage; a deployed stage is any name of this shape
# (infra/stages.py says why: no hyphen, short enough for every AWS name built from it).
STAGE_NAME = re.compile(r"[a-z][a-z0-9]{0,15}")
# Domains reserved for examples (RFC 2606) and the account of the ARNs the
# local stage makes up: a deployed stage that still carries one cannot work.
PLACEHOLDER_DOMAINS = ("example.com", "example.net", "example.org")
PLACEHOLDER_ACCOUNT = "000000000000"


def chat_webhook_parameter(stage: str) -> str:
    """The SSM parameter of a stage's chat webhook URL (a secret: whoever has it may post)."""
    return f"/frontdesk/{stage}/chat-webhook"


def akismet_key_parameter(stage: str) -> str:
    """The SSM parameter of a stage's Akismet API key; its IAM policy names exactly this one."""
    return f"/frontdesk/{stage}/akismet-key"


def audit_salt_parameter(stage: str) -> str:
    """The SSM parameter of a stage's audit salt (chalicelib/audit/hashing.py),
    which `make deploy` creates once; its IAM policy names exactly this one."""
    return f"/frontdesk/{stage}/audit-salt"


def files_key_parameter(stage: str) -> str:
    """The SSM parameter of a stage's download-link key (chalicelib/attachments/links.py),
    which `make deploy` creates once; its IAM policy names exactly this one."""
    return f"/frontdesk/{stage}/files-key"


def captcha_secret_parameter(stage: str) -> str:
    """The SSM parameter of a stage's CAPTCHA secret; its IAM policy names exactly this one."""
    return f"/frontdesk/{stage}/captcha-secret"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable stage. Raised at import, so
    a misconfigured Lambda fails its init instead of serving wrong answers."""


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    """A positive whole number, or ConfigError naming the variable."""
    raw = env.get(name, "").strip() or str(default)
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, got {raw!r}")
    return int(raw)


# The longest wait the outbox accepts: a day (a year would overflow no clock,
# but would only ever mean a typo).
MAX_WAIT_SECONDS = 86_400


def _seconds_list(env: Mapping[str, str], name: str,
                  default: tuple[int, ...]) -> tuple[int, ...]:
    """Comma-separated whole seconds, 1 to a day each, or ConfigError naming the variable."""
    raw = env.get(name, "").strip() or ",".join(map(str, default))
    parts = [part.strip() for part in raw.split(",")]
    if not all(p.isascii() and p.isdigit() and 1 <= int(p) <= MAX_WAIT_SECONDS for p in parts):
        raise ConfigError(f"{name} must be whole seconds from 1 to {MAX_WAIT_SECONDS}, "
                          f"comma-separated, got {raw!r}")
    return tuple(int(p) for p in parts)


def _seconds(env: Mapping[str, str], name: str, default: int) -> int:
    """Whole seconds, 1 to a day, or ConfigError naming the variable."""
    raw = env.get(name, "").strip() or str(default)
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_WAIT_SECONDS):
        raise ConfigError(f"{name} must be whole seconds from 1 to {MAX_WAIT_SECONDS}, got {raw!r}")
    return int(raw)


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    """Whole days, 0 (forever) to MAX_DAYS, or ConfigError naming the variable."""
    raw = env.get(name, "").strip() or str(default)
    if not (raw.isascii() and raw.isdigit() and int(raw) <= MAX_DAYS):
        raise ConfigError(f"{name} must be whole days from 0 (forever) to {MAX_DAYS}, got {raw!r}")
    return int(raw)


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())


def _spam_rules(raw: str) -> SpamRules | None:
    """SPAM_RULES: the spam rules document as JSON (empty: none), or ConfigError
    naming each problem."""
    if not raw:
        return None
    from chalicelib.spam.rules import parse_rules, rules_problems  # only with a seed
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"SPAM_RULES must be a JSON object: {exc}") from None
    problems = rules_problems(data)
    if problems:
        raise ConfigError("SPAM_RULES: " + "; ".join(problems))
    return parse_rules(data)


def _site_url(value: str) -> str:
    """An absolute http(s) address, ending in / so that pages resolve under it."""
    value = value.strip()
    if not value:
        return ""
    if not re.fullmatch(r"https?://[^\s/?#@\\]+(/[^\s?#\\]*)?", value):
        raise ConfigError(f"SITE_URL must be the site's http(s) address, like "
                          f"\"https://www.example.org/\", got {value!r}")
    return value if value.endswith("/") else value + "/"


def is_placeholder_address(address: str) -> bool:
    """Empty, or an email address or domain at one of the example domains."""
    domain = address.strip().rstrip(">").rsplit("@", 1)[-1].lower()
    return not domain or any(domain == d or domain.endswith(f".{d}") for d in PLACEHOLDER_DOMAINS)


def is_placeholder_arn(arn: str) -> bool:
    """Empty, not an ARN, or in the made-up account."""
    parts = arn.strip().split(":")
    return len(parts) < 6 or parts[0] != "arn" or parts[4] in ("", PLACEHOLDER_ACCOUNT)


def deployed_stage_problems(env: Mapping[str, str]) -> list[str]:
    """What stops a deployed stage from working: every problem, not just the first."""
    problems = []
    for name in ("OWNER_EMAIL", "MAIL_FROM"):
        value = env.get(name, "").strip()
        if not value:
            problems.append(f"{name} is empty")
        elif is_placeholder_address(value):
            problems.append(f"{name} is a placeholder address ({value})")
    if not _split(env.get("ALLOWED_ORIGINS", "")):
        problems.append("ALLOWED_ORIGINS is empty, so no web page could call the API")
    if not env.get("USER_POOL_ID", "").strip():
        problems.append("USER_POOL_ID is empty")
    if not env.get("FILES_URL", "").strip().startswith("https://"):
        problems.append("FILES_URL (the files distribution's address) is not an https address")
    if env.get("CAPTCHA_PROVIDER", "").strip() and not env.get("CAPTCHA_SITE_KEY", "").strip():
        # The page would show no widget while the API refuses every submission.
        problems.append("CAPTCHA_PROVIDER is set but CAPTCHA_SITE_KEY is empty")
    for name in ("USER_POOL_ARN", "TABLE_STREAM_ARN"):
        value = env.get(name, "").strip()
        if not value:
            problems.append(f"{name} is missing")
        elif is_placeholder_arn(value):
            problems.append(f"{name} is a placeholder ({value})")
    return problems


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_name: str
    allowed_origins: tuple[str, ...]
    # The private bucket of files attached to form posts (chalicelib/attachments),
    # the origin that serves them as downloads (the files distribution; make
    # dev's files server), and the SSM SecureString of the key its links are
    # signed with (deployed: `<name>:<version>`, the version deploy gave the
    # distribution). Empty files_url: no downloads.
    attachments_bucket: str = ""
    files_url: str = ""
    files_key_parameter: str = ""
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    # Deployed stages get the real ARN from the resources stack; locally only
    # its shape matters (Chalice needs one to declare the authorizer).
    user_pool_arn: str = ""
    # Only outside Lambda: where to fetch the pool's signing keys (moto's
    # server locally). Deployed, API Gateway verifies tokens itself.
    cognito_jwks_url: str = ""
    # Only outside Lambda: the key the service routes accept. Deployed, API
    # Gateway checks keys against the usage plan and this stays empty.
    local_api_key: str = ""
    max_body_bytes: int = 64 * 1024
    # Contact pipeline: who gets the mail, from which verified SES identity,
    # and how many submissions one client IP may make per window.
    owner_email: str = ""
    mail_from: str = ""
    contact_rate_limit: int = 5
    contact_rate_window_seconds: int = 600
    notify_max_attempts: int = 5
    # The outbox (every delivery kind): seconds before attempt 2, 3, ... (the
    # last repeats), and how long a claim keeps other senders off a delivery.
    outbox_backoff_seconds: tuple[int, ...] = BACKOFF_SECONDS
    outbox_claim_seconds: int = CLAIM_SECONDS
    # Replies from the dashboard: where the visitor's answer goes (REPLY_TO,
    # else OWNER_EMAIL), how many per message, how many per admin per window.
    reply_to: str = ""
    max_replies_per_message: int = 20
    reply_rate_limit: int = 30
    reply_rate_window_seconds: int = 3600
    # CSV exports: rows and bytes per call (Lambda answers at most 6 MB).
    export_max_rows: int = 10_000
    export_max_bytes: int = 5_000_000
    # Plain HTML form posts to /contact: the stage's thank-you and error pages
    # (absolute addresses; empty: Frontdesk answers its own small page).
    contact_redirect_ok: str = ""
    contact_redirect_error: str = ""
    # The site's own address (its front page, ending in /), where its pages such
    # as thanks.html are: deploy sets it from the site's first origin, `make dev`
    # from its web server. Empty: the API knows no site (its own pages stand in).
    site_url: str = ""
    # CAPTCHA on contact submissions (chalicelib/contact/captcha.py): "" for
    # none, else the provider, its site key, its siteverify address (the
    # provider's own unless set) and the SSM SecureString holding the secret.
    captcha_provider: str = ""
    captcha_site_key: str = ""
    captcha_verify_url: str = ""
    captcha_secret_parameter: str = ""
    # Chat notifications (chalicelib/contact/chat.py): "" for none, else the
    # payload's format and the SSM parameter holding the webhook's URL.
    chat_format: str = ""
    chat_webhook_parameter: str = ""
    # Spam (chalicelib/spam): the rules document's seed until an admin saves
    # one (the stage's `spamRules`, as JSON in SPAM_RULES; None: no rules),
    # and how many days a spam message is kept.
    spam_rules: SpamRules | None = None
    spam_retention_days: int = 30
    # Akismet (chalicelib/spam/akismet.py): "" for none, else the site's address
    # as registered with Akismet (its `blog`), the comment-check address
    # (Akismet's own unless set) and the SSM SecureString holding the key.
    akismet_blog: str = ""
    akismet_url: str = ""
    akismet_key_parameter: str = ""
    # The table's stream feeds the notifier; deployed stages get the real ARN
    # from the resources stack.
    table_stream_arn: str = ""
    # The site's name, mail subject prefix, reply signature and time zone
    # (chalicelib/platform/branding.py): the `branding` block of the stage's settings.
    branding: Branding = DEFAULT_BRANDING
    # How long messages are kept (RETENTION_DAYS, from the stage's retentionDays).
    retention: Retention = Retention()
    # How long audit entries are kept (AUDIT_RETENTION_DAYS, from the stage's
    # auditRetentionDays; 0: forever), and the SSM SecureString of the salt an
    # erased address is hashed with in them.
    audit_retention_days: int = AUDIT_DAYS
    audit_salt_parameter: str = ""
    # True only inside a real Lambda function of a deployed stage, where API
    # Gateway has already verified tokens and API keys before we run.
    behind_api_gateway: bool = False

    @property
    def cognito_issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        stage = env.get("STAGE", "")
        if not STAGE_NAME.fullmatch(stage):
            raise ConfigError(f"STAGE must be 1 to 16 lowercase letters and digits, starting "
                              f"with a letter, got {stage!r}")
        origins = _split(env.get("ALLOWED_ORIGINS", ""))
        if stage != "local" and "*" in origins:
            raise ConfigError(f"ALLOWED_ORIGINS may not contain '*' on a deployed stage ({stage})")
        # The Lambda runtime sets AWS_LAMBDA_FUNCTION_NAME; `chalice local`,
        # the test client and `make dev` do not. The local stage never trusts
        # the gateway, so token checks cannot be switched off by a setting.
        in_lambda = bool(env.get("AWS_LAMBDA_FUNCTION_NAME"))
        # Only a deployed function is held to this: `chalice package`, the
        # tests and `make dev` import app.py with stage values but outside Lambda.
        problems = deployed_stage_problems(env) if in_lambda and stage != "local" else []
        if problems:
            raise ConfigError(f"stage {stage} cannot run as deployed: " + "; ".join(problems)
                              + ". `make deploy` sets these from frontdesk.json and the "
                              "resources stack.")
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        captcha = env.get("CAPTCHA_PROVIDER", "").strip().lower()
        captcha_verify_url = ""
        if captcha:
            # Only a stage with a CAPTCHA loads its verifier at init.
            from chalicelib.contact.captcha import PROVIDERS as CAPTCHA_PROVIDERS
            if captcha not in CAPTCHA_PROVIDERS:
                raise ConfigError(f"CAPTCHA_PROVIDER must be one of "
                                  f"{', '.join(CAPTCHA_PROVIDERS)} or empty, got {captcha!r}")
            captcha_verify_url = (env.get("CAPTCHA_VERIFY_URL", "").strip()
                                  or CAPTCHA_PROVIDERS[captcha].verify_url)
        chat = env.get("CHAT_FORMAT", "").strip().lower()
        if chat and chat not in CHAT_FORMATS:
            raise ConfigError(f"CHAT_FORMAT must be one of {', '.join(CHAT_FORMATS)} or empty, "
                              f"got {chat!r}")
        # A claim that expires while its holder still sends or settles lets a
        # second sender mail the delivery again.
        claim_seconds = _seconds(env, "OUTBOX_CLAIM_SECONDS", CLAIM_SECONDS)
        if claim_seconds < MIN_CLAIM_SECONDS:
            raise ConfigError(f"OUTBOX_CLAIM_SECONDS must be at least {MIN_CLAIM_SECONDS} "
                              f"(a send and its settle's retries), got {claim_seconds}")
        if stage != "local" and claim_seconds <= FUNCTION_TIMEOUT_SECONDS:
            raise ConfigError(f"OUTBOX_CLAIM_SECONDS must be longer than the function timeout "
                              f"({FUNCTION_TIMEOUT_SECONDS} s) on a deployed stage, "
                              f"got {claim_seconds}")
        try:
            branding = Branding.from_env(env)
        except BrandingError as exc:
            raise ConfigError(str(exc)) from None
        spam_rules = _spam_rules(env.get("SPAM_RULES", "").strip())
        akismet_blog = env.get("AKISMET_BLOG", "").strip()
        akismet_url = env.get("AKISMET_URL", "").strip()
        if akismet_blog and not akismet_blog.startswith(("https://", "http://")):
            raise ConfigError(f"AKISMET_BLOG must be the site's http(s) address, "
                              f"got {akismet_blog!r}")
        if akismet_url and not akismet_url.startswith(("https://", "http://")):
            raise ConfigError(f"AKISMET_URL must be an http(s) address, got {akismet_url!r}")
        return cls(
            stage=stage,
            region=region,
            table_name=env.get("TABLE_NAME", f"frontdesk-{stage}"),
            allowed_origins=origins,
            attachments_bucket=env.get("ATTACHMENTS_BUCKET", f"frontdesk-{stage}-attachments"),
            files_url=env.get("FILES_URL", "").strip().rstrip("/"),
            files_key_parameter=(env.get("FILES_KEY_PARAMETER", "").strip()
                                 or files_key_parameter(stage)),
            user_pool_id=env.get("USER_POOL_ID", ""),
            user_pool_client_id=env.get("USER_POOL_CLIENT_ID", ""),
            user_pool_arn=env.get("USER_POOL_ARN")
            or f"arn:aws:cognito-idp:{region}:000000000000:userpool/{env.get('USER_POOL_ID') or 'local'}",
            cognito_jwks_url=env.get("COGNITO_JWKS_URL", ""),
            local_api_key=env.get("LOCAL_API_KEY", ""),
            max_body_bytes=_count(env, "MAX_BODY_BYTES", 64 * 1024),
            owner_email=env.get("OWNER_EMAIL", ""),
            mail_from=env.get("MAIL_FROM", ""),
            contact_rate_limit=_count(env, "CONTACT_RATE_LIMIT", 5),
            contact_rate_window_seconds=_count(env, "CONTACT_RATE_WINDOW_SECONDS", 600),
            notify_max_attempts=_count(env, "NOTIFY_MAX_ATTEMPTS", 5),
            outbox_backoff_seconds=_seconds_list(env, "OUTBOX_BACKOFF_SECONDS", BACKOFF_SECONDS),
            outbox_claim_seconds=claim_seconds,
            reply_to=env.get("REPLY_TO", "") or env.get("OWNER_EMAIL", ""),
            max_replies_per_message=_count(env, "MAX_REPLIES_PER_MESSAGE", 20),
            reply_rate_limit=_count(env, "REPLY_RATE_LIMIT", 30),
            reply_rate_window_seconds=_count(env, "REPLY_RATE_WINDOW_SECONDS", 3600),
            export_max_rows=_count(env, "EXPORT_MAX_ROWS", 10_000),
            export_max_bytes=_count(env, "EXPORT_MAX_BYTES", 5_000_000),
            contact_redirect_ok=env.get("CONTACT_REDIRECT_OK", "").strip(),
            contact_redirect_error=env.get("CONTACT_REDIRECT_ERROR", "").strip(),
            site_url=_site_url(env.get("SITE_URL", "")),
            captcha_provider=captcha,
            captcha_site_key=env.get("CAPTCHA_SITE_KEY", "").strip() if captcha else "",
            captcha_verify_url=captcha_verify_url,
            captcha_secret_parameter=(env.get("CAPTCHA_SECRET_PARAMETER", "").strip()
                                      or captcha_secret_parameter(stage)) if captcha else "",
            chat_format=chat,
            chat_webhook_parameter=(env.get("CHAT_WEBHOOK_PARAMETER", "").strip()
                                    or chat_webhook_parameter(stage)) if chat else "",
            table_stream_arn=env.get("TABLE_STREAM_ARN")
            or f"arn:aws:dynamodb:{region}:000000000000:table/frontdesk-{stage}/stream/local",
            spam_rules=spam_rules,
            spam_retention_days=_count(env, "SPAM_RETENTION_DAYS", 30),
            akismet_blog=akismet_blog,
            akismet_url=(akismet_url or "https://rest.akismet.com/1.1/comment-check")
            if akismet_blog else "",
            akismet_key_parameter=(env.get("AKISMET_KEY_PARAMETER", "").strip()
                                   or akismet_key_parameter(stage)) if akismet_blog else "",
            branding=branding,
            retention=Retention(_days(env, "RETENTION_DAYS", DEFAULT_RETENTION_DAYS),
                                spam_days=_count(env, "SPAM_RETENTION_DAYS", 30)),
            audit_retention_days=_days(env, "AUDIT_RETENTION_DAYS", AUDIT_DAYS),
            audit_salt_parameter=(env.get("AUDIT_SALT_PARAMETER", "").strip()
                                  or audit_salt_parameter(stage)),
            behind_api_gateway=in_lambda and stage != "local",
        )
