"""When the stack replaces the table's stream (its view type changed), deploy
moves the stream function's subscription to the new one before `chalice
deploy`, which on its own would keep reading the old, silent stream
(infra/stream_subscription.py)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infra.stream_subscription import move_to_current_stream

OLD = "arn:aws:dynamodb:us-east-1:123456789012:table/frontdesk-dev/stream/2026-01-01T00:00:00.000"
NEW = "arn:aws:dynamodb:us-east-1:123456789012:table/frontdesk-dev/stream/2026-12-07T19:00:00.000"
FUNCTION = {"name": "notify_owner", "resource_type": "lambda_function",
            "lambda_arn": "arn:aws:lambda:us-east-1:123456789012:function:frontdesk-dev-notify_owner"}


class NotFound(Exception):
    pass


class Lambda:
    """The one call made: DeleteEventSourceMapping, on the mappings that exist."""

    class exceptions:  # noqa: N801 (boto3's shape)
        ResourceNotFoundException = NotFound

    def __init__(self, *mappings: str) -> None:
        self.mappings = set(mappings)
        self.deleted: list[str] = []

    def delete_event_source_mapping(self, UUID: str) -> None:  # noqa: N803
        if UUID not in self.mappings:
            raise NotFound(UUID)
        self.mappings.remove(UUID)
        self.deleted.append(UUID)


def recorded(path: Path, stream_arn: str) -> Path:
    path.write_text(json.dumps({"schema_version": "2.0", "resources": [
        FUNCTION, {"name": "notify_owner-dynamodb-event-source", "resource_type": "dynamodb_event",
                   "stream_arn": stream_arn, "event_uuid": "uuid-1",
                   "lambda_arn": FUNCTION["lambda_arn"]}]}))
    return path


def test_a_subscription_to_a_replaced_stream_is_deleted_and_forgotten(tmp_path: Path) -> None:
    deployed, lambda_ = recorded(tmp_path / "dev.json", OLD), Lambda("uuid-1")
    assert move_to_current_stream(lambda_, deployed, NEW) == [OLD]
    assert lambda_.deleted == ["uuid-1"]
    # Chalice then finds no subscription recorded, and makes one to the stream the stack names.
    assert json.loads(deployed.read_text())["resources"] == [FUNCTION]


def test_a_subscription_to_the_current_stream_is_left_alone(tmp_path: Path) -> None:
    deployed, lambda_ = recorded(tmp_path / "dev.json", NEW), Lambda("uuid-1")
    before = deployed.read_text()
    assert move_to_current_stream(lambda_, deployed, NEW) == []
    assert lambda_.deleted == [] and deployed.read_text() == before


def test_a_mapping_already_gone_is_still_forgotten(tmp_path: Path) -> None:
    """A deploy cut short after the delete: the next one finishes the move."""
    deployed, lambda_ = recorded(tmp_path / "dev.json", OLD), Lambda()
    assert move_to_current_stream(lambda_, deployed, NEW) == [OLD]
    assert json.loads(deployed.read_text())["resources"] == [FUNCTION]


def test_a_first_deploy_has_nothing_to_move(tmp_path: Path) -> None:
    assert move_to_current_stream(Lambda(), tmp_path / "none.json", NEW) == []


def test_deploy_moves_the_subscription_before_chalice_deploy_runs() -> None:
    source = (Path(__file__).parents[2] / "infra" / "deploy.py").read_text()
    assert source.index("move_to_current_stream(") < source.index('chalice(["deploy"')


def test_the_app_subscribes_from_the_stream_s_start(frontdesk_app: Any) -> None:
    """A subscription made anew reads what the new stream got before it existed."""
    (handler,) = [h for h in frontdesk_app.event_sources if h.name == "notify_owner"]
    assert handler.starting_position == "TRIM_HORIZON"
