"""`make rehearse`: the real deploy, end to end, into a private AWS.

What a person does by hand against a running `make dev`'s AWS (docs/deploy.md,
"Rehearsing a deploy"), done on every commit, with assertions:
deploy, what was deployed, the deployed package answering, the admin
commands, an unchanged redeploy that says so and keeps the data (and rewrites
a delivery stored in the shape before this release, which the deployed
schedule then sends exactly once), destroy, and deploy then destroy once
more. One line per step; the first failure stops the rehearsal, names its
step and exits 1. Each `make`'s output is kept in
build/rehearsal/logs/.
"""
from __future__ import annotations

import json
import re
import secrets
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from moto.ses.models import ses_backends

from chalicelib.attachments.links import link_is_valid
from chalicelib.core.retention import Retention, message_expiry, shown
from chalicelib.db.counters import counter_update
from chalicelib.db.items import to_item
from chalicelib.db.keys import upgrade_marker
from chalicelib.db.keys import user as user_key
from chalicelib.db.table import GSI3_PK, GSI3_SK
from chalicelib.platform.config import files_key_parameter
from devstack.cloudformation.stand_ins import RECORDED
from devstack.rehearsal import checks, function
from devstack.rehearsal.events import api_event, gateway_claims
from devstack.rehearsal.function import LoadedFunction, LoadFailed
from devstack.rehearsal.world import (
    ACCOUNT,
    DOMAIN,
    PROJECT_DIR,
    REGION,
    SETTINGS,
    STAGE,
    Made,
    PrivateAws,
    ScratchProject,
)
from devstack.triggers import scheduled_event
from infra import deployed_state, policy
from infra.deploy import AwsClients
from infra.files_route import query_value
from infra.form_page_route import site_page_path
from infra.index_upgrades import PERSON_INDEX, SENDER_INDEX
from infra.retention_backfill import MARKER as RETENTION
from infra.runtime import LAMBDA_RUNTIME
from infra.stages import TEMPLATE_FILE, load_stage

WORK_DIR = PROJECT_DIR / "build" / "rehearsal"
BUDGET_SECONDS = 240
API_HANDLER = f"frontdesk-{STAGE}"
SCHEDULE_HANDLER = f"frontdesk-{STAGE}-retry_notifications"
# A stage as the release before delivery items left it (tests/infra/test_delivery_upgrade.py
# reads the same): one of its messages, its owner mail pending in the old shape.
OLD_STAGE = PROJECT_DIR / "tests" / "infra" / "legacy_stage.json"
OLD_MESSAGE = "01KBD0000000000000000000A1"


def retention_shown(created_at: str, days: int) -> str | None:
    """A message's expiresAt as the API shows it, kept `days`."""
    received = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    return shown(message_expiry(received, Retention(days)))


class StepFailed(RuntimeError):
    """One sentence: what the step found wrong."""


def stage_policy() -> dict[str, Any]:
    """The rehearsal stage's role policy as deploy generates it from the settings."""
    return policy.stage_policy(load_stage(STAGE, WORK_DIR / "frontdesk.json"))


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    return (errors or lines or ["(no output)"])[-1]


def _printed(pattern: str, made: Made) -> str:
    match = re.search(pattern, made.output)
    if not match:
        raise StepFailed(f"make {made.target} printed no {pattern!r}")
    return match[1]


