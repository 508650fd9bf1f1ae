"""The rehearsal's checks (devstack/rehearsal/checks.py) find what a wrong
deploy leaves: a route without its authorizer, a gateway error without CORS, a
role that may mail as another identity, a site file with the wrong headers."""
from __future__ import annotations

import dataclasses
import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from moto.cloudfront.models import cloudfront_backends
from moto.core import DEFAULT_ACCOUNT_ID

from devstack.rehearsal import checks
from devstack.rehearsal.events import gateway_claims
from infra import gateway, site, stack
from infra.stages import EXAMPLE_SETTINGS_FILE, PROJECT_DIR, TEMPLATE_FILE, load_stage
from tests.devstack.test_moto_apigateway import POOL_ARN, chalice_swagger

ROUTES = [
    {"path": "/health", "method": "GET", "authorizer": None, "apiKeyRequired": False,
     "role": "public"},
    {"path": "/users/{user_id}", "method": "GET", "authorizer": "demo-users", "apiKeyRequired": False,
     "role": "admin"},
    {"path": "/users/{user_id}", "method": "PATCH", "authorizer": "demo-users",
     "apiKeyRequired": False, "role": "signed-in"},
    {"path": "/service/users", "method": "POST", "authorizer": None, "apiKeyRequired": True,
     "role": "service"},
]
ORIGIN = "https://d111111abcdef8.cloudfront.net"


@pytest.fixture
def apigateway(local_aws: Any) -> Any:
    return local_aws.session.client("apigateway")


@pytest.fixture
def api(apigateway: Any) -> str:
    """The demo app's API as deploy leaves it: Chalice's import plus the catch-all."""
    api_id = str(apigateway.import_rest_api(body=json.dumps(chalice_swagger()))["id"])
    gateway.route_unknown_paths_to_the_app(
        apigateway, api_id, "arn:aws:lambda:us-east-1:123456789012:function:demo", "us-east-1")
    return api_id


def method_id(apigateway: Any, api_id: str, path: str) -> str:
    return str(next(r["id"] for r in apigateway.get_resources(restApiId=api_id)["items"]
                    if r["path"] == path))


def test_an_api_as_the_app_declares_it_passes(apigateway: Any, api: str) -> None:
    assert checks.authorization(apigateway, api, ROUTES, POOL_ARN) == ([], 2, 1)


def test_a_route_without_its_authorizer_is_named(apigateway: Any, api: str) -> None:
    apigateway.put_method(restApiId=api, resourceId=method_id(apigateway, api, "/users/{user_id}"),
                          httpMethod="PATCH", authorizationType="NONE")

    problems, _, _ = checks.authorization(apigateway, api, ROUTES, POOL_ARN)

    assert problems == ["PATCH /users/{user_id} is a signed-in route without the Cognito "
                        "authorizer", "PATCH /users/{user_id} has authorization NONE (None), not "
                        "the Cognito authorizer demo-users"]


def test_an_admin_route_the_app_declares_without_the_authorizer_is_named(
        apigateway: Any, api: str) -> None:
    """API Gateway as app.py says, but app.py forgot the authorizer on an admin route:
    deployed, the app would trust claims nobody verified."""
    routes = [dict(r, authorizer=None) if r["method"] == "GET" and r["role"] == "admin" else r
              for r in ROUTES]
    apigateway.put_method(restApiId=api, resourceId=method_id(apigateway, api, "/users/{user_id}"),
                          httpMethod="GET", authorizationType="NONE")

    problems, _, _ = checks.authorization(apigateway, api, routes, POOL_ARN)

    assert problems == ["GET /users/{user_id} is an admin route without the Cognito authorizer"]


def test_a_route_without_its_api_key_an_undeclared_method_and_another_pool_are_named(
        apigateway: Any, api: str) -> None:
    routes = [dict(r, apiKeyRequired=False) if r["path"] == "/service/users" else r
              for r in ROUTES if r["path"] != "/health"]

    problems, _, _ = checks.authorization(apigateway, api, routes, POOL_ARN.replace("Pool1", "Other"))

    assert any(p.startswith("authorizer demo-users is COGNITO_USER_POOLS on") for p in problems)
    assert "POST /service/users: API key required is True, the app declares False" in problems
    assert "GET /health is in API Gateway but not declared by the app" in problems


def test_a_missing_catch_all_is_named(apigateway: Any) -> None:
    api_id = apigateway.import_rest_api(body=json.dumps(chalice_swagger()))["id"]

    problems, _, _ = checks.authorization(apigateway, api_id, ROUTES, POOL_ARN)

    assert problems == ["the catch-all ANY / is missing", "the catch-all ANY /{proxy+} is missing"]


