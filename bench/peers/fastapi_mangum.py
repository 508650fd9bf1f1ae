"""FastAPI behind Mangum, with pydantic models."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Request
from mangum import Mangum
from pydantic import BaseModel, ConfigDict, Field
from shared import EMAIL, ONE_LINE, create_user, get_user, list_users

app = FastAPI()


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=2, max_length=100, pattern=ONE_LINE)]
    email: Annotated[str, Field(max_length=254, pattern=EMAIL)]
    age: Annotated[int, Field(ge=18, le=120)] | None = None


@app.get("/health")
def health() -> dict[str, Any]:
    return {"ok": True}


@app.get("/users/{user_id}")
def read_user(user_id: str) -> dict[str, Any]:
    user = get_user(user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="No user has this id.")
    return user


@app.post("/users", status_code=201)
def new_user(body: UserCreate, request: Request) -> dict[str, Any]:
    context = request.scope["aws.event"]["requestContext"]  # Mangum's: the API Gateway event
    return create_user(body.name, body.email, body.age, context["authorizer"]["claims"],
                       context["requestId"])


@app.get("/users")
def users(cursor: str | None = None) -> dict[str, Any]:
    return list_users(cursor)


handler = Mangum(app, lifespan="off")
