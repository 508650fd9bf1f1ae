"""What every peer needs alike: the table, the keys, and the typed-item mapping.

Items are converted the cheapest obvious way, the same for every peer: read
the attributes the response needs from their type tags (`{"S": ...}`,
`{"N": ...}`). boto3's generic TypeDeserializer would cost a peer about 1 µs
an attribute (over 250 µs a page of users), work no bare app needs to do."""
from __future__ import annotations

import base64
import os
import time
import uuid
from typing import Any

import boto3

TABLE = os.environ.get("TABLE_NAME", "frontdesk-dev")
PAGE = 25
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
EMAIL = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"

dynamodb = boto3.session.Session().client("dynamodb")


def user_json(item: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": item["id"]["S"], "name": item["name"]["S"],
                            "email": item["email"]["S"]}
    if "age" in item:
        body["age"] = int(item["age"]["N"])
    body.update(createdAt=item["createdAt"]["S"], updatedAt=item["updatedAt"]["S"],
                version=int(item["version"]["N"]))
    return body


def get_user(user_id: str) -> dict[str, Any] | None:
    item = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": f"USER#{user_id}"},
                                                   "sk": {"S": "USER"}}).get("Item")
    return user_json(item) if item else None


def create_user(name: str, email: str, age: int | None) -> dict[str, Any]:
    user_id = uuid.uuid4().hex.upper()
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    item = {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": "USER"}, "gsi1pk": {"S": "USERS"},
            "gsi1sk": {"S": user_id}, "type": {"S": "user"}, "id": {"S": user_id},
            "name": {"S": name}, "email": {"S": email}, "createdAt": {"S": now},
            "updatedAt": {"S": now}, "version": {"N": "1"}}
    if age is not None:
        item["age"] = {"N": str(age)}
    dynamodb.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": item,
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Put": {"TableName": TABLE, "Item": {
            "pk": {"S": f"EMAIL#{email}"}, "sk": {"S": "EMAIL"}, "userId": {"S": user_id}},
            "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "STATS"}, "sk": {"S": "STATS"}},
                    "UpdateExpression": "ADD #users :one",
                    "ExpressionAttributeNames": {"#users": "users"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
    ])
    return user_json(item)


def list_users(cursor: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {":pk": {"S": "USERS"}}
    condition = "gsi1pk = :pk"
    if cursor:
        condition += " AND gsi1sk < :after"
        values[":after"] = {"S": base64.urlsafe_b64decode(cursor.encode()).decode()}
    items = dynamodb.query(TableName=TABLE, IndexName="gsi1", KeyConditionExpression=condition,
                           ExpressionAttributeValues=values, ScanIndexForward=False,
                           Limit=PAGE + 1)["Items"]
    page = [user_json(item) for item in items[:PAGE]]
    next_cursor = (base64.urlsafe_b64encode(page[-1]["id"].encode()).decode()
                   if len(items) > PAGE else None)
    return {"items": page, "nextCursor": next_cursor}
