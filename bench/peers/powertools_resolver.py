"""Powertools' APIGatewayRestResolver, validating with pydantic."""
from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from pydantic import BaseModel, ConfigDict, Field
from shared import EMAIL, ONE_LINE, create_user, get_user, list_users

app = APIGatewayRestResolver(enable_validation=True)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=2, max_length=100, pattern=ONE_LINE)]
    email: Annotated[str, Field(max_length=254, pattern=EMAIL)]
    age: Annotated[int, Field(ge=18, le=120)] | None = None


@app.get("/health")
def health() -> dict[str, Any]:
    return {"ok": True}


@app.get("/users/<user_id>")
def read_user(user_id: str) -> dict[str, Any]:
    user = get_user(user_id)
    if user is None:
        raise NotFoundError("No user has this id.")
    return user


@app.post("/users")
def new_user(body: UserCreate) -> Response[dict[str, Any]]:
    context = app.current_event.request_context
    user = create_user(body.name, body.email, body.age, context.authorizer.claims,
                       context.request_id)
    return Response(status_code=201, body=user, content_type="application/json",
                    headers={"Location": f"/users/{user['id']}"})


@app.get("/users")
def users() -> dict[str, Any]:
    return list_users(app.current_event.get_query_string_value("cursor"))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
