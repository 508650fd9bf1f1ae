"""The web site (web/) as deployed: where it is served, and what its pages may talk to."""
from __future__ import annotations

from infra.stages import StageConfig
from infra.web_headers import security_headers


def site_origins(stage: StageConfig, outputs: dict[str, str]) -> tuple[str, ...]:
    """The site's own custom domain names first (when set), then its CloudFront domain."""
    return (*(f"https://{alias}" for alias in stage.site_aliases),
            f"https://{outputs['SiteDomainName']}")


def site_url(stage: StageConfig, outputs: dict[str, str]) -> str:
    return site_origins(stage, outputs)[0] + "/"


def allowed_origins(stage: StageConfig, outputs: dict[str, str]) -> tuple[str, ...]:
    """The stage's ALLOWED_ORIGINS: the site's, then the extra ones from infra/stages.json."""
    return tuple(dict.fromkeys((*site_origins(stage, outputs), *stage.extra_allowed_origins)))


def cognito_endpoint(region: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/"


def site_headers(api_url: str | None, region: str) -> dict[str, str]:
    """The deployed site's security headers; `api_url` is None before the first API exists."""
    return security_headers(api_url, cognito_endpoint(region))
