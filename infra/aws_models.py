"""The AWS service models the function ships: botocore's own, trimmed to the
operations the function's code calls, written to chalicelib/platform/aws_models/
where the function's clients read them first (chalicelib/platform/aws.py).

A DynamoDB client reads DynamoDB's whole model when it is created: 50 operations
and their documentation, about 8 ms of every cold start on the bench machine
for the 6 operations Frontdesk calls. The operations are found in the code
(every `client.<operation>(` in app.py and chalicelib whose name is one of the
service's operations), so a new call needs only `make aws-models`; a test holds
the shipped models to what this would write now.

A trimmed model is the full one with only those operations, only the shapes
they reach, and no documentation: every operation, shape and metadata field it
keeps is botocore's, unchanged.

Beside them, botocore's endpoints.json (every partition and region, for over
400 services: 1.2 MB, about 24 ms of a cold start to read) with only these
services' entries. Where endpoints.json is not botocore's own, botocore hands
the endpoint that file gives (the service's regional endpoint) to the
service's endpoint rules instead of letting them choose: for DynamoDB that
leaves out the account-based endpoints, which it would use only with
credentials that carry an account id (a Lambda function's do not).
docs/architecture.md, "Cold start", has the trade-off.

    python -m infra.aws_models           # rewrite chalicelib/platform/aws_models/
"""
from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from infra.stages import PROJECT_DIR

MODELS_DIR = PROJECT_DIR / "chalicelib" / "platform" / "aws_models"
# The services the function's clients are built for (chalicelib/platform/aws.py).
SERVICES = ("dynamodb", "ses", "ssm", "s3")
# Client methods that are no operation but need one's model: botocore resolves
# a presigned POST's endpoint through S3's CreateBucket (botocore/signers.py).
IMPLIED_OPERATIONS = {"generate_presigned_post": ("s3", "CreateBucket")}
# Prose for people, never read by a client; dropped from what is shipped.
DOCUMENTATION_KEYS = frozenset({"documentation", "documentationUrl"})


def full_model(service: str) -> dict[str, Any]:
    """botocore's own model of `service`, from its data folder only."""
    from botocore.loaders import Loader

    model: dict[str, Any] = Loader(include_default_search_paths=True).load_service_model(
        service, "service-2")
    return model


def code_files(root: Path = PROJECT_DIR) -> Iterator[Path]:
    yield root / "app.py"
    yield from sorted((root / "chalicelib").rglob("*.py"))


def operations_called(services: Iterable[str] = SERVICES,
                      root: Path = PROJECT_DIR) -> dict[str, list[str]]:
    """Per service, the operations the code calls by their client method names."""
    from botocore import xform_name

    by_method: dict[str, list[tuple[str, str]]] = {}
    for service in services:
        for operation in full_model(service)["operations"]:
            by_method.setdefault(xform_name(operation), []).append((service, operation))
    called: dict[str, set[str]] = {service: set() for service in services}
    for path in code_files(root):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                for service, operation in by_method.get(node.func.attr, ()):
                    called[service].add(operation)
                implied = IMPLIED_OPERATIONS.get(node.func.attr)
                if implied is not None and implied[0] in called:
                    called[implied[0]].add(implied[1])
    return {service: sorted(operations) for service, operations in called.items()}


# Kept whole: botocore reads each client context parameter's documentation
# when it resolves an endpoint (S3's, botocore/model.py).
KEPT_WHOLE = frozenset({"clientContextParams"})


def _without_documentation(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v if k in KEPT_WHOLE else _without_documentation(v)
                for k, v in value.items() if k not in DOCUMENTATION_KEYS}
    if isinstance(value, list):
        return [_without_documentation(v) for v in value]
    return value


def _references(shape: dict[str, Any]) -> Iterator[str]:
    for member in shape.get("members", {}).values():
        yield member["shape"]
    for key in ("member", "key", "value"):
        if key in shape:
            yield shape[key]["shape"]


def reached_shapes(model: dict[str, Any], operations: Iterable[str]) -> set[str]:
    """Every shape the operations' inputs, outputs and errors reach."""
    pending: list[str] = []
    for name in operations:
        operation = model["operations"][name]
        pending += [operation[key]["shape"] for key in ("input", "output") if key in operation]
        pending += [error["shape"] for error in operation.get("errors", ())]
    reached: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending += _references(model["shapes"][name])
    return reached


def trimmed(model: dict[str, Any], operations: Iterable[str]) -> dict[str, Any]:
    kept = sorted(operations)
    shapes = reached_shapes(model, kept)
    result = {k: v for k, v in model.items() if k not in ("operations", "shapes")}
    result["operations"] = {name: model["operations"][name] for name in kept}
    result["shapes"] = {name: model["shapes"][name] for name in sorted(shapes)}
    return dict(_without_documentation(result))


def api_version(model: dict[str, Any]) -> str:
    return str(model["metadata"]["apiVersion"])


def full_endpoints() -> dict[str, Any]:
    from botocore.loaders import Loader

    endpoints: dict[str, Any] = Loader().load_data("endpoints")
    return endpoints


def trimmed_endpoints(endpoints: dict[str, Any], prefixes: Iterable[str]) -> dict[str, Any]:
    """endpoints.json with only the services of these endpoint prefixes, in every partition."""
    kept = set(prefixes)
    partitions = [{**partition, "services": {name: service for name, service
                                             in partition["services"].items() if name in kept}}
                  for partition in endpoints["partitions"]]
    return {**endpoints, "partitions": partitions}


def shipped() -> dict[Path, dict[str, Any]]:
    """What MODELS_DIR should hold: path relative to it -> the model."""
    files = {}
    for service, operations in operations_called().items():
        model = full_model(service)
        files[Path(service) / api_version(model) / "service-2.json"] = trimmed(model, operations)
    prefixes = [full_model(service)["metadata"]["endpointPrefix"] for service in SERVICES]
    files[Path("endpoints.json")] = trimmed_endpoints(full_endpoints(), prefixes)
    return files


def serialized(model: dict[str, Any]) -> str:
    return json.dumps(model, separators=(",", ":"), sort_keys=False) + "\n"


def write(target: Path = MODELS_DIR) -> list[Path]:
    written = []
    for relative, model in shipped().items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(serialized(model))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path.relative_to(PROJECT_DIR)} ({path.stat().st_size:,} bytes)")