def test_gateway_errors_need_the_site_s_cors(apigateway: Any, api: str) -> None:
    assert len(checks.gateway_cors(apigateway, api, (ORIGIN,))) == len(gateway.GATEWAY_ERRORS)

    gateway.put_gateway_responses(apigateway, api, (ORIGIN,))
    assert checks.gateway_cors(apigateway, api, (ORIGIN,)) == []

    gateway.put_gateway_responses(apigateway, api, ("https://elsewhere.test",))
    assert len(checks.gateway_cors(apigateway, api, (ORIGIN,))) == len(gateway.GATEWAY_ERRORS)


def role_with(iam: Any, policy: dict[str, Any]) -> dict[str, str]:
    name = f"role-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    iam.put_role_policy(RoleName=name, PolicyName=name, PolicyDocument=json.dumps(policy))
    return {"FunctionName": name, "Role": role["Role"]["Arn"]}


def mail_policy(*identities: str, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ses:SendEmail", *extra],
         "Resource": [f"arn:aws:ses:*:*:identity/{i}" for i in identities]}]}


def test_the_stage_policy_on_the_role_passes(local_aws: Any) -> None:
    iam = local_aws.session.client("iam")
    stage_policy = mail_policy("mail.frontdesk.test")

    assert checks.role_policies(iam, [role_with(iam, stage_policy)], "mail.frontdesk.test",
                                "us-east-1", "123456789012", stage_policy) == []


def test_a_role_that_mails_as_the_placeholder_or_grants_more_is_named(local_aws: Any) -> None:
    iam = local_aws.session.client("iam")
    stage_policy = mail_policy("mail.frontdesk.test")
    shipped = role_with(iam, mail_policy("frontdesk@example.com"))
    wider = role_with(iam, mail_policy("mail.frontdesk.test", "*", extra=("ses:SendRawEmail",)))

    problems = checks.role_policies(iam, [shipped, wider], "mail.frontdesk.test", "us-east-1",
                                    "123456789012", stage_policy)

    assert f"{shipped['FunctionName']}'s role may not send mail as mail.frontdesk.test" in problems
    assert f"{wider['FunctionName']}'s role may send mail as an identity the settings do not " \
           "name" in problems
    assert f"{wider['FunctionName']}'s role grants ['ses:SendRawEmail'], beyond the stage " \
           "policy" in problems


def test_the_environment_is_held_to_the_settings_and_outputs() -> None:
    expected = checks.expected_environment(
        "rehearsal", {"mailFrom": "a@x.test", "ownerEmail": "o@x.test",
                      "allowedOrigins": ["http://localhost:8080"]},
        {"SiteDomainName": "d1.cloudfront.net", "TableStreamArn": "s", "UserPoolId": "p",
         "UserPoolClientId": "c", "UserPoolArn": "arn", "AttachmentsBucketName": "b",
         "FilesDomainName": "d2.cloudfront.net"}, 3)
    deployed = {"FunctionName": "f", "Environment": {"Variables": {
        **expected, "OWNER_EMAIL": "x", "FILES_KEY_PARAMETER": "/frontdesk/rehearsal/files-key:2"}}}

    assert expected["ALLOWED_ORIGINS"] == "https://d1.cloudfront.net,http://localhost:8080"
    assert expected["FILES_URL"] == "https://d2.cloudfront.net"
    assert sorted(checks.environment([deployed], expected)) == [
        "f: FILES_KEY_PARAMETER is '/frontdesk/rehearsal/files-key:2', not "
        "'/frontdesk/rehearsal/files-key:3'",
        "f: OWNER_EMAIL is 'x', not 'o@x.test'"]


def test_the_environment_carries_the_settings_branding() -> None:
    expected = checks.expected_environment(
        "rehearsal", {"mailFrom": "a@x.test", "ownerEmail": "o@x.test",
                      "branding": {"siteName": "Acme", "timeZone": "Europe/Paris",
                                   "dashboardLink": False}},
        {"SiteDomainName": "d1.cloudfront.net", "TableStreamArn": "s", "UserPoolId": "p",
         "UserPoolClientId": "c", "UserPoolArn": "arn", "AttachmentsBucketName": "b",
         "FilesDomainName": "d2.cloudfront.net"}, 1)
    assert (expected["SITE_NAME"], expected["TIME_ZONE"], expected["DASHBOARD_LINK"]) == (
        "Acme", "Europe/Paris", "false")
    assert "MAIL_SUBJECT_PREFIX" not in expected  # only what the settings name