@dataclass
class Rehearsal:
    aws: PrivateAws
    scratch: ScratchProject | None
    api_url: str = ""
    site_url: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    handler: LoadedFunction | None = None
    admin_claims: dict[str, str] = field(default_factory=dict)
    written: dict[str, Any] = field(default_factory=dict)
    first_user: str = ""  # planted as stored before a person's data was indexed

    @property
    def project(self) -> ScratchProject:
        assert self.scratch is not None  # made by the first step
        return self.scratch

    def make(self, target: str, log: str, **variables: str) -> Made:
        made = self.project.make(self.aws.environment(), target, log, **variables)
        if made.returncode != 0:
            raise StepFailed(f"make {target} exited {made.returncode}: {_last_line(made.output)} "
                             f"(build/rehearsal/logs/{log}.log)")
        return made

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    def stack_outputs(self) -> dict[str, str]:
        stack = self.client("cloudformation").describe_stacks(
            StackName=f"frontdesk-{STAGE}-resources")["Stacks"][0]
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    def recorded_api(self) -> str:
        record = json.loads((self.project.root / ".chalice" / "deployed" / f"{STAGE}.json").read_text())
        return str(next(r["rest_api_id"] for r in record["resources"]
                        if r["resource_type"] == "rest_api"))

    def load_handler(self, name: str, function_name: str = API_HANDLER) -> LoadedFunction:
        if self.handler is not None:
            self.handler.close()
        self.handler = function.load(self.client("lambda"), function_name,
                                     search_root=self.project.root, work=WORK_DIR / name,
                                     aws=self.aws.environment())
        return self.handler

    def plant_old_delivery(self) -> None:
        """A message whose owner mail is pending in the old shape, as the
        release before this one wrote it, and the counts it moved. That
        release had no sender index, no retention and no index of a person's
        data: the first deploy's backfills, which found nothing to do and said
        so in their markers, are undone, and the first user loses its keys in
        that index."""
        (item,) = [i for i in json.loads(OLD_STAGE.read_text())["items"]
                   if i["pk"] == f"MSG#{OLD_MESSAGE}" and i["sk"] == "MSG"]
        table, dynamodb = f"frontdesk-{STAGE}", self.client("dynamodb")
        dynamodb.put_item(TableName=table, Item=to_item(item))
        for marker in (SENDER_INDEX.marker, RETENTION, PERSON_INDEX.marker):
            dynamodb.delete_item(TableName=table, Key=to_item(upgrade_marker(marker)))
        dynamodb.update_item(TableName=table, Key=to_item(user_key(self.first_user)),
                             UpdateExpression="REMOVE #pk, #sk",
                             ExpressionAttributeNames={"#pk": GSI3_PK, "#sk": GSI3_SK})
        dynamodb.update_item(**counter_update(table, shard=0, messagesNew=1,
                                              notificationsPending=1)["Update"])

    def mails_about(self, message_id: str) -> int:
        return sum(f"Message id: {message_id}<" in mail.body
                   for mail in ses_backends[ACCOUNT][REGION].sent_messages)

    def state(self) -> dict[str, Any] | None:
        aws = AwsClients(self.client("cloudformation"), self.client("apigateway"), REGION,
                         s3=self.client("s3"), lambda_=self.client("lambda"),
                         iam=self.client("iam"), events=self.client("events"))
        record = self.project.root / ".chalice" / "deployed" / f"{STAGE}.json"
        records = json.loads(record.read_text())["resources"] if record.exists() else []
        return deployed_state.read(aws, f"frontdesk-{STAGE}-resources", "api", records)

    # -- the steps -------------------------------------------------------------

    def guard(self) -> str:
        self.scratch = ScratchProject.create(WORK_DIR)
        blocked = self.project.python(self.aws.environment(), (
            "import boto3\n"
            "boto3.client('sts', region_name='us-east-1', "
            "endpoint_url='https://sts.us-east-1.amazonaws.com').get_caller_identity()"))
        if "the rehearsal never reaches AWS" not in blocked.stderr:
            raise StepFailed("a child process could reach AWS: the guard is not installed "
                             f"({_last_line(blocked.stderr + blocked.stdout)})")
        return (f"moto at {self.aws.endpoint}; the project copied to build/rehearsal/project; "
                "a child process calling AWS is refused")

    def deploy(self) -> str:
        made = self.make("deploy", "1-deploy", STAGE=STAGE)
        self.site_url = _printed(r"the site is at (\S+)", made)
        self.api_url = _printed(r"the API is at (\S+)", made)
        self.outputs = self.stack_outputs()
        return f"{made.seconds:.0f} s; API {self.api_url}, site {self.site_url}"

    def deployed(self) -> str:
        lambda_, iam = self.client("lambda"), self.client("iam")
        runtime = LAMBDA_RUNTIME
        problems, configurations = checks.functions(lambda_, STAGE, runtime)
        key_version = int(self.client("ssm").get_parameter(
            Name=files_key_parameter(STAGE))["Parameter"]["Version"])
        problems += checks.environment(configurations, checks.expected_environment(
            STAGE, SETTINGS, self.outputs, key_version))
        problems += checks.role_policies(iam, configurations, SETTINGS["sesIdentity"], REGION,
                                         ACCOUNT, stage_policy())
        problems += checks.stream(self.client("dynamodb"), lambda_, STAGE)
        problems += checks.log_retention(self.client("logs"), STAGE,
                                         SETTINGS.get("logRetentionDays", 30))
        problems += checks.token_validity(self.client("cognito-idp"), self.outputs["UserPoolId"],
                                          self.outputs["UserPoolClientId"],
                                          SETTINGS.get("idTokenMinutes", 15))
        handler = self.load_handler("package")
        api_id = self.recorded_api()
        auth_problems, signed_in, keyed = checks.authorization(
            self.client("apigateway"), api_id, handler.routes(), self.outputs["UserPoolArn"])
        problems += auth_problems
        site_origin = f"https://{self.outputs['SiteDomainName']}"
        problems += checks.gateway_cors(self.client("apigateway"), api_id, (site_origin,))
        web_config = json.loads((self.project.root / "web" / "config.json").read_text())
        if web_config.get("apiUrl") != self.api_url:
            problems.append(f"the site's config.json names the API {web_config.get('apiUrl')}, "
                            f"not {self.api_url}")
        problems += checks.site_bucket(self.client("s3"), self.outputs["SiteBucketName"],
                                       self.project.root / "web", web_config)
        problems += checks.site_branding(self.client("s3"), self.outputs["SiteBucketName"],
                                         SETTINGS["branding"])
        problems += checks.table_indexes(self.client("dynamodb"), self.outputs["TableName"],
                                         TEMPLATE_FILE)
        problems += checks.form_page_route(
            self.client("cloudfront"), self.outputs["SiteDistributionId"], self.api_url, STAGE,
            REGION, TEMPLATE_FILE)
        problems += checks.attachments_bucket(self.client("s3"),
                                              self.outputs["AttachmentsBucketName"],
                                              (site_origin, *SETTINGS.get("allowedOrigins", [])))
        problems += checks.audit_salt(self.client("ssm"), STAGE)
        problems += checks.files_distribution(
            self.client("cloudfront"), self.client("s3"), self.client("ssm"), self.outputs,
            STAGE, REGION, ACCOUNT, TEMPLATE_FILE, lambda policy_id: RECORDED[policy_id][1])
        if problems:
            raise StepFailed("; ".join(problems))
        return (f"{len(configurations)} functions {runtime}/{checks.ARCHITECTURE} with the "
                f"settings' environment; roles send only as {SETTINGS['sesIdentity']}; "
                f"the stream function on the table's stream (old images, from its start); "
                f"every function's log kept {SETTINGS.get('logRetentionDays', 30)} days; "
                f"ID tokens valid {SETTINGS.get('idTokenMinutes', 15)} minutes; "
                f"the {signed_in} admin and signed-in methods with the Cognito authorizer, the "
                f"{keyed} service ones with the API key; "
                f"gateway errors with CORS; web/ in the bucket with its headers and the "
                f"settings' site name; the table's indexes are the template's; the site "
                f"sends form.html to this API through the published form page function; "
                f"the audit salt a SecureString; the attachments bucket private, encrypted, "
                f"TLS only, POST from the site's origins, unclaimed uploads expiring after a day; "
                f"its files served by a distribution of their own through its origin access "
                f"control (the bucket opens files/ to it alone), nosniff, uncached, the "
                f"published signature check holding the stage's key")

    def call(self, method: str, resource: str, path: str, *, status: int, body: Any = None,
             path_parameters: dict[str, str] | None = None, admin: bool = False,
             query: dict[str, str] | None = None) -> Any:
        assert self.handler is not None
        origin = f"https://{self.outputs['SiteDomainName']}"
        event = api_event(self.api_url, method, resource, path, origin=origin, body=body,
                          path_parameters=path_parameters,
                          claims=self.admin_claims if admin else None, query=query)
        response = self.handler.invoke(event)
        if response.get("statusCode") != status:
            raise StepFailed(f"{method} {path} answered {response.get('statusCode')}, not "
                             f"{status}: {str(response.get('body'))[:200]}")
        if response.get("headers", {}).get("Access-Control-Allow-Origin") != origin:
            raise StepFailed(f"{method} {path} answered without CORS for the site's origin")
        return json.loads(response["body"]) if response.get("body") else None

    def sign_in_admin(self) -> None:
        """An admin of the rehearsal's pool, and its ID token's claims as API Gateway passes them."""
        cognito, pool = self.client("cognito-idp"), self.outputs["UserPoolId"]
        email, password = f"admin@{DOMAIN}", f"Rehearsal-{secrets.token_hex(8)}!A1"
        cognito.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "email", "Value": email},
                                                  {"Name": "email_verified", "Value": "true"}])
        cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password,
                                        Permanent=True)
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName="admin")
        tokens = cognito.initiate_auth(ClientId=self.outputs["UserPoolClientId"],
                                       AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": email, "PASSWORD": password})
        self.admin_claims = gateway_claims(tokens["AuthenticationResult"]["IdToken"])

    def package(self) -> str:
        handler = self.handler or self.load_handler("package")
        self.sign_in_admin()
        if self.call("GET", "/health", "/health", status=200) != {"ok": True}:
            raise StepFailed("GET /health did not answer {\"ok\": true}")
        messages = [self.call("POST", "/contact", "/contact", status=202, body={
            "name": f"Visitor {n}", "email": f"visitor{n}@{DOMAIN}",
            "subject": "Rehearsal", "message": f"Message {n} before the upgrade."})["id"]
            for n in (1, 2)]
        listed = self.call("GET", "/dashboard/messages", "/dashboard/messages", status=200,
                           admin=True)
        if not set(messages) <= {m["id"] for m in listed["items"]}:
            raise StepFailed("GET /dashboard/messages as admin does not list the messages just posted")
        for message in listed["items"]:
            if message["expiresAt"] != retention_shown(message["createdAt"], 365):
                raise StepFailed(f"a message posted expires at {message['expiresAt']}, not 365 "
                                 "days after it came (the stage's retentionDays)")
        self.form_page_through_the_site()
        self.download_through_the_files_distribution()
        users = [self.call("POST", "/users", "/users", status=201, admin=True, body={
            "name": f"User {n}", "email": f"user{n}@{DOMAIN}"})["id"] for n in (1, 2)]
        self.first_user = users[0]
        self.plant_old_delivery()
        self.written = self.read_back(users, [*messages, OLD_MESSAGE])
        notes = f"; {'; '.join(handler.notes)}" if handler.notes else ""
        return (f"GET /health, POST /contact, GET /dashboard/messages as admin (claims as "
                f"strings), form.html?form=contact as the site routes it; a file uploaded, "
                f"posted and downloaded (302 to a signed link on the files distribution); "
                f"2 users and 2 "
                f"messages written, 1 message with its owner mail pending in the old shape "
                f"planted; imported by {handler.python} in "
                f"{handler.init_seconds:.2f} s{notes}")

    def form_page_through_the_site(self) -> None:
        """form.html?form=contact as the site's function routes it, answered by
        the deployed package: the form, posting to this API."""
        assert self.handler is not None
        path = site_page_path("form=contact")
        event = api_event(self.api_url, "GET", "/forms/{form_id}/site-page", path,
                          origin=f"https://{self.outputs['SiteDomainName']}",
                          path_parameters={"form_id": "contact"})
        response = self.handler.invoke(event)
        page = str(response.get("body"))
        if response.get("statusCode") != 200 or \
                f'<form method="post" action="{self.api_url}/forms/contact">' not in page:
            raise StepFailed(f"GET {path} (form.html?form=contact, routed) answered "
                             f"{response.get('statusCode')} without the form posting to "
                             f"{self.api_url}/forms/contact: {page[:200]}")

    def download_through_the_files_distribution(self) -> None:
        """A form with a file field; a file uploaded to the bucket by the
        presigned POST the package signs, posted, then downloaded by an admin:
        the package answers 302 to the files distribution's domain, with a link
        that the distribution's function (its Python twin, with the stage's key
        from SSM) opens."""
        assert self.handler is not None
        form = {"name": "Files", "fields": [
            {"name": "email", "label": "Email", "type": "email", "required": True},
            {"name": "cv", "label": "CV", "type": "file", "accept": ["application/pdf"]}]}
        self.call("PUT", "/dashboard/forms/{form_id}", "/dashboard/forms/files", status=201,
                  body=form, path_parameters={"form_id": "files"}, admin=True)
        content = b"%PDF-1.7\n%rehearsal\n"
        offer = self.call("POST", "/forms/{form_id}/uploads", "/forms/files/uploads",
                          status=201, path_parameters={"form_id": "files"}, body={
                              "field": "cv", "filename": "cv.pdf",
                              "contentType": "application/pdf", "size": len(content)})
        posted = requests.post(offer["url"], data=offer["fields"], timeout=10,
                               files={"file": ("cv.pdf", content, "application/pdf")})
        if posted.status_code != 204:
            raise StepFailed(f"the presigned POST answered {posted.status_code}: {posted.text[:200]}")
        message = self.call("POST", "/forms/{form_id}", "/forms/files", status=202,
                            path_parameters={"form_id": "files"},
                            body={"email": f"files@{DOMAIN}", "cv": [offer["uploadId"]]})["id"]
        path = f"/dashboard/messages/{message}/attachments/0"
        event = api_event(self.api_url, "GET", "/dashboard/messages/{message_id}/attachments/{index}",
                          path, origin=f"https://{self.outputs['SiteDomainName']}",
                          path_parameters={"message_id": message, "index": "0"},
                          claims=self.admin_claims)
        event["headers"]["Accept"] = event["multiValueHeaders"]["Accept"][0] = "*/*"
        response = self.handler.invoke(event)
        location = urlsplit(str(response.get("headers", {}).get("Location", "")))
        if response.get("statusCode") != 302 or (location.scheme, location.hostname) != (
                "https", self.outputs["FilesDomainName"]):
            raise StepFailed(f"GET {path} answered {response.get('statusCode')} to "
                             f"{location.geturl()!r}, not 302 to the files distribution "
                             f"https://{self.outputs['FilesDomainName']}")
        key = self.client("ssm").get_parameter(Name=files_key_parameter(STAGE),
                                               WithDecryption=True)["Parameter"]["Value"]
        if location.path != f"/files/{offer['uploadId']}" or not link_is_valid(
                key, location.path, query_value(location.query, "exp"),
                query_value(location.query, "sig"), time.time()):
            raise StepFailed(f"GET {path} links {location.path}?{location.query}, which the "
                             "files distribution's function does not open")

    def read_back(self, users: list[str], messages: list[str]) -> dict[str, Any]:
        return {
            "users": {u: self.call("GET", "/users/{user_id}", f"/users/{u}", status=200,
                                   path_parameters={"user_id": u}, admin=True) for u in users},
            "messages": {m: self.call("GET", "/dashboard/messages/{message_id}",
                                      f"/dashboard/messages/{m}", status=200,
                                      path_parameters={"message_id": m}, admin=True)
                         for m in messages}}

    def admins(self) -> str:
        email = f"owner@{DOMAIN}"
        self.make("admin", "4-admin", STAGE=STAGE, EMAIL=email)
        if email not in self.make("admins", "4-admins", STAGE=STAGE).output:
            raise StepFailed(f"make admins does not list {email} after make admin")
        self.make("admin-remove", "4-admin-remove", STAGE=STAGE, EMAIL=email)
        if email in self.make("admins", "4-admins-after", STAGE=STAGE).output:
            raise StepFailed(f"make admins still lists {email} after make admin-remove")
        # The operator's changes and the admin's user creates, in the stage's audit log.
        logged = self.call("GET", "/dashboard/audit", "/dashboard/audit", status=200,
                           admin=True, query={"limit": "100"})["items"]
        found = [(e["actor"]["sub"], e["action"], e["target"]["id"]) for e in logged]
        expected = [("operator", "admin.remove", email), ("operator", "admin.invite", email)]
        if [f for f in found if f[0] == "operator"] != expected:
            raise StepFailed(f"the audit log's operator entries are {found}, not {expected}")
        if sum(action == "user.create" for _, action, _ in found) != 2:
            raise StepFailed(f"the audit log does not hold the 2 users created: {found}")
        return (f"make admin, admins and admin-remove EMAIL={email} on the rehearsal's pool; "
                f"the audit log holds both changes (the operator's) and the users created")

    def code(self) -> dict[str, str]:
        lambda_ = self.client("lambda")
        return {name: lambda_.get_function_configuration(FunctionName=name)["CodeSha256"]
                for name in checks.function_names(STAGE)}

    def redeploy(self) -> str:
        before, api, code = self.state(), self.recorded_api(), self.code()
        made = self.make("deploy", "5-deploy-unchanged", STAGE=STAGE)
        if (self.recorded_api(), self.code()) != (api, code):
            raise StepFailed("make deploy with nothing changed replaced the REST API or a "
                             "function's code")
        if "no change" not in made.output:
            raise StepFailed("make deploy with nothing changed did not say so "
                             f"({_last_line(made.output)})")
        if "data: 1 pending deliveries and 0 chat posts rewritten" not in made.output:
            raise StepFailed("make deploy did not rewrite the delivery pending in the old shape "
                             f"({_last_line(made.output)})")
        if "data: 1 messages stored before the sender index listed by sender" not in made.output:
            raise StepFailed("make deploy did not list the message stored before the sender "
                             f"index by its sender ({_last_line(made.output)})")
        if "data: 1 users stored before a person's data was indexed listed by email" \
                not in made.output:
            raise StepFailed("make deploy did not list the user stored before a person's data "
                             f"was indexed by its email ({_last_line(made.output)})")
        applied = f"retention (365 days, spam {SETTINGS.get('spamRetentionDays', 30)})"
        # Already so: the 2 contact messages and the one with a file (package step).
        if f"data: {applied}: 1 messages' expiry set, 3 already so" not in made.output:
            raise StepFailed("make deploy did not give the message stored before retention "
                             f"its expiry ({_last_line(made.output)})")
        changed = deployed_state.changes(before, self.state())
        if changed:
            raise StepFailed(f"make deploy with nothing changed changed: {', '.join(changed)}")
        return (f"{made.seconds:.0f} s; it said 'no change', and nothing deployed differs; "
                "it rewrote the 1 delivery pending in the old shape, listed its message "
                "by sender, and gave the message stored before retention its expiry")

    def data_kept(self) -> str:
        self.load_handler("package-after-upgrade")
        again = self.read_back(list(self.written["users"]), list(self.written["messages"]))
        old = again["messages"][OLD_MESSAGE]
        if old["expiresAt"] != retention_shown(old["createdAt"], 365):
            raise StepFailed(f"the message stored before retention expires at "
                             f"{old['expiresAt']}, not 365 days after it came")
        old["expiresAt"] = None  # as it read before the upgrade
        if again != self.written:
            raise StepFailed("users or messages read back after the upgrade differ from before")
        # The mail pending before the upgrade: sent by the deployed schedule, once.
        self.client("ses").verify_domain_identity(Domain=DOMAIN)  # moto's CloudFormation skips it
        before = self.mails_about(OLD_MESSAGE)
        schedule = self.load_handler("schedule-after-upgrade", SCHEDULE_HANDLER)
        for _ in range(2):
            schedule.invoke(scheduled_event())
        sent = self.mails_about(OLD_MESSAGE) - before
        if sent != 1:
            raise StepFailed(f"the owner mail pending before the upgrade was sent {sent} times "
                             "by two runs of the deployed schedule, not once")
        self.load_handler("package-after-upgrade")
        notification = self.call(
            "GET", "/dashboard/messages/{message_id}", f"/dashboard/messages/{OLD_MESSAGE}",
            status=200, path_parameters={"message_id": OLD_MESSAGE}, admin=True)["notification"]
        if (notification["status"], notification["attempts"]) != ("sent", 1):
            raise StepFailed(f"the mail pending before the upgrade shows {notification} once sent")
        # Its mail rewritten, the message stored before forms is listed by form too.
        listed = self.call("GET", "/dashboard/messages", "/dashboard/messages", status=200,
                           admin=True, query={"form": "contact", "status": "new"})
        if OLD_MESSAGE not in {m["id"] for m in listed["items"]}:
            raise StepFailed("the message stored before forms is not listed by "
                             "GET /dashboard/messages?form=contact after the upgrade")
        # And, stored before the sender index, by its sender (GSI3).
        sender = self.written["messages"][OLD_MESSAGE]["email"]
        listed = self.call("GET", "/dashboard/messages", "/dashboard/messages", status=200,
                           admin=True, query={"email": sender})
        if OLD_MESSAGE not in {m["id"] for m in listed["items"]}:
            raise StepFailed("the message stored before the sender index is not listed by "
                             "GET /dashboard/messages?email= after the upgrade")
        # And the user stored before a person's data was indexed is found by its email.
        email = self.written["users"][self.first_user]["email"]
        person = self.call("GET", "/dashboard/people/{email}",
                           f"/dashboard/people/{quote(email, safe='')}", status=200, admin=True,
                           path_parameters={"email": quote(email, safe="")})
        if [u["id"] for u in person["users"]] != [self.first_user]:
            raise StepFailed("the user stored before a person's data was indexed is not found "
                             "by GET /dashboard/people/{email} after the upgrade")
        return ("the 2 users and 3 messages read back unchanged by the upgraded package "
                "(but the old message's expiry, now 365 days after it came), "
                "loaded afresh; the owner mail pending in the old shape sent once by two runs "
                "of the deployed schedule, and shown sent; its message listed by form and "
                "by sender; the user stored before found by GET /dashboard/people/{email}")

    def destroy(self, log: str) -> str:
        if self.handler is not None:
            self.handler.close()
            self.handler = None
        made = self.make("destroy", log, STAGE=STAGE)
        left = checks.leftovers(self.client, STAGE)
        if left:
            raise StepFailed(f"make destroy left {', '.join(left)}")
        return f"{made.seconds:.0f} s; no stack, function, role, API or bucket left"

    def deploy_again(self) -> str:
        made = self.make("deploy", "7-deploy-again", STAGE=STAGE)
        _printed(r"the API is at (\S+)", made)
        return f"{made.seconds:.0f} s, after destroy"


def steps(rehearsal: Rehearsal) -> list[tuple[str, Callable[[], str]]]:
    return [
        ("private AWS", rehearsal.guard),
        ("make deploy", rehearsal.deploy),
        ("what was deployed", rehearsal.deployed),
        ("the deployed package answers", rehearsal.package),
        ("make admin / admins / admin-remove", rehearsal.admins),
        ("make deploy again, unchanged", rehearsal.redeploy),
        ("data kept by the upgrade", rehearsal.data_kept),
        ("make destroy", lambda: rehearsal.destroy("6-destroy")),
        ("make deploy after destroy", rehearsal.deploy_again),
        ("make destroy again", lambda: rehearsal.destroy("7-destroy-again")),
    ]


def main(plan_of: Callable[[Rehearsal], list[tuple[str, Callable[[], str]]]] = steps,
         budget_seconds: float = BUDGET_SECONDS) -> int:
    started = time.monotonic()
    aws = PrivateAws.start()
    rehearsal = Rehearsal(aws, None)
    plan = plan_of(rehearsal)
    try:
        for number, (name, step) in enumerate(plan, 1):
            step_started = time.monotonic()
            try:
                detail = step()
            except (StepFailed, LoadFailed) as exc:
                print(f"rehearse {number}/{len(plan)} {name}: FAILED: {exc}", flush=True)
                return 1
            except Exception as exc:  # anything else: one line here, the traceback in a file
                WORK_DIR.mkdir(parents=True, exist_ok=True)
                (WORK_DIR / "traceback.log").write_text(traceback.format_exc())
                print(f"rehearse {number}/{len(plan)} {name}: FAILED: {type(exc).__name__}: {exc} "
                      "(build/rehearsal/traceback.log)", flush=True)
                return 1
            print(f"rehearse {number}/{len(plan)} {name}: ok ({time.monotonic() - step_started:.1f} s) "
                  f"{detail}", flush=True)
    finally:
        if rehearsal.handler is not None:
            rehearsal.handler.close()
        aws.stop()
    total = time.monotonic() - started
    if total > budget_seconds:
        print(f"rehearse: every step passed, but in {total:.0f} s, over its {budget_seconds:.0f} s "
              "budget")
        return 1
    print(f"rehearse: every step passed in {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
