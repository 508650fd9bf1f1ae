"""What the rehearsal asserts about a deployed stage, read back from its AWS.

Each check returns the problems it found, one sentence each; none is a pass.
They compare what AWS holds with what the stage's settings and the app
declare, not with what deploy meant to do: a deploy that forgets a step, or
that deploys something else than configured, fails here.
"""
from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from moto.cloudformation.models import Stack

from chalicelib.platform.config import audit_salt_parameter, files_key_parameter
from infra import gateway, site
from infra.files_route import function_code
from tests.support.iam import allows, granted_actions

ARCHITECTURE = "arm64"
# The functions `chalice deploy` creates for app.py: the API's, then one per
# stream and schedule handler.
FUNCTION_SUFFIXES = ("", "-notify_owner", "-retry_notifications")
# What the deploy adds to the API besides Chalice's routes (infra/gateway.py).
CATCH_ALL = {("/", "ANY"), ("/{proxy+}", "ANY")}
COGNITO = "COGNITO_USER_POOLS"
SIGNED_IN_ROLES = ("admin", "signed-in")  # chalicelib.auth.roles.Role
# The settings' branding fields and the variables the functions read them from
# (chalicelib/platform/branding.py), written out here rather than imported: the
# check must not agree with deploy by construction.
BRANDING_VARIABLES = {"siteName": "SITE_NAME", "subjectPrefix": "MAIL_SUBJECT_PREFIX",
                      "replySignature": "REPLY_SIGNATURE", "timeZone": "TIME_ZONE",
                      "dashboardLink": "DASHBOARD_LINK"}


def function_names(stage: str) -> list[str]:
    return [f"frontdesk-{stage}{suffix}" for suffix in FUNCTION_SUFFIXES]


def functions(lambda_: Any, stage: str, runtime: str) -> tuple[list[str], list[dict[str, Any]]]:
    """Every function exists with the intended runtime and architecture."""
    problems, found = [], []
    for name in function_names(stage):
        try:
            configuration = lambda_.get_function_configuration(FunctionName=name)
        except lambda_.exceptions.ResourceNotFoundException:
            problems.append(f"function {name} does not exist")
            continue
        found.append(configuration)
        if configuration["Runtime"] != runtime:
            problems.append(f"{name} runs {configuration['Runtime']}, not {runtime}")
        if configuration.get("Architectures") != [ARCHITECTURE]:
            problems.append(f"{name} is built for {configuration.get('Architectures')}, "
                            f"not [{ARCHITECTURE!r}]")
    return problems, found


def token_validity(cognito: Any, pool_id: str, client_id: str, minutes: int) -> list[str]:
    """The web client's ID and access tokens last the stage's idTokenMinutes."""
    client = cognito.describe_user_pool_client(UserPoolId=pool_id,
                                               ClientId=client_id)["UserPoolClient"]
    found = (client.get("IdTokenValidity"), client.get("AccessTokenValidity"),
             client.get("TokenValidityUnits", {}).get("IdToken"))
    return [] if found == (minutes, minutes, "minutes") else [
        f"the web client's tokens last {found}, not {minutes} minutes"]


def audit_salt(ssm: Any, stage: str) -> list[str]:
    """The stage's audit salt exists, a SecureString of 64 hex digits (infra/audit_salt.py)."""
    name = audit_salt_parameter(stage)
    try:
        found = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    except ssm.exceptions.ParameterNotFound:
        return [f"no audit salt {name}"]
    value = str(found.get("Value", ""))
    if found.get("Type") != "SecureString" or len(value) != 64:
        return [f"the audit salt {name} is a {found.get('Type')} of {len(value)} characters, "
                "not a SecureString of 64"]
    return []


def log_retention(logs: Any, stage: str, days: int) -> list[str]:
    """Every function's log group is kept `days` (logRetentionDays)."""
    problems = []
    for name in function_names(stage):
        group = f"/aws/lambda/{name}"
        found = [g for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
                 if g["logGroupName"] == group]
        if not found:
            problems.append(f"no log group {group}")
        elif found[0].get("retentionInDays") != days:
            problems.append(f"{group} keeps its lines {found[0].get('retentionInDays')} days, "
                            f"not {days}")
    return problems


