"""Publishing web/ to the site bucket (moto's S3) and invalidating what changed
(CloudFront through botocore's Stubber: moto's CloudFront is not needed to
check the exact call), and where the site lives."""
from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from infra import site
from infra.stages import EXAMPLE_SETTINGS_FILE, PROJECT_DIR, load_stage

CONFIG = {"apiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com/api",
          "region": "eu-west-1", "userPoolClientId": "client123",
          "cognitoEndpoint": "https://cognito-idp.eu-west-1.amazonaws.com/"}
DISTRIBUTION = "EDFDVBD6EXAMPLE"


@pytest.fixture
def web(tmp_path: Path) -> Path:
    folder = tmp_path / "web"
    (folder / "js").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>Contact</title>")
    (folder / "admin.html").write_text("<!doctype html><title>Admin</title>")
    (folder / "js" / "app.js").write_text("export const version = 1;\n")
    (folder / "config.json").write_text('{"apiUrl": "http://127.0.0.1:8000"}')  # a local one
    (folder / "config.example.json").write_text("{}")
    (folder / ".DS_Store").write_bytes(b"\0")
    return folder


@pytest.fixture
def bucket(local_aws: Any) -> Iterator[str]:
    s3 = local_aws.session.client("s3")
    name = f"frontdesk-site-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name
    site.empty_bucket(s3, name)
    s3.delete_bucket(Bucket=name)


@pytest.fixture
def cloudfront(local_aws: Any) -> Iterator[tuple[Any, Stubber]]:
    client = local_aws.session.client("cloudfront")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_invalidation(stubber: Stubber, paths: list[str]) -> None:
    stubber.add_response(
        "create_invalidation",
        {"Invalidation": {"Id": "I2J0I21PCUYOIK", "Status": "InProgress", "CreateTime": "2026-01-01",
                          "InvalidationBatch": {"Paths": {"Quantity": len(paths), "Items": paths},
                                                "CallerReference": "x"}}},
        expected_params={"DistributionId": DISTRIBUTION, "InvalidationBatch": {
            "Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": ANY}})


def publish(local_aws: Any, cloudfront_client: Any, bucket: str, web: Path) -> site.Published:
    return site.publish(local_aws.session.client("s3"), cloudfront_client, bucket=bucket,
                        distribution_id=DISTRIBUTION, files=site.site_files(web, CONFIG))


def test_the_published_pages_carry_the_stage_s_branding(tmp_path: Path) -> None:
    folder = tmp_path / "web"
    folder.mkdir()
    shutil.copy(PROJECT_DIR / "web" / "index.html", folder / "index.html")
    branded = {**CONFIG, "branding": {"siteName": "Acme <Co>", "timeZone": "Europe/Paris",
                                      "dashboardLink": False}}
    files = {f.key: f for f in site.site_files(folder, branded)}
    page = files["index.html"].body
    assert b"<title>Contact us \xc2\xb7 Acme &lt;Co&gt;</title>" in page
    assert b"admin.html" not in page
    assert b'action="https://abc123.execute-api.eu-west-1.amazonaws.com/api/contact"' in page
    assert json.loads(files["config.json"].body)["branding"] == branded["branding"]


def test_site_files_are_web_plus_the_stage_s_config_with_their_types_and_caching(
        web: Path) -> None:
    files = {f.key: f for f in site.site_files(web, CONFIG)}
    assert sorted(files) == ["admin.html", "config.json", "index.html", "js/app.js"]
    assert b"127.0.0.1" not in files["config.json"].body  # the stage's, never the local one
    assert files["config.json"].body.decode().startswith('{\n  "apiUrl": "https://abc123')
    assert (files["index.html"].content_type, files["index.html"].cache_control) == (
        "text/html; charset=utf-8", "no-cache")
    assert (files["config.json"].content_type, files["config.json"].cache_control) == (
        "application/json", "no-cache")
    assert (files["js/app.js"].content_type, files["js/app.js"].cache_control) == (
        "text/javascript; charset=utf-8", "public, max-age=300")


