"""The whole deploy and destroy sequence. Every AWS client and the way Chalice
is run are handed in, so tests drive it against moto with a stand-in Chalice.

deploy: the stage's settings checked (offline) -> resources stack -> the
stage's Chalice config and role policy generated from the settings and the
stack's outputs -> `chalice deploy` (-> the stack again when the site's CSP
and its route of form.html?form=<id> must name a new API)
-> gateway responses -> a new deployment -> the usage plan on the stage ->
the table's data upgraded to what the new functions read, by backfills
(infra/backfill.py: resumable Scans; deliveries stored in an older shape
rewritten: infra/delivery_upgrade.py; records stored before an index given
their place in it, by form, by sender, a user by email, a message by the
other addresses its email fields name: infra/index_upgrades.py; every
message's expiry brought to the retention in force: infra/retention_backfill.py) ->
web/ and its config.json to the site's bucket, changed paths invalidated ->
the site's and the API's addresses printed.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.core.retention import Retention
from chalicelib.platform.branding import DEFAULT as DEFAULT_BRANDING
from chalicelib.platform.branding import Branding
from chalicelib.platform.config import audit_salt_parameter
from infra import (
    chalice_cli,
    chalice_config,
    deployed_state,
    gateway,
    log_retention,
    packaging,
    site,
    stack,
    stream_subscription,
    unrecorded_api,
)
from infra.audit_salt import ensure_audit_salt
from infra.backfill import Progress, Report
from infra.delivery_upgrade import Upgrade
from infra.files_key import FilesKey, ensure_files_key
from infra.index_upgrades import UPGRADES, run_upgrade
from infra.retention_backfill import RetentionBackfill
from infra.runtime import LAMBDA_RUNTIME, runtime_problem
from infra.site import cognito_endpoint, site_headers
from infra.stages import (
    PROJECT_DIR,
    SETTINGS_FILE,
    TEMPLATE_FILE,
    StageConfig,
    check_stage,
    load_stage,
    refusal,
)
from infra.web_headers import origin_of
from infra.web_pages import branding_config

ChaliceRunner = Callable[[list[str]], None]
Say = Callable[[str], None]


class Refused(RuntimeError):
    pass


@dataclass(frozen=True)
class AwsClients:
    cloudformation: Any
    apigateway: Any
    region: str
    cognito: Any = None  # deploy reads the pool's password rules for the web config
    s3: Any = None
    cloudfront: Any = None
    # Deploy reads functions, roles and schedules back to say whether it changed anything.
    lambda_: Any = None
    iam: Any = None
    events: Any = None
    dynamodb: Any = None  # the data upgrade (skipped without it)
    logs: Any = None  # the functions' log retention (skipped without it)
    ssm: Any = None  # the audit log's salt (skipped without it)

    @classmethod
    def from_session(cls, session: Any) -> AwsClients:
        return cls(session.client("cloudformation"), session.client("apigateway"),
                   session.region_name, cognito=session.client("cognito-idp"),
                   s3=session.client("s3"), cloudfront=session.client("cloudfront"),
                   lambda_=session.client("lambda"), iam=session.client("iam"),
                   events=session.client("events"), dynamodb=session.client("dynamodb"),
                   logs=session.client("logs"), ssm=session.client("ssm"))


@dataclass(frozen=True)
class Project:
    """Where deploy reads and writes; a test points it at a copy. Deploy
    writes no tracked file: only under build/, .chalice/deployed/ and web/config.json."""
    root: Path = PROJECT_DIR
    # The owner's settings; None: frontdesk.json in root (FRONTDESK_SETTINGS is
    # read by the command line, infra/__main__.py).
    settings: Path | None = None

    @property
    def chalice_config(self) -> Path:
        return self.root / ".chalice" / "config.json"

    @property
    def settings_file(self) -> Path:
        return self.settings or self.root / SETTINGS_FILE.relative_to(PROJECT_DIR)

    def generated(self, stage: str) -> Path:
        """The stage's generated .chalice files (infra/chalice_config.py)."""
        return self.root / "build" / "chalice" / stage

    @property
    def template(self) -> Path:
        return self.root / TEMPLATE_FILE.relative_to(PROJECT_DIR)

    @property
    def web_dir(self) -> Path:
        return self.root / "web"

    @property
    def web_config(self) -> Path:
        return self.web_dir / "config.json"

    def deployed(self, stage: str) -> Path:
        return self.root / ".chalice" / "deployed" / f"{stage}.json"

    @property
    def deploy_copy(self) -> Path:
        return self.root / "build" / "deploy"