def stream(dynamodb: Any, lambda_: Any, stage: str) -> list[str]:
    """The table's stream carries old images (the counts of messages TTL deletes
    need them), and the stream function reads that stream, the current one."""
    table = dynamodb.describe_table(TableName=f"frontdesk-{stage}")["Table"]
    problems = []
    view = table.get("StreamSpecification", {}).get("StreamViewType")
    if view != "NEW_AND_OLD_IMAGES":
        problems.append(f"the table's stream is {view}, not NEW_AND_OLD_IMAGES")
    function = f"frontdesk-{stage}-notify_owner"
    # Every mapping, then the function's: moto filters FunctionName against the
    # name or ARN the mapping was made with (Chalice gives the ARN), AWS matches either.
    mappings = [m for m in lambda_.list_event_source_mappings()["EventSourceMappings"]
                if str(m.get("FunctionArn", "")).endswith(f":function:{function}")]
    sources = [m["EventSourceArn"] for m in mappings]
    if sources != [table.get("LatestStreamArn")]:
        problems.append(f"{function} reads {sources}, not the table's stream "
                        f"{table.get('LatestStreamArn')}")
    if any(m.get("StartingPosition", "TRIM_HORIZON") != "TRIM_HORIZON" for m in mappings):
        problems.append(f"{function} reads its stream from "
                        f"{[m.get('StartingPosition') for m in mappings]}, not its start")
    return problems


def expected_environment(stage: str, settings: Mapping[str, Any],
                         outputs: Mapping[str, str], files_key_version: int) -> dict[str, str]:
    """The variables the stage's settings and its resources stack give every
    function; `files_key_version`, the download links' key's in SSM now."""
    origins = [f"https://{outputs['SiteDomainName']}", *settings.get("allowedOrigins", [])]
    return {"STAGE": stage, "TABLE_NAME": f"frontdesk-{stage}",
            "ATTACHMENTS_BUCKET": outputs["AttachmentsBucketName"],
            "FILES_URL": f"https://{outputs['FilesDomainName']}",
            "FILES_KEY_PARAMETER": f"/frontdesk/{stage}/files-key:{files_key_version}",
            "TABLE_STREAM_ARN": outputs["TableStreamArn"], "USER_POOL_ID": outputs["UserPoolId"],
            "USER_POOL_CLIENT_ID": outputs["UserPoolClientId"],
            "USER_POOL_ARN": outputs["UserPoolArn"], "MAIL_FROM": settings["mailFrom"],
            "OWNER_EMAIL": settings["ownerEmail"], "ALLOWED_ORIGINS": ",".join(origins),
            "RETENTION_DAYS": str(settings.get("retentionDays", 365)),
            "AUDIT_RETENTION_DAYS": str(settings.get("auditRetentionDays", 400)),
            **{variable: json.dumps(value) if isinstance(value, bool) else value
               for name, variable in BRANDING_VARIABLES.items()
               if (value := settings.get("branding", {}).get(name)) is not None},
            # The spam rules' seed as compact JSON, and the spam retention in days.
            **({"SPAM_RULES": json.dumps(settings["spamRules"], separators=(",", ":"))}
               if settings.get("spamRules") else {}),
            "SPAM_RETENTION_DAYS": str(settings.get("spamRetentionDays", 30)),
            **settings.get("environment", {})}


def environment(configurations: Iterable[Mapping[str, Any]],
                expected: Mapping[str, str]) -> list[str]:
    problems = []
    for configuration in configurations:
        variables = configuration.get("Environment", {}).get("Variables", {})
        for name, value in expected.items():
            if variables.get(name) != value:
                problems.append(f"{configuration['FunctionName']}: {name} is "
                                f"{variables.get(name)!r}, not {value!r}")
    return problems


def _inline_policies(iam: Any, role_arn: str) -> list[dict[str, Any]]:
    role = role_arn.rsplit("/", 1)[-1]
    return [iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            for name in iam.list_role_policies(RoleName=role)["PolicyNames"]]


