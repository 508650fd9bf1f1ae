"""What Lambda loads for Frontdesk: the function zip (`chalice package`) for
each architecture, and what lives outside it, sized from the installed
distributions in the bench virtualenv (the same pins)."""
from __future__ import annotations

import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

from candidates import PROJECT_DIR

# The Lambda Python runtime ships boto3 and what it depends on.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "urllib3",
                    "six")
PEER_BUNDLES = {"fastapi": ("fastapi", "starlette", "pydantic", "pydantic-core", "mangum",
                            "anyio", "annotated-types", "typing-extensions", "typing-inspection",
                            "idna", "sniffio"),
                "powertools": ("pydantic", "pydantic-core", "annotated-types",
                               "typing-extensions", "typing-inspection")}


def installed_bytes(distributions: tuple[str, ...]) -> int:
    total = 0
    for name in distributions:
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError:
            continue
        total += sum(f.size or 0 for f in files if "__pycache__" not in str(f))
    return total


def zip_figures(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    top: dict[str, int] = {}
    for info in infos:
        top[info.filename.split("/")[0]] = top.get(info.filename.split("/")[0], 0) + info.compress_size
    return {"bytes": path.stat().st_size, "files": len(infos),
            "uncompressed": sum(i.file_size for i in infos), "by_top_level": top}


def measure() -> dict[str, Any]:
    from infra.packaging import package

    build = PROJECT_DIR / "build" / "bench"
    zips = {}
    for architecture in ("arm64", "x86_64"):
        out = build / architecture
        package("prod", "us-east-1", out, architecture)
        zips[architecture] = zip_figures(out / "deployment.zip")
    return {"zips": zips, "runtime_bytes": installed_bytes(RUNTIME_PROVIDED),
            "peer_bundle_bytes": {k: installed_bytes(v) for k, v in PEER_BUNDLES.items()}}
