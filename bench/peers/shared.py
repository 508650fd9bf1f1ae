"""What every peer needs alike: the table, the keys, and the typed-item mapping.

Items are converted the cheapest obvious way, the same for every peer: read
the attributes the response needs from their type tags (`{"S": ...}`,
`{"N": ...}`). boto3's generic TypeDeserializer would cost a peer about 1 µs
an attribute (over 250 µs a page of users), work no bare app needs to do.

A create writes what Frontdesk's does, in one transaction of the same four
parts: the user (with its keys among its address's records), the email
claim, a counter shard, and the audit entry naming who created it (the
caller's `sub` and email from the authorizer's claims) and in which request
(issue 25: every admin write is audited)."""
from __future__ import annotations

import base64
import hashlib
import os
import random
import time
import uuid
from typing import Any

import boto3

TABLE = os.environ.get("TABLE_NAME", "frontdesk-dev")
PAGE = 25
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
AUDIT_DAYS = 400  # how long Frontdesk keeps an audit entry
COUNTER_SHARDS = 10
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


def _new(item: dict[str, Any]) -> dict[str, Any]:
    return {"Put": {"TableName": TABLE, "Item": item, "ConditionExpression":
                    "attribute_not_exists(#pk)", "ExpressionAttributeNames": {"#pk": "pk"}}}


