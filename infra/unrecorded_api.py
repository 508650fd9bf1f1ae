"""A stage's REST API that `chalice deploy` created but never recorded, found again.

Chalice imports a new REST API unless `.chalice/deployed/<stage>.json` names one
that still exists (its planner, `_plan_restapi`), and it writes that record only
when a deploy succeeds. A deploy that fails after ImportRestApi so leaves an API
no record names, and the next deploy would import a second one. Roles and
functions have no such problem: Chalice finds them again by name. An API's name
is not enough (every stage's API is named after the app), so the stage's API is
known by what it invokes: the stage's API function, which Chalice names
`<app>-<stage>`. Once written into the record, Chalice updates that API in place,
and `chalice delete` deletes it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# What Chalice writes around its resources (chalice/deploy/deployer.py).
RECORD_FIELDS = {"schema_version": "2.0", "backend": "api"}


def invokes(integration: dict[str, Any] | None, function_name: str) -> bool:
    """An API Gateway integration calling that Lambda function."""
    return f":function:{function_name}/invocations" in str((integration or {}).get("uri", ""))


def _invokes_function(apigateway: Any, api_id: str, function_name: str) -> bool:
    resources = apigateway.get_resources(restApiId=api_id, limit=500, embed=["methods"])["items"]
    for resource in resources:
        for method, details in resource.get("resourceMethods", {}).items():
            integration = (details or {}).get("methodIntegration")
            if integration is None:  # not embedded: ask for it
                try:
                    integration = apigateway.get_integration(
                        restApiId=api_id, resourceId=resource["id"], httpMethod=method)
                except apigateway.exceptions.NotFoundException:
                    continue
            if invokes(integration, function_name):
                return True
    return False


def stage_apis(apigateway: Any, app_name: str, function_name: str) -> list[str]:
    """The ids of the REST APIs named after the app that invoke the stage's
    function, newest first."""
    candidates = [api for page in apigateway.get_paginator("get_rest_apis").paginate()
                  for api in page.get("items", []) if api.get("name") == app_name]
    candidates.sort(key=lambda api: api["createdDate"], reverse=True)
    return [str(api["id"]) for api in candidates
            if _invokes_function(apigateway, str(api["id"]), function_name)]


def record(path: Path, api_id: str, api_url: str) -> None:
    """Name the API in Chalice's record, as Chalice itself would have."""
    recorded: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {
        "resources": [], **RECORD_FIELDS}
    recorded["resources"] = [r for r in recorded["resources"]
                             if r.get("resource_type") != "rest_api"]
    recorded["resources"].append({"name": "rest_api", "resource_type": "rest_api",
                                  "rest_api_id": api_id, "rest_api_url": api_url})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(recorded, indent=2) + "\n")
