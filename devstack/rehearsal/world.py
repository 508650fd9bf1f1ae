"""The rehearsal's world: a private AWS, a scratch copy of the project, the
rehearsal stage's own settings file, and `make` run there as a person runs it.

Nothing of the checkout is touched: `make deploy` writes .chalice/deployed,
web/config.json and build/ in the copy, and reads the settings file the
rehearsal wrote (FRONTDESK_SETTINGS), never the owner's frontdesk.json. Every
Python process `make` starts carries the no-AWS guard (devstack/offline.py,
through a sitecustomize on PYTHONPATH), and sees only the private moto's
endpoint and throwaway credentials: no profile, no config file.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from devstack.moto_server import LocalAwsServer

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
GUARD = PROJECT_DIR / "devstack" / "offline.py"
STAGE = "rehearsal"
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's
SETTINGS_VARIABLE = "FRONTDESK_SETTINGS"
STAMP = ".venv/.installed"
MAKE_TIMEOUT_SECONDS = 180  # the Makefile's mark of an installed virtualenv
# Addresses at a domain that is no placeholder (deploy refuses example.com) and
# can never receive mail (.test is reserved).
DOMAIN = "rehearsal.frontdesk.test"
SETTINGS: dict[str, Any] = {
    "mailFrom": f"Frontdesk <frontdesk@{DOMAIN}>",
    "ownerEmail": f"owner@{DOMAIN}",
    "sesIdentity": DOMAIN,
    "alarmEmail": f"alarms@{DOMAIN}",
    "alarms": {"oldestPendingNotificationMinutes": 30},
    "allowedOrigins": [],
    "site": {"certificateArn": "", "aliases": []},
    "throttle": {"rateLimit": 5, "burstLimit": 10},
    "quota": {"limit": 5000, "period": "DAY"},
    "mfa": "optional",
    "xray": False,
    "environment": {},
    # Not the defaults, and a name that is markup unless the pages escape it.
    "branding": {"siteName": "Rehearsal <b>&</b> Co", "subjectPrefix": "[Rehearsal]",
                 "replySignature": "The rehearsal\nfrontdesk.test", "timeZone": "Europe/Paris",
                 "dashboardLink": False},
    # Not the defaults either: the functions must get both.
    "spamRules": {"blockedWords": ["rehearsal-spam"], "maxLinks": 5},
    "spamRetentionDays": 14,
}
SITECUSTOMIZE = f'''"""Written by the rehearsal: no Python process it starts may reach AWS."""
import importlib.util

_spec = importlib.util.spec_from_file_location("_frontdesk_rehearsal_offline", {str(GUARD)!r})
_guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_guard)
_guard.install_no_aws()
'''


@dataclass
class PrivateAws:
    """moto's server as `make dev` runs it (devstack/moto_server.py), on a free port
    of its own, in this process."""
    server: LocalAwsServer

    @classmethod
    def start(cls) -> PrivateAws:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        return cls(LocalAwsServer("127.0.0.1", 0).start())

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def environment(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": "rehearsal",
                "AWS_SECRET_ACCESS_KEY": "rehearsal", "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION, "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull}

    def session(self) -> boto3.Session:
        return boto3.Session(aws_access_key_id="rehearsal", aws_secret_access_key="rehearsal",
                             region_name=REGION)

    def client(self, service: str) -> Any:
        return self.session().client(service, endpoint_url=self.endpoint)  # type: ignore[call-overload]

    def stop(self) -> None:
        self.server.stop()


def tracked_files(source: Path) -> list[str]:
    """The checkout's files as git sees them: tracked, and new ones not ignored."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=source, capture_output=True, check=True)
    return [name for name in listed.stdout.decode().split("\0") if name]


def _text(output: str | bytes | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


@dataclass
class Made:
    target: str
    returncode: int
    output: str
    seconds: float


@dataclass
class ScratchProject:
    root: Path
    settings_file: Path
    guard_dir: Path
    logs: Path

    @classmethod
    def create(cls, work: Path, source: Path = PROJECT_DIR) -> ScratchProject:
        shutil.rmtree(work, ignore_errors=True)
        root = work / "project"
        for name in tracked_files(source):
            if (source / name).is_file():
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / name, root / name)  # mtimes kept: make's stamps hold
        (root / ".venv").symlink_to((source / ".venv").resolve())
        settings_file = work / "frontdesk.json"
        settings_file.write_text(json.dumps({STAGE: SETTINGS}, indent=2) + "\n")
        guard_dir = work / "guard"
        guard_dir.mkdir()
        (guard_dir / "sitecustomize.py").write_text(SITECUSTOMIZE)
        logs = work / "logs"
        logs.mkdir()
        return cls(root, settings_file, guard_dir, logs)

    def environment(self, aws: Mapping[str, str]) -> dict[str, str]:
        """This process's environment without any AWS setting of its own, then the
        private AWS's, the settings file and the guard."""
        inherited = {k: v for k, v in os.environ.items()
                     if not k.startswith(("AWS_", "BOTO_", "MAKE", "MFLAGS", "PYTHON"))}
        return {**inherited, **aws, SETTINGS_VARIABLE: str(self.settings_file),
                "PYTHONPATH": str(self.guard_dir), "PYTHONDONTWRITEBYTECODE": "1"}

    def make(self, aws: Mapping[str, str], target: str, log_name: str, **variables: str) -> Made:
        # `make rehearse` has just made sure of the virtualenv: never (re)build it here.
        command = ["make", "--no-print-directory", "-C", str(self.root), f"--old-file={STAMP}",
                   target, *(f"{k}={v}" for k, v in variables.items())]
        started = time.monotonic()
        try:
            result = subprocess.run(command, env=self.environment(aws), stdin=subprocess.DEVNULL,
                                    capture_output=True, text=True, timeout=MAKE_TIMEOUT_SECONDS)
            returncode, output = result.returncode, result.stdout + result.stderr
        except subprocess.TimeoutExpired as exc:
            returncode = -1
            output = f"{_text(exc.stdout)}{_text(exc.stderr)}\nerror: make {target} did not " \
                     f"finish in {MAKE_TIMEOUT_SECONDS} s"
        (self.logs / f"{log_name}.log").write_text(f"$ {' '.join(command)}\n{output}")
        return Made(target, returncode, output, time.monotonic() - started)

    def python(self, aws: Mapping[str, str], code: str) -> subprocess.CompletedProcess[str]:
        """`code` run by the project's Python as `make` would start it (guard included)."""
        return subprocess.run([str(self.root / ".venv" / "bin" / "python"), "-c", code],
                              env=self.environment(aws), cwd=self.root, capture_output=True,
                              text=True, check=False)
