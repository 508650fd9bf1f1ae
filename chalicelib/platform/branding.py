"""The site's own name and voice, per stage: what the pages, the mails and the
dashboard call the site, and the time zone their dates are shown in.

One frozen value, built once from the environment (chalicelib/platform/config.py)
and checked as it is built: a value that could break a mail header or a page
never gets this far. The owner sets it as `branding` in frontdesk.json; deploy
turns it into the ENVIRONMENT variables below (infra/chalice_config.py).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

import msgspec

SITE_NAME_MAX = 60
SUBJECT_PREFIX_MAX = 40
SIGNATURE_MAX = 500
UTC_NAME = "UTC"
# Anything a mail header, a page title or a terminal could take as a break or a
# command (chalicelib/core/text.py says the same for request fields): C0, DEL,
# C1 and the Unicode line and paragraph separators.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROLS_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# The shape of an IANA name (Europe/Paris, America/Argentina/Buenos_Aires,
# Etc/GMT+5): never a path that could leave the time-zone folder.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*")


class BrandingError(ValueError):
    """A branding value the site cannot use; the message is one sentence."""


def site_name_problem(value: Any) -> str | None:
    return _one_line_problem(value, SITE_NAME_MAX, blank_allowed=False)


def subject_prefix_problem(value: Any) -> str | None:
    return _one_line_problem(value, SUBJECT_PREFIX_MAX, blank_allowed=True)


def signature_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > SIGNATURE_MAX:
        return f"must be at most {SIGNATURE_MAX} characters, got {len(value)}"
    if _CONTROLS_BUT_NEWLINE.search(value):
        return "may hold line breaks (\\n) but no other control characters (no \\r, no tab)"
    return None


def time_zone_shape_problem(value: Any) -> str | None:
    """What can be told without the time-zone database."""
    if not isinstance(value, str) or not _ZONE_NAME.fullmatch(value) or len(value) > 64:
        return "must be an IANA time zone name, like \"Europe/Paris\" or \"UTC\""
    return None


def _one_line_problem(value: Any, most: int, *, blank_allowed: bool) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if _CONTROLS.search(value):
        return "must be one line, with no control characters (no \\r, \\n or tab)"
    if value != value.strip():
        return "may not start or end with spaces"
    if not value and not blank_allowed:
        return "must not be empty"
    if len(value) > most:
        return f"must be at most {most} characters, got {len(value)}"
    return None


def load_zone(name: str) -> tzinfo:
    """The zone itself. UTC needs no time-zone database; any other name is
    loaded by zoneinfo (imported only then), from the system's database or
    the tzdata package, whichever the interpreter has."""
    if name == UTC_NAME:
        return UTC
    if problem := time_zone_shape_problem(name):
        raise BrandingError(f"{name!r} {problem}")
    import zoneinfo
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise BrandingError(f"{name!r} is not a time zone this Python can load "
                            "(an IANA name, like \"Europe/Paris\")") from None


# English, whatever the machine's locale: the mails are written in English.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


# Variable -> the field it sets; deploy writes them, Branding.from_env reads them.
ENVIRONMENT = {"SITE_NAME": "site_name", "MAIL_SUBJECT_PREFIX": "subject_prefix",
               "REPLY_SIGNATURE": "reply_signature", "TIME_ZONE": "time_zone",
               "DASHBOARD_LINK": "dashboard_link"}


# A Struct, not a dataclass: loaded at init (chalicelib/http/operations.py says why).
class Branding(msgspec.Struct, frozen=True):
    # Page titles and headers, the dashboard's header, the authenticator app's label.
    site_name: str = "Frontdesk"
    # Before the owner's notification subjects ("" for none), so mail can be filtered.
    subject_prefix: str = "[Frontdesk]"
    # Below each reply the dashboard sends, after an RFC 3676 "-- " line ("" for none).
    reply_signature: str = ""
    # Dates in mails and on the dashboard.
    time_zone: str = UTC_NAME
    # Whether the public pages link to the dashboard (admin.html).
    dashboard_link: bool = True

    def __post_init__(self) -> None:
        for name, problem in (("SITE_NAME", site_name_problem(self.site_name)),
                              ("MAIL_SUBJECT_PREFIX", subject_prefix_problem(self.subject_prefix)),
                              ("REPLY_SIGNATURE", signature_problem(self.reply_signature)),
                              ("TIME_ZONE", time_zone_shape_problem(self.time_zone))):
            if problem:
                raise BrandingError(f"{name} {problem}")
        if not isinstance(self.dashboard_link, bool):
            raise BrandingError("DASHBOARD_LINK must be true or false")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Branding:
        """The variables that are set, over the defaults; BrandingError names the
        first bad one. A zone other than UTC is loaded here, at init, so a stage
        whose function cannot show its dates fails to start rather than mail."""
        values: dict[str, Any] = {}
        for variable, field in ENVIRONMENT.items():
            if variable not in env:
                continue
            raw = env[variable]
            if field == "dashboard_link":
                if raw not in ("true", "false"):
                    raise BrandingError(f"DASHBOARD_LINK must be true or false, got {raw!r}")
                values[field] = raw == "true"
            else:
                values[field] = raw
        branding = cls(**values)
        try:
            branding.zone()
        except BrandingError as exc:
            raise BrandingError(f"TIME_ZONE {exc}") from None
        return branding

    def to_env(self) -> dict[str, str]:
        return {variable: (("true" if value else "false") if isinstance(value, bool) else value)
                for variable, field in ENVIRONMENT.items()
                for value in (getattr(self, field),)}

    def zone(self) -> tzinfo:
        return load_zone(self.time_zone)

    def subject(self, topic: str) -> str:
        return f"{self.subject_prefix} {topic}" if self.subject_prefix else topic

    def shown_at(self, moment: str) -> str:
        """A stored moment (ISO 8601, UTC) as mails show it: ISO 8601 at the
        zone's offset, to the millisecond, then the zone's name. UTC keeps the
        stored form, Z and all, as mails always showed it."""
        if self.time_zone == UTC_NAME:
            return moment
        try:
            parsed = datetime.fromisoformat(moment)
        except ValueError:
            return moment  # not a moment this site stored: shown as it is
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        shown = parsed.astimezone(self.zone()).isoformat(timespec="milliseconds")
        return f"{shown} ({self.time_zone})"

    def shown_to_people(self, moment: str) -> str:
        """A stored moment as a visitor reads it in a mail's text, in the
        stage's zone and naming it, to the minute on a 24-hour clock:
        "7 December 2026 at 13:49 (Europe/Berlin)", "7 December 2026 at 12:49
        (UTC)". A value that is no moment this site stored is shown as it is."""
        try:
            parsed = datetime.fromisoformat(moment)
        except ValueError:
            return moment
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        local = parsed.astimezone(self.zone())
        return (f"{local.day} {_MONTHS[local.month - 1]} {local.year} at "
                f"{local.hour:02d}:{local.minute:02d} ({self.time_zone})")


DEFAULT = Branding()