@dataclass(frozen=True)
class Deployed:
    site_url: str
    api_url: str
    rest_api_id: str
    outputs: dict[str, str]
    web_config: dict[str, Any]


def run_chalice(project: Project, chalice: Path | None = None, say: Say = print) -> ChaliceRunner:
    """`chalice deploy` and `chalice delete` run in a copy of the project with
    precompiled bytecode (infra/packaging.py) and the stage's generated config
    (project.generated); what Chalice records as deployed comes back to the
    project's .chalice/deployed, where the next deploy and destroy read it.
    Chalice deploys LAMBDA_RUNTIME whatever Python runs this (infra/chalice_cli.py);
    `chalice` is another program to run instead, as is."""
    def command(args: list[str]) -> list[str]:
        return [str(chalice), *args] if chalice else chalice_cli.command(*args)

    def run(args: list[str]) -> None:
        stage = args[args.index("--stage") + 1]
        copy = packaging.project_copy(stage, project.deploy_copy, source=project.root,
                                      with_deployed_state=True,
                                      generated=project.generated(stage), say=say)
        try:
            subprocess.run(command(args), cwd=copy, env=chalice_cli.environment(), check=True)
        finally:  # a failed deploy may have created resources: keep their record too
            if (copy / ".chalice" / "deployed").exists():
                shutil.copytree(copy / ".chalice" / "deployed", project.root / ".chalice" / "deployed",
                                dirs_exist_ok=True)
    return run


def recorded_resources(project: Project, stage: str) -> list[dict[str, Any]]:
    """What the last `chalice deploy` recorded: none before the first, and none
    after `chalice delete`, which empties the file rather than removing it."""
    path = project.deployed(stage)
    return list(json.loads(path.read_text())["resources"]) if path.exists() else []


def deployed_api_handler(project: Project, stage: str) -> str:
    """The ARN of the function that serves the REST API."""
    return str(next(r["lambda_arn"] for r in recorded_resources(project, stage)
                    if r.get("resource_type") == "lambda_function" and r["name"] == "api_handler"))


def deployed_functions(project: Project, stage: str) -> list[str]:
    """The names of the functions the last `chalice deploy` recorded."""
    return [str(r["lambda_arn"]).rsplit(":", 1)[-1] for r in recorded_resources(project, stage)
            if r.get("resource_type") == "lambda_function"]


def deployed_rest_api(project: Project, stage: str) -> tuple[str, str] | None:
    """(rest API id, endpoint URL) from what `chalice deploy` recorded, if anything."""
    api = next((r for r in recorded_resources(project, stage)
                if r.get("resource_type") == "rest_api"), None)
    return None if api is None else (str(api["rest_api_id"]), str(api["rest_api_url"]).rstrip("/"))


def recorded_api_url(project: Project, stage: str) -> str | None:
    """The API's address as the last `chalice deploy` from this checkout recorded it."""
    recorded = deployed_rest_api(project, stage)
    return None if recorded is None else recorded[1]


def find_unrecorded_api(apigateway: Any, project: Project, config: dict[str, Any],
                        stage: str) -> list[str]:
    """When the record names no REST API, write in the one a failed deploy left
    (infra/unrecorded_api.py), so Chalice updates or deletes it rather than
    importing a second. Returns the ids found, the recorded one first."""
    if deployed_rest_api(project, stage) is not None:
        return []
    app_name = str(config["app_name"])
    found = unrecorded_api.stage_apis(apigateway, app_name, f"{app_name}-{stage}")
    if found:
        region = apigateway.meta.region_name
        url = (f"https://{found[0]}.execute-api.{region}.amazonaws.com/"
               f"{chalice_config.api_gateway_stage(config, stage)}/")
        unrecorded_api.record(project.deployed(stage), found[0], url)
    return found


