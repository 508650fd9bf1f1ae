"""The local AWS imports the Swagger 2.0 document `chalice deploy` imports, as
API Gateway does (devstack/moto_apigateway.py): authorizers from the security
definitions, each method's authorization and API key, overwrite replacing the
whole definition."""
from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from chalice import Chalice, CognitoUserPoolAuthorizer
from chalice.deploy.swagger import SwaggerGenerator

REGION = "us-east-1"
POOL_ARN = f"arn:aws:cognito-idp:{REGION}:123456789012:userpool/{REGION}_Pool1"
HANDLER_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:demo"


def chalice_swagger(with_authorizer: bool = True) -> dict[str, Any]:
    """What `chalice deploy` imports for a small app shaped like Frontdesk's."""
    app = Chalice(app_name="demo")
    users = CognitoUserPoolAuthorizer("demo-users", provider_arns=[POOL_ARN])

    @app.route("/health", methods=["GET"])
    def health() -> dict[str, Any]:
        return {}

    if with_authorizer:
        @app.route("/users/{user_id}", methods=["GET", "PATCH"], authorizer=users)
        def user(user_id: str) -> dict[str, Any]:
            return {}

    @app.route("/service/users", methods=["POST"], api_key_required=True)
    def service_users() -> dict[str, Any]:
        return {}

    generator = SwaggerGenerator(REGION, {"api_handler_arn": HANDLER_ARN})
    return generator.generate_swagger(app)


@pytest.fixture
def apigateway(local_aws: Any) -> Any:
    return local_aws.session.client("apigateway")


def imported(apigateway: Any, document: dict[str, Any]) -> str:
    return str(apigateway.import_rest_api(body=json.dumps(document))["id"])


def methods(apigateway: Any, api_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for resource in apigateway.get_resources(restApiId=api_id, limit=500)["items"]:
        for method in resource.get("resourceMethods", {}):
            found[resource["path"], method] = apigateway.get_method(
                restApiId=api_id, resourceId=resource["id"], httpMethod=method)
    return found


def test_chalice_s_swagger_2_document_is_imported_without_a_description(apigateway: Any) -> None:
    document = chalice_swagger()
    assert document["swagger"] == "2.0" and "description" not in document["info"]

    api_id = imported(apigateway, document)

    assert apigateway.get_rest_api(restApiId=api_id)["name"] == "demo"
    assert set(methods(apigateway, api_id)) == {
        ("/health", "GET"), ("/users/{user_id}", "GET"), ("/users/{user_id}", "PATCH"),
        ("/service/users", "POST")}


def test_the_cognito_authorizer_is_created_from_the_security_definitions(apigateway: Any) -> None:
    api_id = imported(apigateway, chalice_swagger())

    [authorizer] = apigateway.get_authorizers(restApiId=api_id)["items"]

    assert authorizer["name"] == "demo-users"
    assert authorizer["type"] == "COGNITO_USER_POOLS"
    assert authorizer["providerARNs"] == [POOL_ARN]
    assert authorizer["identitySource"] == "method.request.header.Authorization"


def test_each_method_carries_its_authorization_and_api_key(apigateway: Any) -> None:
    api_id = imported(apigateway, chalice_swagger())
    [authorizer] = apigateway.get_authorizers(restApiId=api_id)["items"]

    found = methods(apigateway, api_id)

    for method in ("GET", "PATCH"):
        user = found["/users/{user_id}", method]
        assert (user["authorizationType"], user["authorizerId"]) == \
            ("COGNITO_USER_POOLS", authorizer["id"])
        assert user["apiKeyRequired"] is False
        assert user["requestParameters"] == {"method.request.path.user_id": True}
    service = found["/service/users", "POST"]
    assert (service["authorizationType"], service["apiKeyRequired"]) == ("NONE", True)
    health = found["/health", "GET"]
    assert (health["authorizationType"], health["apiKeyRequired"]) == ("NONE", False)
    assert "authorizerId" not in health


def test_each_method_has_its_lambda_proxy_integration(apigateway: Any) -> None:
    api_id = imported(apigateway, chalice_swagger())

    integration = methods(apigateway, api_id)["/health", "GET"]["methodIntegration"]

    assert integration["type"] == "AWS_PROXY"
    assert integration["httpMethod"] == "POST"
    assert integration["uri"].endswith(f"/functions/{HANDLER_ARN}/invocations")


def test_overwrite_replaces_resources_authorizers_and_gateway_responses(apigateway: Any) -> None:
    api_id = imported(apigateway, chalice_swagger())
    root = apigateway.get_rest_api(restApiId=api_id)["rootResourceId"]
    apigateway.put_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX",
                                    responseTemplates={"application/json": "{}"})

    apigateway.put_rest_api(restApiId=api_id, mode="overwrite",
                            body=json.dumps(chalice_swagger(with_authorizer=False)))

    assert set(methods(apigateway, api_id)) == {("/health", "GET"), ("/service/users", "POST")}
    assert apigateway.get_authorizers(restApiId=api_id)["items"] == []
    assert apigateway.get_gateway_responses(restApiId=api_id)["items"] == []
    assert apigateway.get_rest_api(restApiId=api_id)["rootResourceId"] == root


def test_merge_keeps_what_the_document_does_not_name(apigateway: Any) -> None:
    api_id = imported(apigateway, chalice_swagger())

    apigateway.put_rest_api(restApiId=api_id, mode="merge",
                            body=json.dumps(chalice_swagger(with_authorizer=False)))

    assert ("/users/{user_id}", "GET") in methods(apigateway, api_id)
    assert len(apigateway.get_authorizers(restApiId=api_id)["items"]) == 1


def test_an_undefined_security_scheme_is_refused_and_nothing_is_created(apigateway: Any) -> None:
    document = chalice_swagger()
    document["securityDefinitions"].pop("demo-users")
    before = {api["id"] for api in apigateway.get_rest_apis()["items"]}

    with pytest.raises(ClientError) as refused:
        imported(apigateway, document)

    assert refused.value.response["Error"]["Code"] == "BadRequestException"
    assert "demo-users" in refused.value.response["Error"]["Message"]
    assert {api["id"] for api in apigateway.get_rest_apis()["items"]} == before


def test_a_document_of_neither_version_is_refused(apigateway: Any) -> None:
    document = chalice_swagger()
    document["swagger"] = "1.2"

    with pytest.raises(ClientError) as refused:
        imported(apigateway, document)

    assert refused.value.response["Error"]["Code"] == "BadRequestException"


def test_an_openapi_3_document_s_security_schemes_are_read_too(apigateway: Any) -> None:
    swagger = chalice_swagger()
    document = {"openapi": "3.0.1", "info": swagger["info"], "paths": swagger["paths"],
                "components": {"securitySchemes": swagger["securityDefinitions"]}}

    api_id = imported(apigateway, document)

    assert methods(apigateway, api_id)["/users/{user_id}", "GET"]["authorizationType"] == \
        "COGNITO_USER_POOLS"
    assert methods(apigateway, api_id)["/service/users", "POST"]["apiKeyRequired"] is True
