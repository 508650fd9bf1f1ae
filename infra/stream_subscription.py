"""The stream function's subscription, moved to the table's new stream when the
stack replaced it.

Changing the table's StreamViewType (NEW_IMAGE -> NEW_AND_OLD_IMAGES, which
the counting of messages TTL deletes needs: chalicelib/contact/expired.py)
makes DynamoDB disable the stream and enable a new one, with a new ARN; the
old one is kept, readable and silent, for 24 hours. `chalice deploy` does not
notice: it judges its event source mapping current when the mapping still
reads the stream Chalice recorded (chalice/deploy/planner.py,
`verify_event_source_arn_current`), which it does, the old one. The function
would then hear nothing more: no first attempt of a delivery (the schedule
still sends them, minutes late) and no message that TTL deleted.

So before `chalice deploy`, each mapping Chalice recorded for a stream other
than the table's current one is deleted and taken out of the record; Chalice
then subscribes the function to the stream the stack names, from its start
(TRIM_HORIZON, app.py), so the records written since the stack changed the
stream are read too. Once done, every later deploy finds the two the same and
does nothing here.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RECORDED_TYPE = "dynamodb_event"


def stale_subscriptions(deployed: Path, stream_arn: str) -> list[dict[str, Any]]:
    """The stream subscriptions the record names for a stream that is not `stream_arn`."""
    if not deployed.exists():
        return []
    resources = json.loads(deployed.read_text()).get("resources", [])
    return [r for r in resources
            if r.get("resource_type") == RECORDED_TYPE and r.get("stream_arn") != stream_arn]


def move_to_current_stream(lambda_: Any, deployed: Path, stream_arn: str) -> list[str]:
    """Delete the mappings to an old stream and forget them, so `chalice deploy`
    subscribes to `stream_arn`; returns the old streams' ARNs."""
    stale = stale_subscriptions(deployed, stream_arn)
    if not stale:
        return []
    for subscription in stale:
        try:
            lambda_.delete_event_source_mapping(UUID=subscription["event_uuid"])
        except lambda_.exceptions.ResourceNotFoundException:
            pass  # deleted by hand, or by a deploy cut short after this step
    record = json.loads(deployed.read_text())
    gone = {s["name"] for s in stale}
    record["resources"] = [r for r in record["resources"]
                           if not (r.get("resource_type") == RECORDED_TYPE and r["name"] in gone)]
    deployed.write_text(json.dumps(record, indent=2) + "\n")
    return [str(s["stream_arn"]) for s in stale]
