"""What moto's API Gateway lacks for `chalice deploy`, taught in one place.

moto 5.2's ImportRestApi and PutRestApi (CHALICE-NOTES, "Learned from
rehearsing a deploy against moto"):
- require `info.description` (a KeyError, a 500), which API Gateway does not;
- refuse Swagger 2.0, the document `chalice deploy` imports;
- create no authorizer from the security definitions, and give methods no
  authorizationType, authorizerId or apiKeyRequired from their `security`;
- in overwrite mode keep the API's old authorizers and gateway responses.

Here both read a Swagger 2.0 or OpenAPI 3 document as API Gateway does, for
what such a document can say: resources, methods with their authorization,
API key and path parameters, integrations and their responses, method
responses, binary media types, the API key source, and authorizers (Cognito
user pools, Lambda TOKEN and REQUEST). Overwrite mode replaces the whole
definition: resources, authorizers and gateway responses go, the root
resource keeps its id. An operation naming an undefined security scheme is
refused, as API Gateway refuses it.
"""
from __future__ import annotations

from typing import Any

from moto.apigateway.exceptions import (
    BadRequestException,
    InvalidOpenApiDocVersionException,
    InvalidOpenApiModeException,
)
from moto.apigateway.models import APIGatewayBackend, RestAPI

# The operation keys of a path item; the rest (parameters, summary...) are not methods.
OPERATIONS = {"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE",
              "options": "OPTIONS", "head": "HEAD", "patch": "PATCH",
              "x-amazon-apigateway-any-method": "ANY"}
AUTHORIZER_TYPES = {"cognito_user_pools": "COGNITO_USER_POOLS", "token": "TOKEN",
                    "request": "REQUEST"}
API_KEY_HEADER = "x-api-key"
DEFAULT_AUTHORIZER_TTL = 300  # seconds, API Gateway's default


def _check_version(doc: dict[str, Any]) -> None:
    swagger, openapi = str(doc.get("swagger", "")), str(doc.get("openapi", ""))
    if swagger != "2.0" and not openapi.startswith("3"):
        raise InvalidOpenApiDocVersionException()


def _security_schemes(doc: dict[str, Any]) -> dict[str, Any]:
    if "securityDefinitions" in doc:  # Swagger 2.0
        return dict(doc["securityDefinitions"])
    return dict(doc.get("components", {}).get("securitySchemes", {}))


def _put_authorizers(backend: APIGatewayBackend, api: RestAPI,
                     schemes: dict[str, Any]) -> dict[str, str]:
    """Create (or, merging, replace) one authorizer per scheme that declares
    one; return their ids by scheme name."""
    ids: dict[str, str] = {}
    for name, scheme in schemes.items():
        spec = scheme.get("x-amazon-apigateway-authorizer")
        if spec is None:
            continue
        kind = AUTHORIZER_TYPES.get(str(spec.get("type", "")).lower())
        if kind is None:
            raise BadRequestException(f"Invalid authorizer type for security definition {name!r}")
        for old_id, old in list(api.authorizers.items()):
            if old.name == name:
                del api.authorizers[old_id]
        identity_source = spec.get("identitySource") or (
            f"method.request.header.{scheme['name']}" if scheme.get("in") == "header" else None)
        authorizer = backend.create_authorizer(
            api.id, name, kind,
            provider_arns=spec.get("providerARNs"),
            auth_type=scheme.get("x-amazon-apigateway-authtype"),
            authorizer_uri=spec.get("authorizerUri"),
            authorizer_credentials=spec.get("authorizerCredentials"),
            identity_source=identity_source,
            identiy_validation_expression=spec.get("identityValidationExpression"),
            authorizer_result_ttl=spec.get("authorizerResultTtlInSeconds",
                                           DEFAULT_AUTHORIZER_TTL))
        ids[name] = str(authorizer.id)
    return ids


def _method_security(requirements: list[dict[str, list[str]]], schemes: dict[str, Any],
                     authorizer_ids: dict[str, str], where: str) -> dict[str, Any]:
    """put_method's authorization arguments for an operation's `security`."""
    arguments: dict[str, Any] = {"authorization_type": "NONE", "api_key_required": False}
    for requirement in requirements:
        for name, scopes in requirement.items():
            scheme = schemes.get(name)
            if scheme is None:
                raise BadRequestException(f"{where}: security scheme {name!r} is not defined")
            if name in authorizer_ids:
                kind = scheme["x-amazon-apigateway-authorizer"]["type"].lower()
                arguments["authorization_type"] = ("COGNITO_USER_POOLS"
                                                   if kind == "cognito_user_pools" else "CUSTOM")
                arguments["authorizer_id"] = authorizer_ids[name]
                if scopes:
                    arguments["authorization_scopes"] = list(scopes)
            elif str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4":
                arguments["authorization_type"] = "AWS_IAM"
            elif scheme.get("type") == "apiKey" and \
                    str(scheme.get("name", "")).lower() == API_KEY_HEADER:
                arguments["api_key_required"] = True
    return arguments


