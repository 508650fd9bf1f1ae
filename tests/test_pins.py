"""The pins of requirements.txt and requirements-dev.txt are what is installed,
and the SDK is pinned whole: boto3 allows a range of botocore, so an unpinned
botocore moves under a fixed boto3 from one install to the next."""
from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

from infra.stages import PROJECT_DIR

PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;#]+)")


def pins(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("-r "):
            found.update(pins(path.parent / line.removeprefix("-r ").strip()))
        elif match := PIN.match(line):
            found[match[1].lower()] = match[2]
    return found


def test_every_pin_is_the_installed_version() -> None:
    pinned = pins(PROJECT_DIR / "requirements-dev.txt")
    assert {name: version(name) for name in pinned} == pinned


def test_botocore_is_pinned_beside_boto3() -> None:
    pinned = pins(PROJECT_DIR / "requirements-dev.txt")
    assert {"boto3", "botocore"} <= pinned.keys()
