"""form.html?form=<id> goes to the API's site page: the CloudFront Function in
infra/resources.yaml, run with Node.js on the requests CloudFront would hand
it, routes each exactly as infra/form_page_route.py (make dev's web server)
does, and both accept exactly the ids a form can have."""
from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from chalicelib.forms.model import is_form_id
from infra.form_page_route import FORM_PAGE, site_page_path
from tests.infra.templates import resources_template

TEMPLATE = resources_template()
FUNCTION = TEMPLATE["Resources"]["FormPageRoute"]
QUERIES = [
    "form=quote", "form=contact", "form=a", f"form=a{'b' * 39}", f"form=a{'b' * 40}",
    "form=Quote", "form=1quote", "form=-quote", "form=quote_x", "form=quote.html",
    "form=quote%0A", "form=quot%65", "form=%3Cscript%3E", "form=", "form", "", "other=quote",
    "utm_source=news&form=book-a-table", "form=quote&form=other", "form=bad&form=quote",
    "xform=quote", "form=quote&fbclid=x",
]
# What CloudFront hands a viewer-request function: each key's first value as
# sent (undecoded), every value in multiValue.
HARNESS = """
const code = process.argv[1];
const queries = JSON.parse(process.argv[2]);
const handler = new Function(code + '\\nreturn handler;')();
const answers = queries.map((query) => {
  const querystring = {};
  for (const part of query.split('&').filter(Boolean)) {
    const at = part.indexOf('=');
    const [key, value] = at < 0 ? [part, ''] : [part.slice(0, at), part.slice(at + 1)];
    if (querystring[key]) querystring[key].multiValue.push({value});
    else querystring[key] = {value, multiValue: [{value}]};
  }
  const request = handler({version: '1.0', context: {eventType: 'viewer-request'},
    request: {method: 'GET', uri: '/form.html', querystring, headers: {}, cookies: {}}});
  return {uri: request.uri, querystring: request.querystring};
});
process.stdout.write(JSON.stringify(answers));
"""


def run_function(queries: list[str]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    assert node, "Node.js runs the CloudFront Function's code here (the machine has it)"
    done = subprocess.run([node, "-e", HARNESS, FUNCTION["Properties"]["FunctionCode"],
                           json.dumps(queries)], capture_output=True, text=True, check=True,
                          timeout=30)
    return list(json.loads(done.stdout))


def test_the_function_routes_every_request_as_make_dev_s_web_server_does() -> None:
    answers = run_function(QUERIES)
    assert [a["uri"] for a in answers] == [site_page_path(q) for q in QUERIES]
    assert all(a["querystring"] == {} for a in answers)


@pytest.mark.parametrize(("query", "path"), [
    ("form=quote", "/forms/quote/site-page"),
    ("utm_source=news&form=book-a-table", "/forms/book-a-table/site-page"),
    ("form=quote&form=other", "/forms/quote/site-page"),
    ("form=Quote", "/forms/_/site-page"),
    ("form=quote%0A", "/forms/_/site-page"),
    ("form=quot%65", "/forms/_/site-page"),
    ("", "/forms/_/site-page"),
])
def test_a_form_s_id_is_routed_to_its_page_and_anything_else_to_no_form(query: str,
                                                                        path: str) -> None:
    assert site_page_path(query) == path


def test_the_route_takes_exactly_the_ids_a_form_can_have() -> None:
    ids = [q.partition("=")[2] for q in QUERIES if q.startswith("form=") and "&" not in q]
    routed = [site_page_path(f"form={i}") != "/forms/_/site-page" for i in ids]
    assert routed == [is_form_id(i) for i in ids]
    assert any(routed) and not all(routed)


def test_only_form_html_is_routed_and_never_cached() -> None:
    config = TEMPLATE["Resources"]["SiteDistribution"]["Properties"]["DistributionConfig"]
    condition, [behavior], no_value = config["CacheBehaviors"]["Fn::If"]
    assert (condition, no_value) == ("HasApi", {"Ref": "AWS::NoValue"})
    assert behavior["PathPattern"] == FORM_PAGE and behavior["TargetOriginId"] == "api"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert behavior["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
    assert "OriginRequestPolicyId" not in behavior  # no viewer header reaches the API
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": "SiteHeadersPolicy"}
    assert behavior["FunctionAssociations"] == [
        {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": ["FormPageRoute",
                                                                       "FunctionARN"]}}]
    api = config["Origins"][1]["Fn::If"][1]
    assert api["DomainName"] == {"Ref": "ApiDomain"}
    assert api["OriginPath"] == {"Fn::Sub": "/${ApiGatewayStage}"}
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert FUNCTION["Condition"] == "HasApi"
    assert FUNCTION["Properties"]["AutoPublish"] is True
