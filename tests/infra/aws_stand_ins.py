"""Stand-ins for what deploy gets from elsewhere: the REST API `chalice deploy`
would create (moto cannot import Chalice's swagger, so we build a small one
through the API Gateway calls), and a usage plan (moto's CloudFormation has no
usage plans, so we create it directly as the stack would)."""
from __future__ import annotations

from typing import Any


def create_rest_api(apigateway: Any, stage: str = "api", api_id: str | None = None,
                    function_arn: str | None = None) -> str:
    """`function_arn`: /health invokes it, as Chalice's routes invoke its API
    function; without it, /health is a mock."""
    # moto takes a wanted id from this tag, so a test can know the API's address in advance.
    tags = {"_custom_id_": api_id} if api_id else {}
    api_id = str(apigateway.create_rest_api(name="frontdesk", tags=tags)["id"])
    root = apigateway.get_resources(restApiId=api_id)["items"][0]["id"]
    health = apigateway.create_resource(restApiId=api_id, parentId=root, pathPart="health")["id"]
    apigateway.put_method(restApiId=api_id, resourceId=health, httpMethod="GET",
                          authorizationType="NONE")
    if function_arn is None:
        apigateway.put_integration(restApiId=api_id, resourceId=health, httpMethod="GET",
                                   type="MOCK")
    else:
        region = apigateway.meta.region_name
        apigateway.put_integration(
            restApiId=api_id, resourceId=health, httpMethod="GET", type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
                f"{function_arn}/invocations")
    apigateway.create_deployment(restApiId=api_id, stageName=stage)
    return api_id


def create_usage_plan(apigateway: Any, name: str) -> str:
    return str(apigateway.create_usage_plan(
        name=name, throttle={"rateLimit": 5.0, "burstLimit": 10},
        quota={"limit": 5000, "period": "DAY"})["id"])
