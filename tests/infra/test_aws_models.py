"""The service models the function ships (chalicelib/platform/aws_models, written
by infra/aws_models.py): botocore's own, for the operations the code calls."""
from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.platform.aws import MODELS_DIR, SERVICES, aws_session
from infra import aws_models


def shipped_model(service: str) -> dict[str, Any]:
    (path,) = (MODELS_DIR / service).glob("*/service-2.json")
    model: dict[str, Any] = json.loads(path.read_text())
    return model


def test_the_shipped_files_are_what_the_generator_writes_now() -> None:
    expected = {path.as_posix(): aws_models.serialized(model)
                for path, model in aws_models.shipped().items()}
    found = {path.relative_to(MODELS_DIR).as_posix(): path.read_text()
             for path in MODELS_DIR.rglob("*.json")}
    assert found.keys() == expected.keys()
    stale = sorted(name for name in found if found[name] != expected[name])
    assert not stale, f"{stale}: out of date, run `make aws-models` and commit the result"


def test_the_services_shipped_are_those_the_clients_are_built_for() -> None:
    assert aws_models.SERVICES == SERVICES


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_the_code_calls_is_shipped(service: str) -> None:
    called = aws_models.operations_called()[service]
    assert called, f"no {service} call found: is the client still used?"
    assert set(called) <= set(shipped_model(service)["operations"])


@pytest.mark.parametrize("service", SERVICES)
def test_a_shipped_model_is_the_full_model_for_its_operations(service: str) -> None:
    full = aws_models._without_documentation(aws_models.full_model(service))
    shipped = shipped_model(service)
    assert {k: v for k, v in shipped.items() if k not in ("operations", "shapes")} == \
        {k: v for k, v in full.items() if k not in ("operations", "shapes")}
    for name, operation in shipped["operations"].items():
        assert operation == full["operations"][name], name
    for name, shape in shipped["shapes"].items():
        assert shape == full["shapes"][name], name
    # Nothing an operation reaches is missing: botocore resolves each shape lazily,
    # so a missing one would fail only when a call used it.
    assert set(shipped["shapes"]) == aws_models.reached_shapes(full, shipped["operations"])


def test_the_clients_see_the_same_operations_as_with_the_full_models() -> None:
    """botocore's own view (ServiceModel), input and output, of each operation."""
    from botocore.session import get_session

    full_session, shipped_session = get_session(), aws_session("us-east-1")
    for service in SERVICES:
        full = full_session.get_service_model(service)
        trimmed = shipped_session.get_service_model(service)
        assert set(trimmed.operation_names) < set(full.operation_names)
        for name in trimmed.operation_names:
            ours, theirs = trimmed.operation_model(name), full.operation_model(name)
            for side in ("input_shape", "output_shape"):
                assert _described(getattr(ours, side)) == _described(getattr(theirs, side))
            assert [e.name for e in ours.error_shapes] == [e.name for e in theirs.error_shapes]


def _described(shape: Any, depth: int = 0) -> Any:
    if shape is None or depth > 12:
        return None
    described: dict[str, Any] = {"name": shape.name, "type": shape.type_name,
                                 "metadata": shape.metadata}
    if shape.type_name == "structure":
        described["members"] = {k: _described(v, depth + 1) for k, v in shape.members.items()}
    elif shape.type_name == "list":
        described["member"] = _described(shape.member, depth + 1)
    elif shape.type_name == "map":
        described["key"] = _described(shape.key, depth + 1)
        described["value"] = _described(shape.value, depth + 1)
    return described


def test_the_shipped_endpoints_are_botocores_for_these_services_in_every_partition() -> None:
    full = aws_models.full_endpoints()
    shipped = json.loads((MODELS_DIR / "endpoints.json").read_text())
    prefixes = {aws_models.full_model(s)["metadata"]["endpointPrefix"] for s in SERVICES}
    assert [p["partition"] for p in shipped["partitions"]] == \
        [p["partition"] for p in full["partitions"]]
    for ours, theirs in zip(shipped["partitions"], full["partitions"], strict=True):
        assert {k: v for k, v in ours.items() if k != "services"} == \
            {k: v for k, v in theirs.items() if k != "services"}
        assert ours["services"] == {k: v for k, v in theirs["services"].items() if k in prefixes}


def test_a_shipped_client_resolves_the_regional_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SES",
                 "AWS_ENDPOINT_URL_SSM"):
        monkeypatch.delenv(name, raising=False)
    session = aws_session("eu-west-1")
    expected = {"dynamodb": "https://dynamodb.eu-west-1.amazonaws.com",
                "ses": "https://email.eu-west-1.amazonaws.com",
                "ssm": "https://ssm.eu-west-1.amazonaws.com"}
    for service, url in expected.items():
        client = session.create_client(service, aws_access_key_id="test",
                                       aws_secret_access_key="test")
        assert client.meta.endpoint_url == url


def test_the_models_folder_holds_only_json() -> None:
    # Chalice zips chalicelib whole: nothing else belongs in the function's data path.
    assert {p.suffix for p in MODELS_DIR.rglob("*") if p.is_file()} == {".json"}
