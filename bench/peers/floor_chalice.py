"""The floor: bare Chalice + boto3, the same routes, checks written by hand."""
from __future__ import annotations

import re
from typing import Any

from chalice import Chalice, NotFoundError, Response
from shared import EMAIL, ONE_LINE, create_user, get_user, list_users, submit_contact

app = Chalice(app_name="floor")
_one_line, _email = re.compile(ONE_LINE), re.compile(EMAIL)


@app.route("/health")
def health() -> dict[str, Any]:
    return {"ok": True}


@app.route("/users/{user_id}")
def read_user(user_id: str) -> dict[str, Any]:
    user = get_user(user_id)
    if user is None:
        raise NotFoundError("No user has this id.")
    return user


def _problems(body: Any) -> list[dict[str, str]]:
    if not isinstance(body, dict):
        return [{"field": "body", "message": "must be a JSON object"}]
    problems = [{"field": k, "message": "is not a known field"}
                for k in body if k not in ("name", "email", "age")]
    name, email, age = body.get("name"), body.get("email"), body.get("age")
    if not (isinstance(name, str) and 2 <= len(name) <= 100 and _one_line.match(name)):
        problems.append({"field": "name", "message": "must be 2 to 100 characters"})
    if not (isinstance(email, str) and len(email) <= 254 and _email.match(email)):
        problems.append({"field": "email", "message": "must be a valid email address"})
    if age is not None and not (type(age) is int and 18 <= age <= 120):
        problems.append({"field": "age", "message": "must be an integer from 18 to 120"})
    return problems


@app.route("/users", methods=["POST"])
def new_user() -> Response:
    body = app.current_request.json_body
    problems = _problems(body)
    if problems:
        return Response({"error": {"code": "validation_failed", "details": problems}}, status_code=400)
    context = app.current_request.context
    user = create_user(body["name"], body["email"], body.get("age"),
                       context["authorizer"]["claims"], context["requestId"])
    return Response(user, status_code=201, headers={"Location": f"/users/{user['id']}"})


@app.route("/users")
def users() -> dict[str, Any]:
    return list_users((app.current_request.query_params or {}).get("cursor"))




@app.route("/contact", methods=["POST"])
def contact() -> Response:
    """Frontdesk's contact form, checked by hand: name, email and message."""
    body = app.current_request.json_body
    if not isinstance(body, dict):
        return Response({"error": {"code": "bad_request"}}, status_code=400)
    problems = [{"field": k, "message": "is not a known field"}
                for k in body if k not in ("name", "email", "message")]
    name, email, message = body.get("name"), body.get("email"), body.get("message")
    if not (isinstance(name, str) and 1 <= len(name) <= 100 and _one_line.match(name)):
        problems.append({"field": "name", "message": "must be 1 to 100 characters"})
    if not (isinstance(email, str) and len(email) <= 254 and _email.match(email)):
        problems.append({"field": "email", "message": "must be a valid email address"})
    if not (isinstance(message, str) and 1 <= len(message) <= 5000):
        problems.append({"field": "message", "message": "must be 1 to 5000 characters"})
    if problems:
        return Response({"error": {"code": "validation_failed", "details": problems}},
                        status_code=400)
    source_ip = app.current_request.context["identity"]["sourceIp"]
    return Response(submit_contact({"name": name, "email": email, "message": message},
                                   source_ip), status_code=202)


handler = app
