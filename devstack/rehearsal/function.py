"""A deployed function, loaded the way Lambda loads it.

- Its package is the zip `chalice deploy` uploaded: the one among the
  project's Chalice deployment packages whose SHA-256 is the CodeSha256
  Lambda reports for the function.
- It is unpacked into a fresh directory, Lambda's /var/task.
- A compiled extension built for another machine cannot be loaded here (the
  functions are arm64; this machine may be x86_64): each such file is replaced
  by the same file of the same release's wheel for this machine and the
  runtime's Python, fetched by pip (from its cache when it can), and named in
  the step's notes. Everything else is the package's own.
- The handler is imported by the runtime's own Python (python3.13 for runtime
  python3.13) in a fresh, isolated process (devstack/rehearsal/lambda_runner.py)
  with the function's environment as Lambda reports it, AWS being the private
  moto. A machine without that Python fails the step, saying so.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import platform
import re
import select
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

RUNNER = Path(__file__).with_name("lambda_runner.py")
GUARD = Path(__file__).resolve().parent.parent / "offline.py"
# What Lambda's Python runtimes provide beside the package (/var/runtime).
SDK_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
# ELF e_machine of the architectures Lambda runs.
ELF_MACHINES = {62: "x86_64", 183: "aarch64"}
ANSWER_TIMEOUT_SECONDS = 60
MANYLINUX = ("manylinux2014", "manylinux_2_17", "manylinux_2_24", "manylinux_2_28")


class LoadFailed(RuntimeError):
    """The function could not be loaded as Lambda loads it; says why in one sentence."""


def _sha256(path: Path) -> str:
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def find_package(search_root: Path, code_sha256: str) -> Path:
    """The Chalice deployment package Lambda holds, by its CodeSha256."""
    for candidate in sorted(search_root.glob("**/.chalice/deployments/*.zip")):
        if _sha256(candidate) == code_sha256:
            return candidate
    raise LoadFailed(f"no Chalice deployment package under {search_root} has the deployed "
                     f"function's CodeSha256 {code_sha256}")


def this_machine() -> str:
    machine = platform.machine().lower()
    return {"arm64": "aarch64", "amd64": "x86_64"}.get(machine, machine)


def elf_machine(data: bytes) -> str | None:
    if data[:4] != b"\x7fELF":
        return None
    return ELF_MACHINES.get(int.from_bytes(data[18:20], "little"), f"e_machine {data[18:20].hex()}")


def _owners(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """Each file of the package -> (distribution, version), from the .dist-info RECORDs."""
    owners = {}
    for name in archive.namelist():
        match = re.fullmatch(r"([^/]+)-([^/-]+)\.dist-info/RECORD", name)
        if match:
            for line in archive.read(name).decode().splitlines():
                owners[line.split(",")[0]] = (match[1], match[2])
    return owners


def _module_key(path: str) -> str:
    """`msgspec/_core.cpython-313-aarch64-linux-gnu.so` -> `msgspec/_core`."""
    folder, _, file = path.rpartition("/")
    return f"{folder}/{file.split('.')[0]}"


def _wheel_for_here(distribution: str, version: str, python: str, into: Path) -> Path:
    machine = this_machine()
    platforms = [f"--platform={tag}_{machine}" for tag in MANYLINUX]
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--only-binary=:all:", f"--python-version={python}",
         "--implementation=cp", *platforms, "--dest", str(into), f"{distribution}=={version}"],
        capture_output=True, text=True)
    wheels = sorted(into.glob(f"{distribution.replace('-', '_')}-{version}-*.whl"))
    if result.returncode != 0 or not wheels:
        raise LoadFailed(f"pip found no {distribution} {version} wheel for {machine} and Python "
                         f"{python}: {result.stderr.strip().splitlines()[-1:] or ['no output']}")
    return wheels[0]


def unpack(package: Path, task_root: Path, python: str, wheels: Path) -> list[str]:
    """Unpack into `task_root`; return a note per extension built for this machine instead."""
    shutil.rmtree(task_root, ignore_errors=True)
    notes = []
    machine = this_machine()
    with zipfile.ZipFile(package) as archive:
        archive.extractall(task_root)
        owners = _owners(archive)
        foreign = [name for name in archive.namelist()
                   if ".so" in name and elf_machine(archive.read(name)[:20]) not in (None, machine)]
        for name in foreign:
            if name not in owners:
                raise LoadFailed(f"{name} is built for {elf_machine(archive.read(name)[:20])} and "
                                 "belongs to no distribution in the package")
            distribution, version = owners[name]
            with zipfile.ZipFile(_wheel_for_here(distribution, version, python, wheels)) as wheel:
                native = [n for n in wheel.namelist() if _module_key(n) == _module_key(name)
                          and elf_machine(wheel.read(n)[:20]) == machine]
                if not native:
                    raise LoadFailed(f"the {distribution} {version} wheel has no {machine} build "
                                     f"of {_module_key(name)}")
                (task_root / name).unlink()
                (task_root / native[0]).write_bytes(wheel.read(native[0]))
            notes.append(f"{_module_key(name)} ({elf_machine(archive.read(name)[:20])}) "
                         f"replaced by its {machine} build from {distribution} {version}")
    return notes


def _version_of(python: str) -> str | None:
    try:
        result = subprocess.run([python, "-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _candidates(version: str) -> Iterator[str]:
    found = shutil.which(f"python{version}")
    if found:
        yield found
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv")]
    for root in filter(None, roots):
        for folder in sorted(Path(root).glob(f"versions/{version}.*"), reverse=True):
            yield str(folder / "bin" / f"python{version}")
    yield str(Path(sys.base_prefix) / "bin" / f"python{version}")


def runtime_python(runtime: str) -> str:
    """The machine's Python of the Lambda runtime (`python3.13` -> a Python 3.13)."""
    version = runtime.removeprefix("python")
    for candidate in _candidates(version):
        if Path(candidate).exists() and _version_of(candidate) == version:
            return candidate
    raise LoadFailed(f"this machine has no Python {version} to load the {runtime} function with "
                     f"(looked on PATH and in pyenv's versions)")


