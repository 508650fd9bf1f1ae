"""API Gateway (REST, Lambda proxy) events as the deployed API sends them to the
function, and the Cognito authorizer's claims as API Gateway passes them on."""
from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

# Claims API Gateway passes as dates, not numbers (CHALICE-NOTES, "Claims differ in type").
DATE_CLAIMS = ("exp", "iat", "auth_time")


def token_payload(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def gateway_claims(id_token: str) -> dict[str, str]:
    """The ID token's claims as a Cognito authorizer hands them to the function:
    every value a string; a list joined with commas; times as dates."""
    claims = {}
    for name, value in token_payload(id_token).items():
        if name in DATE_CLAIMS and isinstance(value, int):
            claims[name] = datetime.fromtimestamp(value, UTC).strftime(
                "%a %b %d %H:%M:%S UTC %Y")
        elif isinstance(value, list):
            claims[name] = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            claims[name] = "true" if value else "false"
        else:
            claims[name] = str(value)
    return claims


def api_event(api_url: str, method: str, resource: str, path: str, *, origin: str,
              body: Any = None, path_parameters: dict[str, str] | None = None,
              claims: dict[str, str] | None = None, id_token: str | None = None,
              source_ip: str = "198.51.100.7",
              query: dict[str, str] | None = None) -> dict[str, Any]:
    """`resource` is the route as declared (`/users/{user_id}`), `path` the request's."""
    address = urlsplit(api_url)
    stage = address.path.strip("/")
    headers = {"Host": address.netloc, "Accept": "application/json", "Origin": origin,
               "User-Agent": "frontdesk-rehearsal", "X-Forwarded-For": source_ip,
               "X-Forwarded-Proto": "https"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    if id_token is not None:
        headers["Authorization"] = f"Bearer {id_token}"
    context: dict[str, Any] = {
        "resourcePath": resource, "httpMethod": method, "path": f"/{stage}{path}", "stage": stage,
        "requestId": str(uuid.uuid4()), "apiId": address.netloc.split(".")[0],
        "domainName": address.netloc,
        "identity": {"sourceIp": source_ip, "userAgent": headers["User-Agent"]}}
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    return {
        "resource": resource, "path": path, "httpMethod": method, "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters, "stageVariables": None, "requestContext": context,
        "body": None if body is None else json.dumps(body), "isBase64Encoded": False,
    }