def _request_parameters(parameters: list[dict[str, Any]]) -> dict[str, bool] | None:
    locations = {"path": "path", "query": "querystring", "header": "header"}
    found = {f"method.request.{locations[p['in']]}.{p['name']}": bool(p.get("required", False))
             for p in parameters if p.get("in") in locations}
    return found or None


def _resource_for(backend: APIGatewayBackend, api: RestAPI, path: str) -> Any:
    """The resource at `path`, creating it and any missing ancestors."""
    resource = api.resources[api.root_resource_id]
    walked = ""
    for part in [p for p in path.split("/") if p]:
        walked += "/" + part
        existing = api.get_resource_for_path(walked)
        resource = existing if existing is not None else \
            backend.create_resource(api.id, resource.id, part)
    return resource


def _put_operation(backend: APIGatewayBackend, api: RestAPI, resource: Any, method: str,
                   operation: dict[str, Any], security: dict[str, Any],
                   path_parameters: list[dict[str, Any]]) -> None:
    parameters = path_parameters + list(operation.get("parameters", []))
    resource.resource_methods.pop(method, None)
    backend.put_method(api.id, resource.id, method,
                       request_parameters=_request_parameters(parameters),
                       operation_name=operation.get("operationId"), **security)
    for code in operation.get("responses", {}):
        if code != "default":
            backend.put_method_response(api.id, resource.id, method, str(code),
                                        response_models=None, response_parameters=None)
    integration = operation.get("x-amazon-apigateway-integration")
    if not integration:
        return
    arguments = backend._build_integration_args(integration)
    arguments["integration_type"] = str(integration.get("type", "")).upper()
    backend.put_integration(function_id=api.id, resource_id=resource.id, method_type=method,
                            **{k: v for k, v in arguments.items() if v is not None})
    for response in backend._build_integration_responses_args(integration):
        backend.put_integration_response(
            function_id=api.id, resource_id=resource.id, method_type=method,
            **{k: v for k, v in response.items() if v is not None})


def _overwrite(api: RestAPI) -> None:
    root = api.resources[api.root_resource_id]
    root.resource_methods.clear()
    api.resources = {root.id: root}
    api.authorizers.clear()
    api.gateway_responses.clear()


def put_rest_api(self: APIGatewayBackend, function_id: str, api_doc: dict[str, Any],
                 fail_on_warnings: bool, mode: str = "merge") -> RestAPI:
    if mode not in ("merge", "overwrite"):
        raise InvalidOpenApiModeException()
    _check_version(api_doc)
    if fail_on_warnings:
        _validate(api_doc)
    api = self.get_rest_api(function_id)
    if mode == "overwrite":
        _overwrite(api)
    if "x-amazon-apigateway-binary-media-types" in api_doc:
        api.binaryMediaTypes = list(api_doc["x-amazon-apigateway-binary-media-types"])
    if "x-amazon-apigateway-api-key-source" in api_doc:
        api.api_key_source = str(api_doc["x-amazon-apigateway-api-key-source"])
    schemes = _security_schemes(api_doc)
    authorizer_ids = _put_authorizers(self, api, schemes)
    default_security = api_doc.get("security", [])
    for path, item in sorted(api_doc.get("paths", {}).items()):
        resource = _resource_for(self, api, path)
        for key, operation in item.items():
            method = OPERATIONS.get(key.lower())
            if method is None:
                continue
            security = _method_security(operation.get("security", default_security), schemes,
                                        authorizer_ids, f"{key.upper()} {path}")
            _put_operation(self, api, resource, method, operation, security,
                           list(item.get("parameters", [])))
    return api


def import_rest_api(self: APIGatewayBackend, api_doc: dict[str, Any],
                    fail_on_warnings: bool) -> RestAPI:
    _check_version(api_doc)
    info = api_doc.get("info", {})
    if "title" not in info:
        raise BadRequestException("Invalid API definition: info.title is missing")
    api = self.create_rest_api(name=str(info["title"]),
                               description=str(info.get("description", "")))
    try:
        return put_rest_api(self, api.id, api_doc, fail_on_warnings, mode="overwrite")
    except Exception:
        # API Gateway creates nothing from a document it refuses.
        self.apis.pop(api.id, None)
        raise


def _validate(api_doc: dict[str, Any]) -> None:
    from moto.apigateway.exceptions import InvalidOpenAPIDocumentException
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(api_doc)  # type: ignore[arg-type]
    except OpenAPIValidationError as exc:
        raise InvalidOpenAPIDocumentException(exc) from exc


def install() -> None:
    """Patch moto's API Gateway backend (every account and region). Idempotent."""
    APIGatewayBackend.import_rest_api = import_rest_api  # type: ignore[method-assign]
    APIGatewayBackend.put_rest_api = put_rest_api  # type: ignore[method-assign]
