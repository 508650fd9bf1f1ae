"""`make deploy` and `make destroy` fail with one clear sentence, not a traceback,
when a person has something to fix first."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from infra.stages import EXAMPLE_SETTINGS_FILE, PROJECT_DIR


def make(target: str, *args: str, home: Path,
         extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # As a person runs it at a shell: not as a sub-make of `make test` (CI), whose
    # MAKELEVEL would make the inner make print "make[1]:" where a person sees "make:".
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    env.update({"HOME": str(home), "AWS_CONFIG_FILE": str(home / "none"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "none"),
                # No instance-metadata lookups: this machine is not on EC2.
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "eu-west-1"})
    env.update(extra_env or {})
    # -o: never reinstall .venv from inside a test.
    return subprocess.run(["make", "-s", "-o", ".venv/.installed", target, *args],
                          cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60)


def ready(tmp_path: Path, stage: str = "dev") -> dict[str, str]:
    """FRONTDESK_SETTINGS naming a file with the stage and an owner's real addresses."""
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({stage: {
        "mailFrom": "hello@frontdesk.test", "ownerEmail": "owner@frontdesk.test",
        "sesIdentity": "frontdesk.test"}}))
    return {"FRONTDESK_SETTINGS": str(settings)}


def test_deploy_without_aws_credentials_says_so_plainly(tmp_path: Path) -> None:
    # The settings pass (they are checked first, offline); then credentials are needed.
    result = make("deploy", "STAGE=dev", home=tmp_path, extra_env=ready(tmp_path))
    assert result.returncode != 0
    assert "No AWS credentials found" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def seeded(tmp_path: Path) -> dict[str, str]:
    """FRONTDESK_SETTINGS naming a file `make settings` seeded (never the repository's own)."""
    settings = tmp_path / "settings.json"
    result = make("settings", home=tmp_path, extra_env={"FRONTDESK_SETTINGS": str(settings)})
    assert result.returncode == 0 and settings.read_text() == EXAMPLE_SETTINGS_FILE.read_text()
    return {"FRONTDESK_SETTINGS": str(settings)}


def test_deploy_with_the_seeded_placeholders_names_each_field_to_fix(tmp_path: Path) -> None:
    result = make("deploy", "STAGE=dev", home=tmp_path, extra_env={
        **seeded(tmp_path),
        "AWS_ACCESS_KEY_ID": "not-a-key", "AWS_SECRET_ACCESS_KEY": "not-a-secret",
        # Were anything called, it would reach nothing rather than AWS.
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert result.returncode == 2
    assert f"{tmp_path}/settings.json cannot deploy dev as it is" in result.stderr
    for field in ("dev.mailFrom", "dev.ownerEmail", "dev.sesIdentity"):
        assert field in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "resources stack" not in result.stdout  # refused before step 1


def test_deploy_without_a_settings_file_says_how_to_create_one(tmp_path: Path) -> None:
    result = make("deploy", "STAGE=dev", home=tmp_path,
                  extra_env={"FRONTDESK_SETTINGS": str(tmp_path / "none.json")})
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: There is no settings file {tmp_path}/none.json: "
                                    "create it with `make settings`")
    assert len([line for line in result.stderr.splitlines() if not line.startswith("make:")]) == 1


def test_make_settings_never_overwrites_the_owner_s_file(tmp_path: Path) -> None:
    env = seeded(tmp_path)
    Path(env["FRONTDESK_SETTINGS"]).write_text('{"prod": "mine"}')
    result = make("settings", home=tmp_path, extra_env=env)
    assert result.returncode == 0 and "already exists" in result.stdout
    assert Path(env["FRONTDESK_SETTINGS"]).read_text() == '{"prod": "mine"}'


def test_check_config_needs_no_credentials_and_passes_real_addresses(tmp_path: Path) -> None:
    result = make("check-config", "STAGE=staging", home=tmp_path,
                  extra_env=ready(tmp_path, "staging"))
    assert result.returncode == 0, result.stderr
    assert "stage staging can deploy" in result.stdout


def test_check_config_names_a_typo_without_a_traceback(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text('{"staging": {"mailFrom": "hello@frontdesk.test", "mfaa": "off", '
                        '"ownerEmail": "owner@frontdesk.test", "sesIdentity": "frontdesk.test"}}')
    result = make("check-config", "STAGE=staging", home=tmp_path,
                  extra_env={"FRONTDESK_SETTINGS": str(settings)})
    assert result.returncode == 2
    assert "staging.mfaa: unknown field; did you mean mfa?" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_destroy_prod_refuses_without_the_confirmation(tmp_path: Path) -> None:
    result = make("destroy", "STAGE=prod", home=tmp_path, extra_env=seeded(tmp_path))
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