def role_policies(iam: Any, configurations: Iterable[Mapping[str, Any]], ses_identity: str,
                  region: str, account: str, allowed_policy: Mapping[str, Any]) -> list[str]:
    """Mail may be sent as the stage's SES identity and no other, and every
    grant is one of `allowed_policy`'s: the stage's policy from the checked-in
    template, whose actions tests/iam holds to what the code calls."""
    problems = []
    own = f"arn:aws:ses:{region}:{account}:identity/{ses_identity}"
    other = f"arn:aws:ses:{region}:{account}:identity/someone-else.test"
    allowed_actions = granted_actions(dict(allowed_policy))
    for configuration in configurations:
        name = configuration["FunctionName"]
        policies = _inline_policies(iam, configuration["Role"])
        if not policies:
            problems.append(f"{name}'s role has no policy")
            continue
        if not any(allows(p, "ses:SendEmail", own) for p in policies):
            problems.append(f"{name}'s role may not send mail as {ses_identity}")
        if any(allows(p, "ses:SendEmail", other) for p in policies):
            problems.append(f"{name}'s role may send mail as an identity the settings do not name")
        beyond = set().union(*(granted_actions(p) for p in policies)) - allowed_actions
        if beyond:
            problems.append(f"{name}'s role grants {sorted(beyond)}, beyond the stage policy")
        if policies != [dict(allowed_policy)]:
            problems.append(f"{name}'s role policy is not the stage policy generated from its "
                            "settings")
    return problems


def api_methods(apigateway: Any, api_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    methods = {}
    for resource in apigateway.get_resources(restApiId=api_id, limit=500)["items"]:
        for verb in resource.get("resourceMethods", {}):
            methods[resource["path"], verb] = apigateway.get_method(
                restApiId=api_id, resourceId=resource["id"], httpMethod=verb)
    return methods


def _role_problem(where: str, role: str | None, method: Mapping[str, Any]) -> str | None:
    """What API Gateway must check before a route of this role runs: deployed, the
    app trusts the authorizer's claims and the usage plan's key check."""
    authorization_type, keyed = method.get("authorizationType"), bool(method.get("apiKeyRequired"))
    if role is None:
        return f"{where} declares no role"
    if role in SIGNED_IN_ROLES and authorization_type != COGNITO:
        return f"{where} is {'an' if role == 'admin' else 'a'} {role} route without the Cognito authorizer"
    if role == "service" and not keyed:
        return f"{where} is a service route without the API key"
    if role == "public" and (authorization_type != "NONE" or keyed):
        return f"{where} is public but asks for {authorization_type} and API key {keyed}"
    return None


def authorization(apigateway: Any, api_id: str, routes: Iterable[Mapping[str, Any]],
                  user_pool_arn: str) -> tuple[list[str], int, int]:
    """Each route the deployed app declares is in API Gateway with the app's
    authorizer (a Cognito authorizer on the stage's pool) or API key, as its role
    requires (admin and signed-in: the authorizer; service: the key), and no
    other method is; returns (problems, routes with the authorizer, with a key)."""
    problems = []
    authorizers = {a["id"]: a for a in apigateway.get_authorizers(restApiId=api_id)["items"]}
    for authorizer in authorizers.values():
        if authorizer["type"] != COGNITO or authorizer.get("providerARNs") != [user_pool_arn]:
            problems.append(f"authorizer {authorizer['name']} is {authorizer['type']} on "
                            f"{authorizer.get('providerARNs')}, not Cognito on {user_pool_arn}")
    methods = api_methods(apigateway, api_id)
    declared = {(r["path"], r["method"]): r for r in routes}
    signed_in = keyed = 0
    for key, route in sorted(declared.items()):
        method = methods.get(key)
        where = f"{key[1]} {key[0]}"
        if method is None:
            problems.append(f"{where} is declared by the app but not in API Gateway")
            continue
        role_problem = _role_problem(where, route.get("role"), method)
        if role_problem:
            problems.append(role_problem)
        name = authorizers.get(method.get("authorizerId", ""), {}).get("name")
        if route["authorizer"]:
            signed_in += 1
            if (method.get("authorizationType"), name) != (COGNITO, route["authorizer"]):
                problems.append(f"{where} has authorization {method.get('authorizationType')} "
                                f"({name}), not the Cognito authorizer {route['authorizer']}")
        elif method.get("authorizationType") != "NONE":
            problems.append(f"{where} has authorization {method.get('authorizationType')}, "
                            "which the app does not declare")
        keyed += bool(route["apiKeyRequired"])
        if bool(method.get("apiKeyRequired")) != bool(route["apiKeyRequired"]):
            problems.append(f"{where}: API key required is {bool(method.get('apiKeyRequired'))}, "
                            f"the app declares {bool(route['apiKeyRequired'])}")
    for key in sorted(set(methods) - set(declared) - CATCH_ALL):
        problems.append(f"{key[1]} {key[0]} is in API Gateway but not declared by the app")
    for key in sorted(CATCH_ALL - set(methods)):
        problems.append(f"the catch-all {key[1]} {key[0]} is missing")
    return problems, signed_in, keyed


def gateway_cors(apigateway: Any, api_id: str, allowed_origins: tuple[str, ...]) -> list[str]:
    """Every error API Gateway answers itself carries the stage's CORS headers."""
    problems = []
    expected_headers = {f"gatewayresponse.header.{k}": v
                        for k, v in gateway.cors_headers(allowed_origins).items()}
    responses = {r["responseType"]: r for r in
                 apigateway.get_gateway_responses(restApiId=api_id, limit=500)["items"]}
    for error in gateway.GATEWAY_ERRORS:
        response = responses.get(error.response_type)
        if response is None or response.get("defaultResponse"):
            problems.append(f"gateway response {error.response_type} is API Gateway's default")
            continue
        parameters = response.get("responseParameters", {})
        wrong = {k: parameters.get(k) for k, v in expected_headers.items() if parameters.get(k) != v}
        if wrong:
            problems.append(f"gateway response {error.response_type} has {wrong}, "
                            f"not {expected_headers}")
    return problems


def site_bucket(s3: Any, bucket: str, web_dir: Path, web_config: Mapping[str, Any]) -> list[str]:
    """The bucket holds web/ and the stage's config.json, each with its content
    type and cache header, and nothing else."""
    problems = []
    expected = {f.key: f for f in site.site_files(web_dir, dict(web_config))}
    present = set(site.bucket_keys(s3, bucket))
    if present != set(expected):
        problems.append(f"the site bucket holds {sorted(present ^ set(expected))} "
                        "where web/ says otherwise")
    for key in sorted(present & set(expected)):
        head, file = s3.head_object(Bucket=bucket, Key=key), expected[key]
        found = (head["ETag"].strip('"'), head.get("ContentType"), head.get("CacheControl"))
        if found != (file.etag, file.content_type, file.cache_control):
            problems.append(f"{key} is {found[1:]} (ETag {found[0]}), not "
                            f"{(file.content_type, file.cache_control)} (ETag {file.etag})")
    config = json.loads(s3.get_object(Bucket=bucket, Key=site.CONFIG_KEY)["Body"].read())
    if config != dict(web_config):
        problems.append(f"the site's config.json is {config}, not {dict(web_config)}")
    return problems


PUBLIC_ACCESS_BLOCK = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                       "RestrictPublicBuckets")


