"""`make deploy` and `make destroy` fail with one clear sentence, not a traceback,
when a person has something to fix first."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from infra.stages import PROJECT_DIR


def make(target: str, *args: str, home: Path,
         extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"HOME": str(home), "AWS_CONFIG_FILE": str(home / "none"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "none"),
                # No instance-metadata lookups: this machine is not on EC2.
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "eu-west-1"})
    env.update(extra_env or {})
    # -o: never reinstall .venv from inside a test.
    return subprocess.run(["make", "-s", "-o", ".venv/.installed", target, *args],
                          cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60)


def test_deploy_without_aws_credentials_says_so_plainly(tmp_path: Path) -> None:
    result = make("deploy", "STAGE=dev", home=tmp_path)
    assert result.returncode != 0
    assert "No AWS credentials found" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_deploy_with_the_shipped_placeholders_names_each_field_to_fix(tmp_path: Path) -> None:
    result = make("deploy", "STAGE=dev", home=tmp_path, extra_env={
        "AWS_ACCESS_KEY_ID": "not-a-key", "AWS_SECRET_ACCESS_KEY": "not-a-secret",
        # Were anything called, it would reach nothing rather than AWS.
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert result.returncode == 2
    assert "infra/stages.json cannot deploy dev as it is" in result.stderr
    for field in ("dev.mailFrom", "dev.ownerEmail", "dev.sesIdentity"):
        assert field in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "resources stack" not in result.stdout  # refused before step 1


def test_destroy_prod_refuses_without_the_confirmation(tmp_path: Path) -> None:
    result = make("destroy", "STAGE=prod", home=tmp_path)
    assert result.returncode != 0
    assert "refusing to destroy prod" in result.stderr
    assert "CONFIRM=frontdesk-prod-resources" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_admin_without_a_running_local_stack_says_how_to_start_one(tmp_path: Path) -> None:
    # STACK_FILE on make's command line reaches the command's environment.
    result = make("admin", "EMAIL=someone@example.com", f"STACK_FILE={tmp_path}/none.json",
                  home=tmp_path)
    assert result.returncode != 0
    assert "No local stack is running" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
