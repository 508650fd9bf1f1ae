"""The fields of one stage in the settings file, each declared once: its meaning,
its default, and what a value must be. `read` checks a stage's JSON against
them and names every problem, as the field is written in the file."""
from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.core.retention import AUDIT_DAYS, MAX_DAYS
from chalicelib.core.retention import DEFAULT_DAYS as DEFAULT_RETENTION_DAYS
from chalicelib.platform import branding
from chalicelib.platform.branding import DEFAULT as BRANDING
from infra.log_retention import ALLOWED_DAYS as LOG_DAYS
from infra.log_retention import DEFAULT_DAYS as DEFAULT_LOG_DAYS
from infra.log_retention import FOREVER as LOG_FOREVER

# TOTP for the user pool: "off", "optional" (each user chooses) or "required".
MFA_MODES = ("off", "optional", "required")
QUOTA_PERIODS = ("DAY", "WEEK", "MONTH")

Check = Callable[[Any], "str | None"]  # None: fine; else what the value must be


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def _texts(value: Any) -> str | None:
    fine = isinstance(value, list) and all(isinstance(item, str) for item in value)
    return None if fine else "must be a list of strings, like [\"a\", \"b\"]"


def _whole(minimum: int) -> Check:
    def check(value: Any) -> str | None:
        fine = isinstance(value, int) and not isinstance(value, bool) and value >= minimum
        return None if fine else f"must be a whole number of at least {minimum}"
    return check


def _positive(value: Any) -> str | None:
    fine = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
    return None if fine else "must be a number above 0"