def create_user(name: str, email: str, age: int | None, claims: dict[str, Any],
                request_id: str) -> dict[str, Any]:
    """The user, its email claim, a counter and the audit entry, in one
    transaction; `claims` are the caller's (API Gateway's authorizer's)."""
    user_id, entry_id = uuid.uuid4().hex.upper(), uuid.uuid4().hex.upper()
    written = time.time()
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(written))
    sender = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    item = {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": "USER"}, "gsi1pk": {"S": "USERS"},
            "gsi1sk": {"S": user_id}, "gsi3pk": {"S": f"SENDER#{sender}"},
            "gsi3sk": {"S": f"USER#{user_id}"}, "type": {"S": "user"}, "id": {"S": user_id},
            "name": {"S": name}, "email": {"S": email}, "createdAt": {"S": now},
            "updatedAt": {"S": now}, "version": {"N": "1"}}
    if age is not None:
        item["age"] = {"N": str(age)}
    sub, action = str(claims["sub"]), "user.create"
    actor: dict[str, Any] = {"sub": {"S": sub}}
    actor["email"] = {"S": str(claims["email"])} if claims.get("email") else {"NULL": True}
    fields = "name, email, age" if age is not None else "name, email"
    dynamodb.transact_write_items(TransactItems=[
        _new(item),
        _new({"pk": {"S": f"EMAIL#{email}"}, "sk": {"S": "EMAIL"}, "type": {"S": "emailClaim"},
              "userId": {"S": user_id}}),
        {"Update": {"TableName": TABLE, "Key": {
            "pk": {"S": f"STATS#{random.randrange(COUNTER_SHARDS)}"}, "sk": {"S": "STATS"}},
                    "UpdateExpression": "ADD #users :one",
                    "ExpressionAttributeNames": {"#users": "users"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        _new({"pk": {"S": f"AUDIT#{action}#{sub}"}, "sk": {"S": entry_id},
              "gsi1pk": {"S": "AUDIT"}, "gsi1sk": {"S": entry_id},
              "gsi2pk": {"S": f"AUDITACTOR#{sub}"}, "gsi2sk": {"S": entry_id},
              "gsi3pk": {"S": f"AUDITACTION#{action}"}, "gsi3sk": {"S": entry_id},
              "type": {"S": "audit"}, "id": {"S": entry_id}, "at": {"S": now},
              "actor": {"M": actor}, "action": {"S": action},
              "target": {"M": {"type": {"S": "user"}, "id": {"S": user_id}}},
              "requestId": {"S": request_id},
              "summary": {"S": f"created: version 1, fields {fields}"},
              "expiresAt": {"N": str(int(written) + AUDIT_DAYS * 86_400)}}),
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


# POST /contact as Frontdesk's contact form takes it (bench/first_contact.py).
CONTACT_FIELDS = (("name", "Name", "text"), ("email", "Email", "email"),
                  ("message", "Message", "textarea"))
MESSAGE_DAYS = 365  # how long Frontdesk keeps a message
RATE_LIMIT, RATE_WINDOW = 5, 600  # contact posts per client and window (seconds)


def submit_contact(values: dict[str, str], source_ip: str) -> dict[str, str]:
    """What Frontdesk's POST /contact asks of DynamoDB, in the same calls: the
    form's definition and the spam rules read (the floor reads both and, with
    neither stored, takes the built-in form and no rules, as Frontdesk does),
    then one transaction storing the message, its owner notification, the
    counters and the client's rate-limit charge (conditional: RateExceeded
    when the window is full, as a ConditionalCheckFailed)."""
    for key in ({"pk": {"S": "FORMS"}, "sk": {"S": "FORM#contact"}},
                {"pk": {"S": "SPAMRULES"}, "sk": {"S": "SPAMRULES"}}):
        dynamodb.get_item(TableName=TABLE, Key=key, ConsistentRead=True)
    message_id = uuid.uuid4().hex.upper()
    written = time.time()
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(written))
    expires = {"N": str(int(written) + MESSAGE_DAYS * 86_400)}
    fields = {"L": [{"M": {"name": {"S": name}, "label": {"S": label}, "type": {"S": kind},
                           "value": {"S": values[name]}}} for name, label, kind in CONTACT_FIELDS]}
    sender = hashlib.sha256(values["email"].lower().encode()).hexdigest()[:32]
    window = int(written // RATE_WINDOW) * RATE_WINDOW
    client = hashlib.sha256(source_ip.encode()).hexdigest()[:32]
    dynamodb.transact_write_items(TransactItems=[
        _new({"pk": {"S": f"MSG#{message_id}"}, "sk": {"S": "DELIVERY#notification"},
              "type": {"S": "delivery"}, "kind": {"S": "notification"}, "id": {"S": message_id},
              "record": {"S": "MSG"}, "status": {"S": "pending"}, "attempts": {"N": "0"},
              "nextAt": {"S": now}, "createdAt": {"S": now},
              "payload": {"M": {"id": {"S": message_id}, "name": {"S": values["name"]},
                                "email": {"S": values["email"]},
                                "message": {"S": values["message"]}, "createdAt": {"S": now},
                                "formId": {"S": "contact"}, "formName": {"S": "Contact"},
                                "fields": fields}},
              "gsi2pk": {"S": "DUE#notification"}, "gsi2sk": {"S": f"{now}#{message_id}"},
              "expiresAt": expires}),
        _new({"pk": {"S": f"MSG#{message_id}"}, "sk": {"S": "MSG"},
              "gsi1pk": {"S": "MSGS#new"}, "gsi1sk": {"S": message_id},
              "gsi2pk": {"S": "FORMMSGS#contact#new"}, "gsi2sk": {"S": message_id},
              "gsi3pk": {"S": f"SENDER#{sender}"}, "gsi3sk": {"S": f"new#{message_id}"},
              "type": {"S": "message"}, "id": {"S": message_id}, "name": {"S": values["name"]},
              "email": {"S": values["email"]}, "message": {"S": values["message"]},
              "status": {"S": "new"}, "createdAt": {"S": now}, "updatedAt": {"S": now},
              "replyCount": {"N": "0"}, "notifyStatus": {"S": "pending"},
              "notifyAttempts": {"N": "0"}, "notifyNextAt": {"S": now},
              "formId": {"S": "contact"}, "fields": fields, "formName": {"S": "Contact"},
              "expiresAt": expires}),
        {"Update": {"TableName": TABLE, "Key": {
            "pk": {"S": f"STATS#{random.randrange(COUNTER_SHARDS)}"}, "sk": {"S": "STATS"}},
                    "UpdateExpression": "ADD #new :one, #pending :one",
                    "ExpressionAttributeNames": {"#new": "messagesNew",
                                                 "#pending": "notificationsPending"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Update": {"TableName": TABLE, "Key": {
            "pk": {"S": f"RATE#{client}#{window}"}, "sk": {"S": "RATE"}},
                    "UpdateExpression": "SET #expires = :expires ADD #count :one",
                    "ConditionExpression": "attribute_not_exists(#count) OR #count < :limit",
                    "ExpressionAttributeNames": {"#expires": "expiresAt", "#count": "count"},
                    "ExpressionAttributeValues": {
                        ":expires": {"N": str(window + RATE_WINDOW + 60)}, ":one": {"N": "1"},
                        ":limit": {"N": str(RATE_LIMIT)}}}},
    ])
    return {"id": message_id, "status": "received"}