def test_every_file_of_the_real_web_folder_has_a_known_type() -> None:
    files = site.site_files(PROJECT_DIR / "web", CONFIG)
    assert {f.key for f in files} >= {"index.html", "admin.html", "css/site.css", "js/api.js"}
    assert [f.key for f in files if f.content_type == "application/octet-stream"] == []


def test_a_first_publish_uploads_everything_and_invalidates_each_path(
        local_aws: Any, bucket: str, cloudfront: Any, web: Path) -> None:
    client, stubber = cloudfront
    expect_invalidation(stubber, ["/admin.html", "/index.html", "/js/app.js", "/config.json", "/"])

    published = publish(local_aws, client, bucket, web)

    assert published.uploaded == ("admin.html", "index.html", "js/app.js", "config.json")
    head = local_aws.session.client("s3").head_object(Bucket=bucket, Key="js/app.js")
    assert (head["ContentType"], head["CacheControl"]) == (
        "text/javascript; charset=utf-8", "public, max-age=300")


def test_publishing_again_unchanged_uploads_and_invalidates_nothing(
        local_aws: Any, bucket: str, cloudfront: Any, web: Path) -> None:
    client, stubber = cloudfront
    expect_invalidation(stubber, ["/admin.html", "/index.html", "/js/app.js", "/config.json", "/"])
    publish(local_aws, client, bucket, web)

    # No response stubbed: a second invalidation would fail the test.
    again = publish(local_aws, client, bucket, web)

    assert again == site.Published((), (), None)


def test_only_changed_and_removed_files_are_uploaded_deleted_and_invalidated(
        local_aws: Any, bucket: str, cloudfront: Any, web: Path) -> None:
    client, stubber = cloudfront
    expect_invalidation(stubber, ["/admin.html", "/index.html", "/js/app.js", "/config.json", "/"])
    publish(local_aws, client, bucket, web)
    (web / "js" / "app.js").write_text("export const version = 2;\n")
    (web / "admin.html").unlink()
    expect_invalidation(stubber, ["/js/app.js", "/admin.html"])

    published = publish(local_aws, client, bucket, web)

    assert (published.uploaded, published.deleted) == (("js/app.js",), ("admin.html",))
    assert published.invalidation_id == "I2J0I21PCUYOIK"
    assert site.bucket_keys(local_aws.session.client("s3"), bucket) == [
        "config.json", "index.html", "js/app.js"]


def test_a_file_whose_headers_are_wrong_is_uploaded_again(
        local_aws: Any, bucket: str, cloudfront: Any, web: Path) -> None:
    client, stubber = cloudfront
    expect_invalidation(stubber, ["/admin.html", "/index.html", "/js/app.js", "/config.json", "/"])
    publish(local_aws, client, bucket, web)
    s3 = local_aws.session.client("s3")
    s3.put_object(Bucket=bucket, Key="index.html", Body=(web / "index.html").read_bytes(),
                  ContentType="text/html", CacheControl="max-age=86400")  # same body
    expect_invalidation(stubber, ["/index.html", "/"])

    assert publish(local_aws, client, bucket, web).uploaded == ("index.html",)
    assert s3.head_object(Bucket=bucket, Key="index.html")["CacheControl"] == "no-cache"


