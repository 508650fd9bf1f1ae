"""The rehearsal loads a deployed function as Lambda does (devstack/rehearsal/function.py):
the zip Lambda holds, found by its CodeSha256, run by the runtime's own Python in an
isolated process with the function's environment, boto3 beside it, and no way to AWS."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest

from devstack import offline
from devstack.rehearsal import function

HANDLER = '''
import json, os, sys
import boto3

def handle(event, context):
    print("a log line")
    try:
        boto3.client("sts", region_name="us-east-1",
                     endpoint_url="https://sts.us-east-1.amazonaws.com").get_caller_identity()
        reached = "AWS"
    except Exception as exc:
        reached = str(exc)
    return {"event": event, "stage": os.environ.get("STAGE"), "isolated": sys.flags.isolated,
            "function": context.function_name, "task": os.environ["LAMBDA_TASK_ROOT"],
            "tables": boto3.client("dynamodb").list_tables()["TableNames"] is not None,
            "reached": reached}
'''


def package(source: str) -> bytes:
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", source)
    return code.getvalue()


@pytest.fixture
def deployed(local_aws: Any, tmp_path: Path) -> tuple[Any, str, Path]:
    """A function in the local AWS, and the project folder holding its Chalice package."""
    session = local_aws.session
    name = f"fn-{uuid.uuid4().hex[:8]}"
    role = session.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    lambda_ = session.client("lambda")
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    # One build for both: a zip entry carries the time it was written, so two
    # builds a second apart differ in their bytes and their SHA-256.
    code = package(HANDLER)
    lambda_.create_function(FunctionName=name, Runtime=runtime, Handler="handler.handle",
                            Role=role["Role"]["Arn"], Code={"ZipFile": code},
                            Environment={"Variables": {"STAGE": "rehearsal"}})
    deployments = tmp_path / "project" / ".chalice" / "deployments"
    deployments.mkdir(parents=True)
    (deployments / "other.zip").write_bytes(package("# another build\n"))
    (deployments / "this.zip").write_bytes(code)
    return lambda_, name, tmp_path / "project"


def test_the_package_lambda_holds_is_found_by_its_code_sha256(deployed: tuple[Any, str, Path]) -> None:
    lambda_, name, project = deployed
    sha = lambda_.get_function_configuration(FunctionName=name)["CodeSha256"]

    assert function.find_package(project, sha).name == "this.zip"
    with pytest.raises(function.LoadFailed, match="no Chalice deployment package"):
        function.find_package(project, "not-it")


def test_the_handler_runs_isolated_with_the_function_s_environment_and_no_way_to_aws(
        local_aws: Any, deployed: tuple[Any, str, Path], tmp_path: Path) -> None:
    lambda_, name, project = deployed
    aws = {"AWS_ENDPOINT_URL": local_aws.endpoint, "AWS_ACCESS_KEY_ID": "local",
           "AWS_SECRET_ACCESS_KEY": "local", "AWS_REGION": "us-east-1",
           "AWS_DEFAULT_REGION": "us-east-1"}

    loaded = function.load(lambda_, name, search_root=project, work=tmp_path / "work", aws=aws)
    try:
        answer = loaded.invoke({"path": "/health"})
    finally:
        loaded.close()

    assert answer["event"] == {"path": "/health"}
    assert (answer["stage"], answer["function"], answer["isolated"]) == ("rehearsal", name, 1)
    assert answer["task"] == str(tmp_path / "work" / "task")
    assert answer["tables"] is True  # boto3 from the runtime's SDK, AWS the local one
    assert "the rehearsal never reaches AWS" in answer["reached"]
    assert "a log line" in loaded.log.read_text()
    assert loaded.notes == []  # pure Python: nothing built for another machine


def test_a_runtime_the_machine_lacks_fails_in_one_sentence() -> None:
    with pytest.raises(function.LoadFailed, match="has no Python 2.1"):
        function.runtime_python("python2.1")


@pytest.mark.parametrize(("host", "allowed"), [
    ("sts.us-east-1.amazonaws.com", False), ("s3.dualstack.eu-west-1.api.aws", False),
    ("AMAZONAWS.COM.", False), ("127.0.0.1", True), ("files.example.test", True),
    ("notamazonaws.com", True)])
def test_the_rehearsal_guard_refuses_aws_hosts_only(host: str, allowed: bool) -> None:
    assert offline.is_not_aws(host) is allowed


def test_a_child_process_with_the_rehearsal_guard_cannot_reach_aws(tmp_path: Path) -> None:
    from devstack.rehearsal.world import SITECUSTOMIZE

    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    child = subprocess.run(
        [sys.executable, "-c", "import socket; socket.getaddrinfo('sts.amazonaws.com', 443)"],
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)

    assert child.returncode != 0
    assert "the rehearsal never reaches AWS: something tried to reach 'sts.amazonaws.com'" in \
        child.stderr