def attachments_bucket(s3: Any, bucket: str, origins: Sequence[str]) -> list[str]:
    """The attachments bucket is private (every public access block on),
    encrypted, TLS only, takes cross-origin POSTs from the stage's origins and
    nothing else, and expires what stays under unclaimed/ after a day."""
    problems = []
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    if off := [name for name in PUBLIC_ACCESS_BLOCK if not block.get(name)]:
        problems.append(f"the attachments bucket's public access block leaves {off} off")
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"]
    except s3.exceptions.ClientError:
        rules = []
    if not any(r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm")
               for r in rules):
        problems.append("the attachments bucket is not encrypted by default")
    try:
        statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    except s3.exceptions.ClientError:
        statements = []
    if not any(st.get("Effect") == "Deny" and str(st.get("Condition", {}).get("Bool", {}).get(
            "aws:SecureTransport")).lower() == "false" for st in statements):
        problems.append("the attachments bucket's policy does not deny requests without TLS")
    try:
        cors = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    except s3.exceptions.ClientError:
        cors = []
    methods = {m for rule in cors for m in rule["AllowedMethods"]}
    allowed = {o for rule in cors for o in rule["AllowedOrigins"]}
    if methods != {"POST"} or allowed != set(origins):
        problems.append(f"the attachments bucket's CORS allows {sorted(methods)} from "
                        f"{sorted(allowed)}, not POST from {sorted(origins)}")
    try:
        lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except s3.exceptions.ClientError:
        lifecycle = []
    if not any(r.get("Status") == "Enabled" and r.get("Expiration", {}).get("Days") == 1
               and (r.get("Filter", {}).get("Prefix") or r.get("Prefix")) == "unclaimed/"
               for r in lifecycle):
        problems.append("the attachments bucket does not expire unclaimed/ after a day")
    return problems