class RefusingS3:
    """moto's S3, except that DeleteObjects answers the keys in `refusals` with
    an error code, as S3 does per key inside a 200 answer, `times` times each."""

    def __init__(self, s3: Any, refusals: dict[str, str], times: int = 1_000) -> None:
        self._s3, self._refusals, self._left = s3, refusals, dict.fromkeys(refusals, times)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s3, name)

    def delete_objects(self, *, Bucket: str, Delete: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        refused = [o["Key"] for o in Delete["Objects"] if self._left.get(o["Key"], 0) > 0]
        for key in refused:
            self._left[key] -= 1
        rest = [o for o in Delete["Objects"] if o["Key"] not in refused]
        answer = dict(self._s3.delete_objects(Bucket=Bucket, Delete={**Delete, "Objects": rest})
                      if rest else {})
        answer["Errors"] = [{"Key": key, "Code": self._refusals[key], "Message": "refused"}
                            for key in refused]
        return answer


def test_a_file_s3_refuses_to_delete_fails_the_publish_naming_it(
        local_aws: Any, bucket: str, cloudfront: Any, web: Path) -> None:
    client, stubber = cloudfront
    expect_invalidation(stubber, ["/admin.html", "/index.html", "/js/app.js", "/config.json", "/"])
    publish(local_aws, client, bucket, web)
    (web / "admin.html").unlink()
    (web / "js" / "app.js").unlink()
    s3 = RefusingS3(local_aws.session.client("s3"), {"admin.html": "AccessDenied"})

    with pytest.raises(site.DeleteFailed) as failed:
        site.publish(s3, client, bucket=bucket, distribution_id=DISTRIBUTION,
                     files=site.site_files(web, CONFIG))

    assert str(failed.value) == (f"1 file could not be deleted from the bucket {bucket} and is "
                                 "still there: admin.html (AccessDenied: refused).")
    assert site.bucket_keys(s3, bucket) == ["admin.html", "config.json", "index.html"]


def test_emptying_the_bucket_retries_what_s3_asks_to_retry(local_aws: Any, bucket: str) -> None:
    s3 = local_aws.session.client("s3")
    for key in ("index.html", "js/app.js"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    refusing = RefusingS3(s3, {"js/app.js": "SlowDown"}, times=2)
    pauses: list[float] = []

    assert site.empty_bucket(refusing, bucket, pause=pauses.append) == 2

    assert site.bucket_keys(s3, bucket) == [] and len(pauses) == 2


def test_emptying_the_bucket_gives_up_after_its_attempts(local_aws: Any, bucket: str) -> None:
    s3 = local_aws.session.client("s3")
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"x")
    refusing = RefusingS3(s3, {"index.html": "InternalError"})

    with pytest.raises(site.DeleteFailed, match=r"index.html \(InternalError: refused\)"):
        site.empty_bucket(refusing, bucket, pause=lambda seconds: None)

    assert site.bucket_keys(s3, bucket) == ["index.html"]


def test_many_changed_paths_become_one_wildcard() -> None:
    keys = [f"img/{n}.png" for n in range(site.MAX_INVALIDATION_PATHS + 1)]
    assert site.invalidation_paths(keys) == ["/*"]


def test_the_site_is_at_its_custom_domain_when_set_and_both_origins_are_allowed() -> None:
    outputs = {"SiteDomainName": "d111111abcdef8.cloudfront.net"}
    stage = load_stage("prod", EXAMPLE_SETTINGS_FILE)
    assert site.site_url(stage, outputs) == "https://d111111abcdef8.cloudfront.net/"
    assert site.allowed_origins(stage, outputs) == ("https://d111111abcdef8.cloudfront.net",)

    custom = replace(stage, site_aliases=("www.frontdesk.test",),
                     extra_allowed_origins=("https://admin.frontdesk.test",))
    assert site.site_url(custom, outputs) == "https://www.frontdesk.test/"
    assert site.allowed_origins(custom, outputs) == (
        "https://www.frontdesk.test", "https://d111111abcdef8.cloudfront.net",
        "https://admin.frontdesk.test")



def test_published_pages_post_their_forms_to_the_stage_s_api() -> None:
    files = {f.key: f for f in site.site_files(PROJECT_DIR / "web", CONFIG)}
    page = files["index.html"].body.decode()
    assert f'action="{CONFIG["apiUrl"].rstrip("/")}/contact"' in page
    assert "__API_URL__" not in page
    # form.html?form=<id> is the API's page, which the distribution routes to.
    assert "form.html" not in files