def check_deployable(stage: str, settings: Path) -> None:
    """Offline, before anything needs AWS: every problem of the stage's settings
    (SettingsError when the file itself cannot be read)."""
    problems = check_stage(stage, settings)
    if problems:
        raise Refused(refusal(stage, settings, problems))


def check_runtime(runtime: str, today: dt.date) -> None:
    problem = runtime_problem(runtime, today)
    if problem:
        raise Refused(f"refusing to deploy: {problem}")


def web_config(api_url: str, region: str, user_pool_client_id: str,
               password_policy: dict[str, Any] | None = None,
               captcha: dict[str, str] | None = None,
               branding: Branding = DEFAULT_BRANDING,
               spam_retention_days: int = 30) -> dict[str, Any]:
    """What the web frontend needs (same keys `make dev` serves it)."""
    config: dict[str, Any] = {
        "apiUrl": api_url, "region": region, "userPoolClientId": user_pool_client_id,
        "cognitoEndpoint": cognito_endpoint(region), "branding": branding_config(branding),
        "spamRetentionDays": spam_retention_days}
    if password_policy is not None:
        config["passwordPolicy"] = password_policy
    if captcha is not None:
        config["captcha"] = captcha  # {provider, siteKey}: the contact page shows the widget
    return config


def pool_password_policy(cognito: Any, user_pool_id: str) -> dict[str, Any]:
    """The pool's PasswordPolicy, which the sign-in page lists as rules: the page
    itself cannot ask (DescribeUserPool needs AWS credentials)."""
    pool = cognito.describe_user_pool(UserPoolId=user_pool_id)["UserPool"]
    return dict(pool["Policies"]["PasswordPolicy"])