def sdk_dir(into: Path) -> Path:
    """boto3 and its dependencies, as the runtime provides them beside /var/task."""
    into.mkdir(parents=True, exist_ok=True)
    for module in SDK_MODULES:
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None:
            raise LoadFailed(f"{module} is not installed here, so the runtime's SDK cannot be given")
        source = Path(spec.origin)
        source = source.parent if source.name == "__init__.py" else source
        link = into / source.name
        if not link.exists():
            link.symlink_to(source)
    return into


@dataclass
class LoadedFunction:
    """One warm container: the handler imported once, invoked many times."""
    process: subprocess.Popen[str]
    log: Path
    python: str
    init_seconds: float
    notes: list[str] = field(default_factory=list)

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        stdin, stdout = self._pipes()
        stdin.write(json.dumps(request) + "\n")
        stdin.flush()
        if not select.select([stdout], [], [], ANSWER_TIMEOUT_SECONDS)[0]:
            raise LoadFailed(f"the function did not answer within {ANSWER_TIMEOUT_SECONDS} s")
        line = stdout.readline()
        if not line:
            raise LoadFailed(f"the function's process ended: {_tail(self.log)}")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise LoadFailed(f"the handler raised: {answer['error'].strip().splitlines()[-1]}")
        return answer

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        return self.process.stdin, self.process.stdout

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._ask({"event": event})["result"]
        return result

    def routes(self) -> list[dict[str, Any]]:
        routes: list[dict[str, Any]] = self._ask({"routes": True})["routes"]
        return routes

    def close(self) -> None:
        stdin, stdout = self._pipes()
        stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        stdout.close()


def _tail(log: Path, lines: int = 3) -> str:
    text = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
    return " | ".join(text[-lines:]) or "(no output)"


def lambda_environment(configuration: Mapping[str, Any], task_root: Path,
                       aws: Mapping[str, str]) -> dict[str, str]:
    """What Lambda sets for a function (its variables, then the runtime's own), with
    `aws` (endpoint, credentials, region) pointing at the private moto."""
    runtime = str(configuration["Runtime"])
    return {
        **configuration.get("Environment", {}).get("Variables", {}),
        "AWS_LAMBDA_FUNCTION_NAME": str(configuration["FunctionName"]),
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(configuration.get("MemorySize", 128)),
        "AWS_LAMBDA_FUNCTION_VERSION": str(configuration.get("Version", "$LATEST")),
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "LAMBDA_TASK_ROOT": str(task_root),
        "_HANDLER": str(configuration["Handler"]),
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "FRONTDESK_REHEARSAL_FUNCTION_ARN": str(configuration["FunctionArn"]),
        "FRONTDESK_REHEARSAL_TIMEOUT": str(configuration.get("Timeout", 3)),
        **aws,
    }


def load(lambda_client: Any, function_name: str, *, search_root: Path, work: Path,
         aws: Mapping[str, str]) -> LoadedFunction:
    configuration = lambda_client.get_function_configuration(FunctionName=function_name)
    package = find_package(search_root, configuration["CodeSha256"])
    python = runtime_python(str(configuration["Runtime"]))
    version = str(configuration["Runtime"]).removeprefix("python")
    task_root = work / "task"
    notes = unpack(package, task_root, version, work / "wheels")
    log = work / "function.log"
    with log.open("w") as log_file:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [python, "-I", "-B", str(RUNNER), str(task_root), str(sdk_dir(work / "runtime")),
             str(configuration["Handler"]), str(GUARD)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log_file, text=True,
            env=lambda_environment(configuration, task_root, aws), cwd=task_root)
    assert process.stdout is not None
    first = process.stdout.readline()
    ready = json.loads(first) if first else {"error": _tail(log)}
    if "error" in ready:
        process.kill()
        process.wait()
        process.stdout.close()
        if process.stdin is not None:
            process.stdin.close()
        raise LoadFailed(f"importing {configuration['Handler']} failed: "
                         f"{ready['error'].strip().splitlines()[-1]}")
    return LoadedFunction(process, log, f"{python} ({ready['python']})",
                          float(ready["initSeconds"]), notes)
