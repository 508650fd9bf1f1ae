"""The one DynamoDB table every entity lives in (single-table design).

Attribute names are generic on purpose: each entity puts its own values in
pk/sk and in the GSI keys it needs. See docs/data-model.md for the access
patterns and which key serves each. The resources stack (infra/) and the local
stack create the table from this definition.
"""
from __future__ import annotations

from typing import Any

PK, SK = "pk", "sk"
GSI1, GSI1_PK, GSI1_SK = "gsi1", "gsi1pk", "gsi1sk"
GSI2, GSI2_PK, GSI2_SK = "gsi2", "gsi2pk", "gsi2sk"
TTL_ATTRIBUTE = "expiresAt"


def _index(name: str, pk: str, sk: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"},
                      {"AttributeName": sk, "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"},
    }


def table_definition(table_name: str) -> dict[str, Any]:
    """Keyword arguments for DynamoDB CreateTable (on-demand billing)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in (PK, SK, GSI1_PK, GSI1_SK, GSI2_PK, GSI2_SK)
        ],
        "KeySchema": [{"AttributeName": PK, "KeyType": "HASH"},
                      {"AttributeName": SK, "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [_index(GSI1, GSI1_PK, GSI1_SK), _index(GSI2, GSI2_PK, GSI2_SK)],
        # New contact messages reach the notifier through the stream.
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    }
