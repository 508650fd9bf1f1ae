"""The web site (web/) as deployed: where it is served, what its pages may
talk to, and publishing web/ to its bucket with the right cache headers."""
from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from botocore.exceptions import ClientError

from infra.stages import StageConfig
from infra.web_headers import security_headers
from infra.web_pages import served_page


def site_origins(stage: StageConfig, outputs: dict[str, str]) -> tuple[str, ...]:
    """The site's own custom domain names first (when set), then its CloudFront domain."""
    return (*(f"https://{alias}" for alias in stage.site_aliases),
            f"https://{outputs['SiteDomainName']}")


def site_url(stage: StageConfig, outputs: dict[str, str]) -> str:
    return site_origins(stage, outputs)[0] + "/"


def allowed_origins(stage: StageConfig, outputs: dict[str, str]) -> tuple[str, ...]:
    """The stage's ALLOWED_ORIGINS: the site's, then the extra ones from the settings."""
    return tuple(dict.fromkeys((*site_origins(stage, outputs), *stage.extra_allowed_origins)))


def cognito_endpoint(region: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/"


def upload_origins(region: str) -> tuple[str, ...]:
    """Where form.html posts files: the attachments bucket's presigned POST
    address, virtual-hosted (`https://<bucket>.s3.amazonaws.com` in us-east-1,
    `https://<bucket>.s3.<region>.amazonaws.com` elsewhere). The bucket is named
    with the account id, which the site's headers are written without: any
    bucket of S3 in the region may be posted to (docs/attachments.md)."""
    return ("https://*.s3.amazonaws.com", f"https://*.s3.{region}.amazonaws.com")


def site_headers(api_url: str | None, region: str,
                 captcha_provider: str | None = None) -> dict[str, str]:
    """The deployed site's security headers; `api_url` is None before the first API exists."""
    return security_headers(api_url, cognito_endpoint(region), captcha_provider,
                            upload_origins(region))


# -- publishing web/ ------------------------------------------------------------

# Pages and config.json revalidate on every load, so a deploy shows at once;
# scripts, styles and images may be reused for a few minutes (their names
# carry no content hash, so longer would mix new pages with old scripts).
REVALIDATE = "no-cache"
BRIEFLY = "public, max-age=300"
# Explicit, not mimetypes: the system's table varies, and with nosniff a
# module script served under the wrong type does not run.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
    ".ico": "image/x-icon", ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8", ".woff2": "font/woff2",
}
CONFIG_KEY = "config.json"
# config.json is generated for the stage; the example is documentation.
NOT_PUBLISHED = {CONFIG_KEY, "config.example.json"}
# CloudFront bills invalidations by path; one wildcard counts as one.
MAX_INVALIDATION_PATHS = 15