def deploy(stage_name: str, *, aws: AwsClients, chalice: ChaliceRunner,
           project: Project = Project(), say: Say = print, today: dt.date | None = None) -> Deployed:
    # Before anything touches AWS.
    check_deployable(stage_name, project.settings_file)
    check_runtime(LAMBDA_RUNTIME, today or dt.date.today())
    stage = load_stage(stage_name, project.settings_file)
    base_config = chalice_config.read_config(project.chalice_config)
    config = chalice_config.stage_config(base_config, stage, outputs=None)
    api_stage = chalice_config.api_gateway_stage(config, stage_name)

    template = project.template.read_text()
    # The site's CSP names the API, which exists only after `chalice deploy`:
    # start from the last deploy's API and put the stack right after if it moved.
    found = find_unrecorded_api(aws.apigateway, project, config, stage_name)
    known_api_url = recorded_api_url(project, stage_name)
    captcha = chalice_config.captcha(config, stage_name)
    captcha_provider = captcha["provider"] if captcha else None
    before = deployed_state.read(aws, stage.stack_name, api_stage,
                                 recorded_resources(project, stage_name))
    files_key: FilesKey | None = None
    if aws.ssm is not None:
        files_key, created = ensure_files_key(aws.ssm, stage_name)
        say(f"      the download links' key {files_key.name}: "
            + ("created" if created else f"version {files_key.version}, kept as it is"))
    key_value = files_key.value if files_key else ""
    key_parameter = files_key.parameter if files_key else None

    say(f"[1/5] resources stack {stage.stack_name} (table, user pool, SES identity, "
        f"usage plan, web site, attachments and their distribution, alarms)")
    outputs = stack.deploy_stack(aws.cloudformation, stage, template, api_stage,
                                 site_headers(known_api_url, aws.region, captcha_provider),
                                 api_url=known_api_url, files_key=key_value)
    config = chalice_config.stage_config(base_config, stage, outputs, key_parameter)
    chalice_config.write_files(project.generated(stage_name),
                               chalice_config.stage_files(base_config, stage, outputs,
                                                          key_parameter))

    say(f"[2/5] chalice deploy --stage {stage_name}")
    if aws.lambda_ is not None:
        moved = stream_subscription.move_to_current_stream(
            aws.lambda_, project.deployed(stage_name), outputs["TableStreamArn"])
        if moved:
            say(f"      the table's stream was replaced (its view type changed): the stream "
                f"function's subscription moves from {', '.join(moved)} to the new one, read "
                f"from its start")
    if found:
        say(f"      updating REST API {found[0]}, which no record here named (left by a deploy "
            "that failed, or by another checkout), rather than creating another")
    if found[1:]:
        say(f"      also this stage's, and not used: REST APIs {', '.join(found[1:])} "
            "(`make destroy` deletes them)")
    chalice(["deploy", "--stage", stage_name])
    deployed_api = deployed_rest_api(project, stage_name)
    if deployed_api is None:
        raise Refused(f"`chalice deploy` recorded no REST API in "
                      f"{project.deployed(stage_name).relative_to(project.root)}.")
    rest_api_id, api_url = deployed_api
    if known_api_url is None or origin_of(known_api_url) != origin_of(api_url):
        say("      the site's Content-Security-Policy and its form pages' route "
            "(form.html?form=<id>) now name this API: updating the stack")
        outputs = stack.deploy_stack(aws.cloudformation, stage, template, api_stage,
                                     site_headers(api_url, aws.region, captcha_provider),
                                     api_url=api_url, files_key=key_value)

    if aws.ssm is not None:
        created = ensure_audit_salt(aws.ssm, stage_name)
        say(f"      the audit log's salt {audit_salt_parameter(stage_name)}: "
            + ("created" if created else "kept as it is"))
    if aws.logs is not None:
        days = stage.log_retention_days
        groups = log_retention.apply(aws.logs, deployed_functions(project, stage_name), days)
        say(f"      {len(groups)} functions' logs kept "
            + (f"{days} days" if days else "forever") + " (logRetentionDays)")

    say("[3/5] gateway responses (JSON errors with CORS), unknown paths to the app, "
        "then a new deployment")
    gateway.put_gateway_responses(aws.apigateway, rest_api_id,
                                  chalice_config.allowed_origins(config, stage_name))
    gateway.route_unknown_paths_to_the_app(aws.apigateway, rest_api_id,
                                           deployed_api_handler(project, stage_name), aws.region)
    gateway.redeploy(aws.apigateway, rest_api_id, api_stage)

    say("[4/5] usage plan on the API stage")
    gateway.attach_usage_plan(aws.apigateway, outputs["UsagePlanId"], rest_api_id, api_stage)
    if aws.dynamodb is not None:
        under_way = backfill_progress(say)
        say(f"      data: {upgrade_data(aws.dynamodb, outputs['TableName'], under_way)}")
        for index_upgrade in UPGRADES:
            say("      data: " + run_upgrade(aws.dynamodb, outputs["TableName"], index_upgrade,
                                             report=under_way).summary())
        say("      data: " + RetentionBackfill(aws.dynamodb, outputs["TableName"],
                                               Retention(stage.retention_days,
                                                         spam_days=stage.spam_retention_days),
                                               report=under_way).run().summary())

    web = web_config(api_url, aws.region, outputs["UserPoolClientId"],
                     pool_password_policy(aws.cognito, outputs["UserPoolId"]), captcha,
                     stage.branding, stage.spam_retention_days)
    project.web_config.parent.mkdir(parents=True, exist_ok=True)
    project.web_config.write_text(json.dumps(web, indent=2) + "\n")
    say(f"[5/5] web site: {project.web_dir.relative_to(project.root)}/ and its config.json "
        f"to the site bucket")
    published = site.publish(aws.s3, aws.cloudfront, bucket=outputs["SiteBucketName"],
                             distribution_id=outputs["SiteDistributionId"],
                             files=site.site_files(project.web_dir, web))
    say(f"      {len(published.uploaded)} uploaded, {len(published.deleted)} deleted"
        + (f"; CloudFront invalidation {published.invalidation_id} under way (a minute or two)"
           if published.invalidation_id else "; nothing changed"))
    changed = deployed_state.changes(before, deployed_state.read(
        aws, stage.stack_name, api_stage, recorded_resources(project, stage_name)))
    if changed is not None:
        say(f"      changed: {', '.join(changed)}" if changed else
            "      no change: everything deployed is as it was before this deploy")
    site_url = site.site_url(stage, outputs)
    say(f"\nFrontdesk {stage_name}: the site is at {site_url}")
    say(f"  the API is at {api_url}  (try {api_url}/health)")
    say(f"Service API key: aws apigateway get-api-key --include-value "
        f"--api-key {outputs['ApiKeyId']} --query value --output text")
    return Deployed(site_url, api_url, rest_api_id, outputs, web)


