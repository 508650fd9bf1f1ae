"""The one DynamoDB table every entity lives in (single-table design).

Attribute names are generic on purpose: each entity puts its own values in
pk/sk and in the GSI keys it needs. See docs/data-model.md for the access
patterns and which key serves each. The table itself is defined once, in
infra/resources.yaml (tests/infra/test_resources_template.py holds its keys and
indexes to these names).
"""
from __future__ import annotations

PK, SK = "pk", "sk"
GSI1, GSI1_PK, GSI1_SK = "gsi1", "gsi1pk", "gsi1sk"
GSI2, GSI2_PK, GSI2_SK = "gsi2", "gsi2pk", "gsi2sk"
GSI3, GSI3_PK, GSI3_SK = "gsi3", "gsi3pk", "gsi3sk"
TTL_ATTRIBUTE = "expiresAt"