def _one_of(*choices: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices else "must be one of " + ", ".join(
            json.dumps(choice) for choice in choices)
    return check


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _text_map(value: Any) -> str | None:
    fine = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return None if fine else "must be an object of strings, like {\"CHAT_FORMAT\": \"slack\"}"


# The seed travels in the function's environment, of which Lambda allows 4 KB in all.
MAX_SPAM_RULES_SEED_BYTES = 2048


def _spam_rules(value: Any) -> str | None:
    """A spam rules document (chalicelib/spam/rules.py), small enough to seed."""
    from chalicelib.spam.rules import rules_problems

    problems = rules_problems(value)
    if problems:
        return "must be a spam rules document: " + "; ".join(problems)
    if len(json.dumps(value, separators=(",", ":"))) > MAX_SPAM_RULES_SEED_BYTES:
        return (f"must be at most {MAX_SPAM_RULES_SEED_BYTES:,} bytes as JSON (it seeds the "
                "function's environment); save longer lists with PUT /dashboard/spam-rules")
    return None


def _time_zone(value: Any) -> str | None:
    """An IANA name this machine's zoneinfo knows (the deployed function loads
    it again at init, and refuses to start without it)."""
    if problem := branding.time_zone_shape_problem(value):
        return problem
    if value == branding.UTC_NAME:
        return None
    import zoneinfo
    zones = sorted(zoneinfo.available_timezones() - {"localtime", "posixrules"})
    if value in zones:
        return None
    close = [z for z in zones if z.lower() == value.lower()] or difflib.get_close_matches(
        value, zones, n=1)
    return "must be a time zone of the tz database" + (
        f" (did you mean {json.dumps(close[0])}?)" if close else ", like \"Europe/Paris\" or \"UTC\"")


DEFAULT_ID_TOKEN_MINUTES = 15


def _between(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        fine = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return None if fine else f"must be a whole number from {low} to {high:,}"
    return check


def _log_days(value: Any) -> str | None:
    fine = isinstance(value, int) and not isinstance(value, bool) and (
        value == LOG_FOREVER or value in LOG_DAYS)
    return None if fine else ("must be 0 (forever) or one of CloudWatch's retention periods: "
                              + ", ".join(map(str, LOG_DAYS)))


def _days(value: Any) -> str | None:
    fine = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_DAYS
    return None if fine else f"must be a whole number of days from 0 (forever) to {MAX_DAYS:,}"


REQUIRED = object()


@dataclass(frozen=True)
class Field:
    meaning: str
    default: Any  # REQUIRED: the stage cannot do without it
    check: Check


Schema = dict[str, "Field | Schema"]

STAGE_FIELDS: Schema = {
    "mailFrom": Field("the address notifications are sent from", REQUIRED, _text),
    "ownerEmail": Field("who receives each contact message", REQUIRED, _text),
    "sesIdentity": Field("the SES identity: the mailFrom address, or its domain", REQUIRED, _text),
    "alarmEmail": Field("where alarm notifications go; \"\" for none", "", _text),
    "alarms": {
        "oldestPendingNotificationMinutes": Field(
            "alarm when a message has waited this long for its notification", 30, _whole(1)),
    },
    "allowedOrigins": Field("origins allowed to call the API besides the site's own", [], _texts),
    "site": {
        "certificateArn": Field("an ACM certificate in us-east-1 for the site's own domain",
                                "", _text),
        "aliases": Field("the domain names that certificate covers", [], _texts),
    },
    "throttle": {
        "rateLimit": Field("service routes: steady requests per second per API key", 5, _positive),
        "burstLimit": Field("service routes: burst requests per API key", 10, _whole(0)),
    },
    "quota": {
        "limit": Field("service routes: requests per API key per period", 5000, _whole(1)),
        "period": Field("the quota's period", "DAY", _one_of(*QUOTA_PERIODS)),
    },
    "mfa": Field("authenticator apps for sign-in", "required", _one_of(*MFA_MODES)),
    "retentionDays": Field("days each message is kept, counted from when it came; 0 keeps "
                           "every message forever (a form's own retentionDays comes first)",
                           DEFAULT_RETENTION_DAYS, _days),
    "auditRetentionDays": Field("days each audit entry (an admin's change) is kept, counted "
                                "from when it was written; 0 keeps every entry forever",
                                AUDIT_DAYS, _days),
    "idTokenMinutes": Field("minutes a sign-in's ID token is valid before the page refreshes "
                            "it; a signed-out or removed admin's token works until then",
                            DEFAULT_ID_TOKEN_MINUTES, _between(5, 1440)),
    "logRetentionDays": Field("days each function's log lines are kept (CloudWatch Logs); 0 "
                              "keeps them forever", DEFAULT_LOG_DAYS, _log_days),
    "xray": Field("X-Ray tracing of the functions", False, _boolean),
    "environment": Field("the app's optional settings (docs/deploy.md)", {}, _text_map),
    "spamRules": Field("the spam rules until an admin saves some (docs/operations.md, "
                       "\"Tuning the spam rules\")", {}, _spam_rules),
    "spamRetentionDays": Field("days a message judged spam is kept before DynamoDB's TTL "
                               "deletes it", 30, _whole(1)),
    "branding": {
        "siteName": Field("the site's name, in page titles, headers and the dashboard",
                          BRANDING.site_name, branding.site_name_problem),
        "subjectPrefix": Field("what starts the subject of each notification mail; \"\" for none",
                               BRANDING.subject_prefix, branding.subject_prefix_problem),
        "replySignature": Field("the signature below each reply sent from the dashboard",
                                BRANDING.reply_signature, branding.signature_problem),
        "timeZone": Field("the IANA time zone of dates in mails and on the dashboard",
                          BRANDING.time_zone, _time_zone),
        "dashboardLink": Field("whether the public pages link to the dashboard",
                               BRANDING.dashboard_link, _boolean),
    },
}


def shown(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def read(raw: Any, schema: Schema, where: str, problems: list[str]) -> dict[str, Any]:
    """The values of `raw` with defaults filled in. Each problem is appended as
    `where.field: sentence`, and the field then takes its default (a required
    one, its empty value), so one pass names every problem."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be an object {{...}} of fields, got {shown(raw)}")
        raw = {}
    for key in raw:
        if key not in schema:
            close = difflib.get_close_matches(key, list(schema), n=1)
            problems.append(f"{where}.{key}: unknown field" + (
                f"; did you mean {close[0]}?" if close else f"; the fields are {', '.join(schema)}"))
    values: dict[str, Any] = {}
    for key, spec in schema.items():
        path = f"{where}.{key}"
        if isinstance(spec, dict):
            values[key] = read(raw.get(key, {}), spec, path, problems)
        elif key not in raw:
            if spec.default is REQUIRED:
                problems.append(f"{path}: missing; set {spec.meaning}")
            values[key] = "" if spec.default is REQUIRED else spec.default
        elif why := spec.check(raw[key]):
            problems.append(f"{path}: {why}, got {shown(raw[key])}")
            values[key] = "" if spec.default is REQUIRED else spec.default
        else:
            values[key] = raw[key]
    return values
