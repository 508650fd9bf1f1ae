"""Run a deployed function's handler as Lambda's Python runtime runs it.

Started by devstack/rehearsal/function.py with the runtime's own Python,
isolated (`-I -B`: no site-packages, no PYTHON* variables, no bytecode
written, as in Lambda's read-only /var/task), and with the function's
environment. Only the standard library is importable until the path is set:
the unpacked package first (/var/task), then the SDK the runtime provides
(boto3, botocore and their dependencies, as /var/runtime does).

Requests are JSON lines on stdin, each answered by one JSON line on the
process's original stdout:
  {"event": {...}}   -> {"result": <what the handler returned>} or {"error": "<traceback>"}
  {"routes": true}   -> {"routes": [{"path", "method", "authorizer", "apiKeyRequired", "role"}]}
Everything the function itself prints (its log lines) goes to stderr.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import time
import traceback
import uuid
from typing import Any


class LambdaContext:
    """The context object's attributes, from the environment Lambda sets."""

    def __init__(self) -> None:
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.invoked_function_arn = os.environ.get("FRONTDESK_REHEARSAL_FUNCTION_ARN", "")
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "rehearsal"
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + float(os.environ.get("FRONTDESK_REHEARSAL_TIMEOUT", "30"))

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def _install_guard(guard_file: str) -> None:
    """devstack/offline.py, loaded by its path: nothing here may reach AWS."""
    spec = importlib.util.spec_from_file_location("_rehearsal_offline", guard_file)
    assert spec is not None and spec.loader is not None
    guard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guard)
    guard.install_no_aws()


def _routes(module: Any) -> list[dict[str, Any]]:
    app = module.app
    return [{"path": path, "method": method,
             "authorizer": entry.authorizer.name if entry.authorizer else None,
             "apiKeyRequired": bool(entry.api_key_required),
             # The role app.py declares beside the route (chalicelib/auth/roles.py).
             "role": str(getattr(entry.view_function, "frontdesk_role", "") or "") or None}
            for path, methods in app.routes.items() for method, entry in methods.items()]


def main() -> None:
    task_root, sdk_dir, handler_name, guard_file = sys.argv[1:5]
    _install_guard(guard_file)
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the function's own prints go to stderr, as log lines
    sys.path[:0] = [task_root, sdk_dir]
    module_name, _, attribute = handler_name.rpartition(".")
    started = time.perf_counter()
    try:
        module = importlib.import_module(module_name)
        handler = getattr(module, attribute)
    except BaseException:
        answers.write(json.dumps({"error": traceback.format_exc()}) + "\n")
        return
    answers.write(json.dumps({"ready": True, "initSeconds": time.perf_counter() - started,
                              "python": sys.version.split()[0]}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if "routes" in request:
                answer: dict[str, Any] = {"routes": _routes(module)}
            else:
                answer = {"result": handler(request["event"], LambdaContext())}
        except Exception:
            answer = {"error": traceback.format_exc()}
        answers.write(json.dumps(answer, default=str) + "\n")


if __name__ == "__main__":
    main()