def test_the_published_contact_page_must_carry_the_settings_site_name(
        local_aws: Any, tmp_path: Path) -> None:
    s3 = local_aws.session.client("s3")
    bucket = f"site-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    branding = {"siteName": "Acme <b>&</b>", "timeZone": "UTC", "dashboardLink": False}
    shutil.copy(PROJECT_DIR / "web" / "index.html", tmp_path / "index.html")
    for file in site.site_files(tmp_path, {"apiUrl": "https://api.test/api", "branding": branding}):
        s3.put_object(Bucket=bucket, Key=file.key, Body=file.body)
    assert checks.site_branding(s3, bucket, branding) == []

    s3.put_object(Bucket=bucket, Key="index.html", Body=(PROJECT_DIR / "web" / "index.html")
                  .read_bytes().replace(b"__SITE_NAME__", b"Acme <b>&</b>"))
    assert checks.site_branding(s3, bucket, branding) == [
        "index.html's title does not name the site 'Acme <b>&</b>'",
        "index.html holds the site name 'Acme <b>&</b>' unescaped",
        "index.html links to the dashboard, where dashboardLink is False"]


def test_site_files_need_their_content_type_and_cache_header(local_aws: Any, tmp_path: Path) -> None:
    s3 = local_aws.session.client("s3")
    bucket = f"site-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    (tmp_path / "index.html").write_text("<!doctype html>")
    (tmp_path / "app.js").write_text("export {};")
    config = {"apiUrl": "https://api.test/api"}
    for file in site.site_files(tmp_path, config):
        s3.put_object(Bucket=bucket, Key=file.key, Body=file.body, ContentType=file.content_type,
                      CacheControl=file.cache_control)
    assert checks.site_bucket(s3, bucket, tmp_path, config) == []

    s3.put_object(Bucket=bucket, Key="app.js", Body=b"export {};", ContentType="text/plain")
    s3.put_object(Bucket=bucket, Key="stale.html", Body=b"old")

    problems = checks.site_bucket(s3, bucket, tmp_path, config)
    assert problems[0] == "the site bucket holds ['stale.html'] where web/ says otherwise"
    assert problems[1].startswith("app.js is ('text/plain', None)")


def test_claims_reach_the_function_as_api_gateway_passes_them() -> None:
    def part(value: dict[str, Any]) -> str:
        import base64
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    token = ".".join([part({"alg": "RS256"}), part({
        "sub": "u1", "cognito:groups": ["admin", "editors"], "exp": 1796651240,
        "email_verified": True, "auth_time": 1796650000}), "signature"])

    claims = gateway_claims(token)

    assert claims == {"sub": "u1", "cognito:groups": "admin,editors",
                      "exp": "Mon Dec 07 13:47:20 UTC 2026", "email_verified": "true",
                      "auth_time": "Mon Dec 07 13:26:40 UTC 2026"}


def test_a_table_missing_one_of_the_template_s_indexes_is_named(
        local_aws: Any, fresh_table: str) -> None:
    dynamodb = local_aws.session.client("dynamodb")
    assert checks.table_indexes(dynamodb, fresh_table, TEMPLATE_FILE) == []
    dynamodb.update_table(TableName=fresh_table,
                          GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "gsi3"}}])
    assert checks.table_indexes(dynamodb, fresh_table, TEMPLATE_FILE) == [
        "the table has no index gsi3"]


def test_the_site_must_send_form_html_to_the_deployed_api(local_aws: Any) -> None:
    cfn, cloudfront = (local_aws.session.client(s) for s in ("cloudformation", "cloudfront"))
    stage = dataclasses.replace(load_stage("dev", EXAMPLE_SETTINGS_FILE), name="routecheck",
                                ses_identity="routecheck@example.org")
    api_url = "https://abc123.execute-api.us-east-1.amazonaws.com/api"
    body, fast = TEMPLATE_FILE.read_text(), {"Delay": 0.1, "MaxAttempts": 100}

    def check(api: str) -> list[str]:
        return checks.form_page_route(cloudfront, outputs["SiteDistributionId"], api,
                                      "routecheck", "us-east-1", TEMPLATE_FILE)
    # Before the stack names the API (a deploy that skipped its second stack update).
    outputs = stack.deploy_stack(cfn, stage, body, "api", site.site_headers(None, "us-east-1"),
                                 wait=fast)
    try:
        assert check(api_url) == ["the site's distribution has no origin for the API"]
        outputs = stack.deploy_stack(cfn, stage, body, "api",
                                     site.site_headers(api_url, "us-east-1"), wait=fast,
                                     api_url=api_url)
        assert check(api_url) == []
        assert check("https://zzz999.execute-api.us-east-1.amazonaws.com/api") == [
            "the site's API origin is abc123.execute-api.us-east-1.amazonaws.com/api, not the "
            "deployed API's zzz999.execute-api.us-east-1.amazonaws.com/api"]
        function = moto_function("frontdesk-routecheck-form-page-us-east-1")
        function.code = b"function handler(event) { return event.request; }"
        assert check(api_url) == [
            "the function frontdesk-routecheck-form-page-us-east-1 does not hold the "
            "template's code"]
    finally:
        stack.delete_stack(cfn, stage, wait=fast)