@dataclass(frozen=True)
class SiteFile:
    key: str
    body: bytes
    content_type: str
    cache_control: str

    @classmethod
    def of(cls, key: str, body: bytes) -> SiteFile:
        suffix = PurePosixPath(key).suffix.lower()
        revalidate = suffix == ".html" or key == CONFIG_KEY
        return cls(key, body, CONTENT_TYPES.get(suffix, "application/octet-stream"),
                   REVALIDATE if revalidate else BRIEFLY)

    @property
    def etag(self) -> str:
        """S3's ETag of a single-part upload (SSE-S3): the MD5 of the body."""
        return hashlib.md5(self.body, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Published:
    uploaded: tuple[str, ...]
    deleted: tuple[str, ...]
    invalidation_id: str | None


def site_files(web_dir: Path, config: dict[str, Any]) -> list[SiteFile]:
    """Every file under web/ (no dotfiles), the pages with the stage's values
    written in (infra/web_pages.py), plus the stage's config.json."""
    files = []
    for path in sorted(web_dir.rglob("*")):
        key = path.relative_to(web_dir).as_posix()
        if path.is_file() and key not in NOT_PUBLISHED and not any(
                part.startswith(".") for part in PurePosixPath(key).parts):
            body = path.read_bytes()
            if key.endswith(".html"):
                body = served_page(body, config)
            files.append(SiteFile.of(key, body))
    return [*files, SiteFile.of(CONFIG_KEY, (json.dumps(config, indent=2) + "\n").encode())]


def bucket_keys(s3: Any, bucket: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return keys


def _is_current(s3: Any, bucket: str, file: SiteFile) -> bool:
    try:
        head = s3.head_object(Bucket=bucket, Key=file.key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return bool(head["ETag"].strip('"') == file.etag and head.get("ContentType") == file.content_type
                and head.get("CacheControl") == file.cache_control)


def invalidation_paths(keys: list[str]) -> list[str]:
    paths = [f"/{key}" for key in keys]
    if "index.html" in keys:
        paths.append("/")  # the root object is cached under "/" too
    return paths if len(paths) <= MAX_INVALIDATION_PATHS else ["/*"]


def publish(s3: Any, cloudfront: Any, *, bucket: str, distribution_id: str,
            files: list[SiteFile]) -> Published:
    """Upload what differs from the bucket (body or headers), delete what web/
    no longer has, and invalidate exactly those paths in CloudFront."""
    uploaded = [f.key for f in files if not _is_current(s3, bucket, f)]
    for file in files:
        if file.key in uploaded:
            s3.put_object(Bucket=bucket, Key=file.key, Body=file.body,
                          ContentType=file.content_type, CacheControl=file.cache_control)
    wanted = {f.key for f in files}
    deleted = [key for key in bucket_keys(s3, bucket) if key not in wanted]
    delete_keys(s3, bucket, deleted)
    changed = uploaded + deleted
    invalidation_id = None
    if changed:
        paths = invalidation_paths(changed)
        invalidation_id = str(cloudfront.create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": paths},
                               "CallerReference": uuid.uuid4().hex})["Invalidation"]["Id"])
    return Published(tuple(uploaded), tuple(deleted), invalidation_id)


class DeleteFailed(RuntimeError):
    """Files S3 would not delete: they are still in the bucket."""


# A DeleteObjects answer is a 200 with an error per key that failed. botocore
# retries failed requests, never these, so the keys S3 asks to try again are
# tried again here; any other code (AccessDenied, a lock) will not change on a
# retry, and the deploy or destroy stops naming the files still there.
RETRYABLE_DELETE_ERRORS = frozenset({"InternalError", "SlowDown", "ServiceUnavailable"})
DELETE_ATTEMPTS = 3


def delete_keys(s3: Any, bucket: str, keys: list[str], *,
                pause: Callable[[float], None] = time.sleep) -> None:
    """Delete every key, or raise DeleteFailed naming those still there."""
    failed: dict[str, dict[str, str]] = {}
    pending = list(keys)
    for attempt in range(DELETE_ATTEMPTS):
        if attempt:
            pause(float(attempt))
        errors = _delete_once(s3, bucket, pending)
        for key in pending:
            failed.pop(key, None)
        failed.update(errors)
        pending = [key for key, error in errors.items()
                   if error.get("Code") in RETRYABLE_DELETE_ERRORS]
        if not pending:
            break
    if failed:
        shown = ", ".join(f"{key} ({error.get('Code')}: {error.get('Message')})"
                          for key, error in list(failed.items())[:5])
        more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
        raise DeleteFailed(
            f"1 file could not be deleted from the bucket {bucket} and is still there: {shown}."
            if len(failed) == 1 else
            f"{len(failed)} files could not be deleted from the bucket {bucket} and are still "
            f"there: {shown}{more}.")


def _delete_once(s3: Any, bucket: str, keys: list[str]) -> dict[str, dict[str, str]]:
    errors: dict[str, dict[str, str]] = {}
    for start in range(0, len(keys), 1000):  # DeleteObjects takes up to 1000 keys
        answer = s3.delete_objects(Bucket=bucket, Delete={
            "Objects": [{"Key": key} for key in keys[start:start + 1000]], "Quiet": True})
        errors.update({error["Key"]: error for error in answer.get("Errors", [])})
    return errors


def empty_bucket(s3: Any, bucket: str, *, pause: Callable[[float], None] = time.sleep) -> int:
    """CloudFormation cannot delete a bucket that holds objects."""
    keys = bucket_keys(s3, bucket)
    delete_keys(s3, bucket, keys, pause=pause)
    return len(keys)