def backfill_progress(say: Say) -> Report:
    """A backfill's progress while it is under way (its end is the caller's to say)."""
    def report(progress: Progress) -> None:
        if not progress.done:
            say(f"      data: {progress.line()}")
    return report


def upgrade_data(dynamodb: Any, table: str, report: Report | None = None) -> str:
    """Bring what the table holds into the shape the functions just deployed
    read (docs/deploy.md, "Upgrading Frontdesk"); resumable, and a few reads
    once done. Runs once the new functions are live, so no old one writes the
    old shape after it (one still running may: the next deploy rewrites it)."""
    return Upgrade(dynamodb, table, report=report).run().summary()


def check_destroy_allowed(stage: StageConfig, confirm: str | None) -> None:
    if stage.name == "prod" and confirm != stage.stack_name:
        raise Refused(f"refusing to destroy prod: this deletes its users and data. If you "
                      f"mean it, run: make destroy STAGE=prod CONFIRM={stage.stack_name}")


def destroy(stage_name: str, *, aws: AwsClients, chalice: ChaliceRunner,
            project: Project = Project(), confirm: str | None = None, say: Say = print) -> None:
    stage = load_stage(stage_name, project.settings_file)
    check_destroy_allowed(stage, confirm)
    outputs = stack.existing_outputs(aws.cloudformation, stage)
    plan = outputs.get("UsagePlanId")
    detached = gateway.detach_usage_plan(aws.apigateway, plan) if plan else []
    say(f"[1/3] usage plan {plan}: detached {', '.join(detached)}" if detached
        else "[1/3] no usage plan covers an API stage")
    base_config = chalice_config.read_config(project.chalice_config)
    found = find_unrecorded_api(aws.apigateway, project,
                                chalice_config.stage_config(base_config, stage, outputs=None),
                                stage_name)
    if recorded_resources(project, stage_name):
        # `chalice delete` imports app.py with the stage's environment.
        chalice_config.write_files(project.generated(stage_name),
                                   chalice_config.stage_files(base_config, stage, outputs=None))
        api_url = recorded_api_url(project, stage_name)
        say(f"[2/3] chalice delete --stage {stage_name}")
        if found:
            say(f"      with REST API{'s' if found[1:] else ''} {', '.join(found)}, which no "
                f"record here named (left by a deploy that failed, or by another checkout)")
        for api_id in found[1:]:  # Chalice's record holds one; the others go here
            aws.apigateway.delete_rest_api(restApiId=api_id)
        chalice(["delete", "--stage", stage_name])
        if api_url and project.web_config.exists() and \
                json.loads(project.web_config.read_text()).get("apiUrl") == api_url:
            project.web_config.unlink()
    else:
        say(f"[2/3] no app deployed for {stage_name}")
    say(f"[3/3] deleting stack {stage.stack_name}")
    bucket = outputs.get("SiteBucketName")
    if bucket:
        say(f"      emptied the site bucket ({site.empty_bucket(aws.s3, bucket)} files)")
    attachments = outputs.get("AttachmentsBucketName")
    if attachments:  # the messages' files go with the table that lists them
        say(f"      emptied the attachments bucket "
            f"({site.empty_bucket(aws.s3, attachments)} files)")
    if not stack.delete_stack(aws.cloudformation, stage):
        say("      (there was none)")
    say(f"Frontdesk {stage_name} is gone.")