def site_branding(s3: Any, bucket: str, branding: Mapping[str, Any]) -> list[str]:
    """The published contact page carries the settings' site name (escaped,
    never as markup) and links to the dashboard only when they say so."""
    problems = []
    page = s3.get_object(Bucket=bucket, Key="index.html")["Body"].read().decode()
    name = branding["siteName"]
    if f"<title>Contact us · {html.escape(name)}</title>" not in page:
        problems.append(f"index.html's title does not name the site {name!r}")
    if name != html.escape(name) and name in page:
        problems.append(f"index.html holds the site name {name!r} unescaped")
    if ('href="admin.html"' in page) != branding.get("dashboardLink", True):
        problems.append("index.html " + ("links" if 'href="admin.html"' in page else "does not link")
                        + f" to the dashboard, where dashboardLink is {branding.get('dashboardLink')}")
    return problems


def form_page_route(cloudfront: Any, distribution_id: str, api_url: str, stage: str,
                    region: str, template_file: Path) -> list[str]:
    """The site sends form.html to the deployed API: the distribution has the
    API (its host, its stage path) as an origin, form.html goes there through
    the published form page function, and that function holds the template's
    code (what the code does: tests/infra/test_form_page_route.py)."""
    address = urlsplit(api_url)
    config = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]["Items"]}
    api = origins.get("api")
    if api is None:
        return ["the site's distribution has no origin for the API"]
    problems = []
    if (api["DomainName"], api["OriginPath"]) != (address.hostname, address.path.rstrip("/")):
        problems.append(f"the site's API origin is {api['DomainName']}{api['OriginPath']}, "
                        f"not the deployed API's {address.hostname}{address.path}")
    routes = [b for b in config["CacheBehaviors"].get("Items", []) if b["PathPattern"] == "/form.html"]
    if [b["TargetOriginId"] for b in routes] != ["api"]:
        return [*problems, "the site does not send /form.html to the API"]
    name = f"frontdesk-{stage}-form-page-{region}"
    summary = cloudfront.describe_function(Name=name)["FunctionSummary"]
    associated = [(a["EventType"], a["FunctionARN"])
                  for a in routes[0]["FunctionAssociations"].get("Items", [])]
    if associated != [("viewer-request", summary["FunctionMetadata"]["FunctionARN"])]:
        problems.append(f"/form.html runs {associated}, not the function {name} on viewer requests")
    if summary["FunctionMetadata"]["Stage"] != "LIVE":
        problems.append(f"the function {name} is not published")
    template = Stack.parse_template(template_file.read_text())
    function_code = template["Resources"]["FormPageRoute"]["Properties"]["FunctionCode"]
    if cloudfront.get_function(Name=name)["FunctionCode"].read().decode() != function_code:
        problems.append(f"the function {name} does not hold the template's code")
    return problems


CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # AWS's managed cache policy