def moto_function(name: str) -> Any:
    """The function as moto holds it (moto has no UpdateFunction)."""
    return cloudfront_backends[DEFAULT_ACCOUNT_ID]["aws"].functions[name]


def test_the_attachments_bucket_as_the_template_makes_it_passes(local_aws: Any) -> None:
    import os

    from tests.conftest import OTHER_ALLOWED_ORIGIN, TEST_ORIGIN

    s3 = local_aws.session.client("s3")
    bucket = os.environ["ATTACHMENTS_BUCKET"]
    domain = next(o["OutputValue"] for o in local_aws.session.client(
        "cloudformation").describe_stacks(StackName="frontdesk-local-resources")["Stacks"][0][
        "Outputs"] if o["OutputKey"] == "SiteDomainName")
    site_origin = f"https://{domain}"
    assert checks.attachments_bucket(s3, bucket, (site_origin, TEST_ORIGIN,
                                                  OTHER_ALLOWED_ORIGIN)) == []
    assert checks.attachments_bucket(s3, bucket, (site_origin,)) == [
        f"the attachments bucket's CORS allows ['POST'] from "
        f"{sorted([site_origin, TEST_ORIGIN, OTHER_ALLOWED_ORIGIN])}, not POST from "
        f"{[site_origin]}"]


def test_a_bare_bucket_is_named_for_each_setting_it_lacks(local_aws: Any) -> None:
    s3 = local_aws.session.client("s3")
    bucket = f"bare-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET", "POST"], "AllowedOrigins": ["*"]}]})
    problems = checks.attachments_bucket(s3, bucket, ("https://site.test",))
    assert problems[0] == ("the attachments bucket's public access block leaves "
                           "['BlockPublicPolicy', 'RestrictPublicBuckets'] off")
    assert "does not deny requests without TLS" in problems[-3]
    assert problems[-2] == ("the attachments bucket's CORS allows ['GET', 'POST'] from ['*'], "
                            "not POST from ['https://site.test']")
    assert problems[-1] == "the attachments bucket does not expire unclaimed/ after a day"


def test_attachments_must_be_served_by_their_own_checked_distribution(local_aws: Any) -> None:
    from devstack.cloudformation.stand_ins import RECORDED
    from infra.files_key import ensure_files_key

    cfn, cloudfront, s3, ssm = (local_aws.session.client(s) for s in (
        "cloudformation", "cloudfront", "s3", "ssm"))
    stage = dataclasses.replace(load_stage("dev", EXAMPLE_SETTINGS_FILE), name="filescheck",
                                ses_identity="filescheck@example.org")
    fast = {"Delay": 0.1, "MaxAttempts": 100}
    key, _ = ensure_files_key(ssm, "filescheck")
    outputs = stack.deploy_stack(cfn, stage, TEMPLATE_FILE.read_text(), "api",
                                 site.site_headers(None, "us-east-1"), wait=fast,
                                 files_key=key.value)

    def check(found: dict[str, str] = outputs) -> list[str]:
        return checks.files_distribution(cloudfront, s3, ssm, found, "filescheck", "us-east-1",
                                         DEFAULT_ACCOUNT_ID, TEMPLATE_FILE,
                                         lambda policy_id: RECORDED[policy_id][1])
    try:
        assert check() == []
        assert check({**outputs, "FilesDomainName": outputs["SiteDomainName"]}) == [
            "attachments are served from the site's own domain"]
        # A key rotated in SSM but not deployed: the function still holds the old one.
        ssm.put_parameter(Name="/frontdesk/filescheck/files-key", Value="7" * 64,
                          Type="SecureString", Overwrite=True)
        assert check() == ["the function frontdesk-filescheck-files-us-east-1 does not hold "
                           "the template's code with the stage's current key"]
        ssm.put_parameter(Name="/frontdesk/filescheck/files-key", Value=key.value,
                          Type="SecureString", Overwrite=True)
        policy_id = cloudfront.get_distribution_config(Id=outputs["FilesDistributionId"])[
            "DistributionConfig"]["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]
        kind, properties = RECORDED[policy_id]
        sniffing = json.loads(json.dumps(properties))
        del sniffing["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentTypeOptions"]
        RECORDED[policy_id] = (kind, sniffing)
        assert check() == ["the files distribution's headers policy does not send "
                           "X-Content-Type-Options: nosniff"]
        RECORDED[policy_id] = (kind, properties)
        bucket = outputs["AttachmentsBucketName"]
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        policy["Statement"][0]["Resource"] = f"arn:aws:s3:::{bucket}/*"
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        [problem] = check()
        assert problem.startswith("the attachments bucket lets") and "files/ only" in problem
    finally:
        stack.delete_stack(cfn, stage, wait=fast)
