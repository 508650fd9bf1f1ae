"""Resources moto cannot model at all are created as recorded stand-ins: the
stack has them (Ref and GetAtt answer, DescribeStackResources lists them) and
their properties are kept here, so a test can read what would have been
created. docs/development.md lists each type."""
from __future__ import annotations

from typing import Any

from devstack.cloudformation.base import StackResource

# physical id -> (type, properties), for every stand-in alive in this process.
RECORDED: dict[str, tuple[str, dict[str, Any]]] = {}


class StandIn(StackResource):
    @classmethod
    def record(cls, physical_id: str, properties: dict[str, Any]) -> dict[str, Any]:
        RECORDED[physical_id] = (cls.TYPE, properties)
        return properties

    def change(self, properties: dict[str, Any]) -> Any:
        RECORDED[self.physical_id] = (self.TYPE, properties)
        self.properties = properties
        return self

    def remove(self) -> None:
        RECORDED.pop(self.physical_id, None)