def files_distribution(cloudfront: Any, s3: Any, ssm: Any, outputs: Mapping[str, str],
                       stage: str, region: str, account: str, template_file: Path,
                       headers_policy: Callable[[str], Mapping[str, Any]]) -> list[str]:
    """Attachments are served by a distribution of their own (not the site's),
    reading the attachments bucket through its own Origin Access Control, which
    the bucket's policy opens files/ to for that distribution alone; its
    response headers policy sends nosniff; nothing is cached; and the published
    function with the stage's key (SSM) checks each request and response.
    `headers_policy`: a response headers policy's properties by id (moto has none:
    devstack/cloudformation/stand_ins.py records them)."""
    problems = []
    distribution_id, bucket = outputs["FilesDistributionId"], outputs["AttachmentsBucketName"]
    if outputs["FilesDomainName"] == outputs["SiteDomainName"]:
        problems.append("attachments are served from the site's own domain")
    config = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]
    origins = config["Origins"]["Items"]
    if [o["DomainName"].split(".s3.")[0] for o in origins] != [bucket]:
        problems.append(f"the files distribution reads {[o['DomainName'] for o in origins]}, "
                        f"not the attachments bucket {bucket} alone")
    control_id = origins[0].get("OriginAccessControlId", "") if origins else ""
    try:
        control = cloudfront.get_origin_access_control(Id=control_id)[
            "OriginAccessControl"]["OriginAccessControlConfig"]
        if (control["OriginAccessControlOriginType"], control["SigningBehavior"]) != (
                "s3", "always"):
            problems.append(f"the files distribution's origin access control is {control}")
    except Exception:  # noqa: BLE001 (NoSuchOriginAccessControl, or none named)
        problems.append("the files distribution reads the bucket through no origin access control")
    source = f"arn:aws:cloudfront::{account}:distribution/{distribution_id}"
    statements = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    readers = [st for st in statements if st.get("Effect") == "Allow"]
    if [(st.get("Principal"), st.get("Action"), st.get("Resource"),
         st.get("Condition", {}).get("StringEquals", {}).get("AWS:SourceArn"))
            for st in readers] != [({"Service": "cloudfront.amazonaws.com"}, "s3:GetObject",
                                    f"arn:aws:s3:::{bucket}/files/*", source)]:
        problems.append(f"the attachments bucket lets {readers} read, not {source} alone "
                        "(files/ only)")
    behaviour = config["DefaultCacheBehavior"]
    if config.get("CacheBehaviors", {}).get("Quantity", 0):
        problems.append("the files distribution has cache behaviours besides its default")
    if behaviour.get("CachePolicyId") != CACHING_DISABLED:
        problems.append(f"the files distribution caches (policy {behaviour.get('CachePolicyId')})")
    security = headers_policy(behaviour.get("ResponseHeadersPolicyId", "")).get(
        "ResponseHeadersPolicyConfig", {}).get("SecurityHeadersConfig", {})
    if security.get("ContentTypeOptions", {}).get("Override") is not True:
        problems.append("the files distribution's headers policy does not send "
                        "X-Content-Type-Options: nosniff")
    name = f"frontdesk-{stage}-files-{region}"
    summary = cloudfront.describe_function(Name=name)["FunctionSummary"]
    arn = summary["FunctionMetadata"]["FunctionARN"]
    associated = sorted((a["EventType"], a["FunctionARN"])
                        for a in behaviour.get("FunctionAssociations", {}).get("Items", []))
    if associated != [("viewer-request", arn), ("viewer-response", arn)]:
        problems.append(f"the files distribution runs {associated}, not the function {name} "
                        "on viewer requests and responses")
    if summary["FunctionMetadata"]["Stage"] != "LIVE":
        problems.append(f"the function {name} is not published")
    key = ssm.get_parameter(Name=files_key_parameter(stage), WithDecryption=True)["Parameter"]
    template = Stack.parse_template(template_file.read_text())
    written = template["Resources"]["FilesSignatureCheck"]["Properties"]["FunctionCode"]["Fn::Sub"]
    if cloudfront.get_function(Name=name)["FunctionCode"].read().decode() != function_code(
            written, str(key["Value"])):
        problems.append(f"the function {name} does not hold the template's code with the "
                        "stage's current key")
    return problems


def table_indexes(dynamodb: Any, table: str, template_file: Path) -> list[str]:
    """The deployed table has the template's global secondary indexes, active
    (the sender index, gsi3, came with issue 24: an update adds it in place)."""
    template = Stack.parse_template(template_file.read_text())
    wanted = [i["IndexName"] for i in
              template["Resources"]["Table"]["Properties"]["GlobalSecondaryIndexes"]]
    found = {i["IndexName"]: i.get("IndexStatus", "ACTIVE") for i in dynamodb.describe_table(
        TableName=table)["Table"].get("GlobalSecondaryIndexes", [])}
    problems = [f"the table has no index {name}" for name in wanted if name not in found]
    problems += [f"the table's index {name} is {status}" for name, status in found.items()
                 if status != "ACTIVE"]
    return problems


def leftovers(aws: Any, stage: str) -> list[str]:
    """What of the stage is still there after `make destroy`. `aws`: a client factory."""
    left = []
    stack = f"frontdesk-{stage}-resources"
    stacks = aws("cloudformation").list_stacks()["StackSummaries"]
    if any(s["StackName"] == stack and s["StackStatus"] != "DELETE_COMPLETE" for s in stacks):
        left.append(f"stack {stack}")
    prefix = f"frontdesk-{stage}"
    left += [f"function {f['FunctionName']}" for f in aws("lambda").list_functions()["Functions"]
             if f["FunctionName"] == prefix or f["FunctionName"].startswith(f"{prefix}-")]
    left += [f"role {r['RoleName']}" for r in aws("iam").list_roles()["Roles"]
             if r["RoleName"].startswith(f"{prefix}-")]
    left += [f"REST API {a['id']}" for a in aws("apigateway").get_rest_apis()["items"]]
    left += [f"bucket {b['Name']}" for b in aws("s3").list_buckets().get("Buckets", [])]
    left += [f"CloudFront function {f['Name']}" for f in aws("cloudfront").list_functions()[
        "FunctionList"].get("Items", []) if f["Name"].startswith(f"{prefix}-")]
    return left
