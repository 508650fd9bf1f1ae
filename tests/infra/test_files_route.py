"""Downloads through the files distribution: the CloudFront Function in
infra/resources.yaml (FilesSignatureCheck), run with Node.js as CloudFront runs
it, opens exactly the links chalicelib/attachments/links.py signs and
`link_is_valid` (make dev's files server) opens, and no other; its headers
policy is infra/files_route.py's; the distribution reads the bucket through
its own access control and keeps nothing."""
from __future__ import annotations

import json
import random
import shutil
import subprocess
from typing import Any
from urllib.parse import urlsplit

import pytest

from chalicelib.attachments.links import LINK_SECONDS, DownloadLinks, link_is_valid, signature
from infra.files_route import FILE_HEADERS, function_code, query_value, served_headers
from tests.infra.templates import resources_template

TEMPLATE = resources_template()
RESOURCES = TEMPLATE["Resources"]
KEY = "0123456789abcdef" * 4
OTHER_KEY = "fedcba9876543210" * 4
NOW = 1_800_000_000
FILE = "/files/" + "a" * 32
# What CloudFront hands a viewer-request function (each key's first value as
# sent, every value in multiValue), with the edge's clock at `now`; and a
# viewer-response event. The answer: the request passed on, or the response.
HARNESS = """
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const answers = cases.map((c) => {
  Date.now = () => c.now * 1000;
  const handler = new Function('require', c.code + '\\nreturn handler;')(require);
  if (c.response) {
    return handler({version: '1.0', context: {eventType: 'viewer-response'},
      request: {method: 'GET', uri: c.uri, querystring: {}, headers: {}, cookies: {}},
      response: {statusCode: 200, headers: c.response, cookies: {}}});
  }
  const querystring = {};
  for (const part of c.query.split('&').filter(Boolean)) {
    const at = part.indexOf('=');
    const [key, value] = at < 0 ? [part, ''] : [part.slice(0, at), part.slice(at + 1)];
    if (querystring[key]) querystring[key].multiValue.push({value});
    else querystring[key] = {value, multiValue: [{value}]};
  }
  return handler({version: '1.0', context: {eventType: 'viewer-request'},
    request: {method: 'GET', uri: c.uri, querystring, headers: {}, cookies: {}}});
});
process.stdout.write(JSON.stringify(answers));
"""


def code(key: str = KEY) -> str:
    return function_code(RESOURCES["FilesSignatureCheck"]["Properties"]["FunctionCode"]["Fn::Sub"],
                         key)


def run(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    assert node, "Node.js runs the CloudFront Function's code here (the machine has it)"
    done = subprocess.run([node, "-e", HARNESS], input=json.dumps(cases), capture_output=True,
                          text=True, check=True, timeout=60)
    return list(json.loads(done.stdout))


def opened(answer: dict[str, Any]) -> bool:
    """The request went on to S3 (a function that refuses answers a response)."""
    if "statusCode" in answer:
        assert (answer["statusCode"], answer["headers"]["cache-control"]["value"]) == (
            403, "no-store")
        return False
    assert answer["querystring"] == {}  # nothing of the link reaches S3
    return True


def signed(path: str = FILE, *, key: str = KEY, at: int = NOW) -> tuple[str, str]:
    """(path, query) of a link the API hands out at `at`."""
    address = urlsplit(DownloadLinks("https://files.test", lambda: key,
                                     clock=lambda: at).link(path.lstrip("/"))[0])
    return address.path, address.query


def request(path: str, query: str, *, now: int = NOW, key: str = KEY) -> dict[str, Any]:
    return {"code": code(key), "uri": path, "query": query, "now": now}


def valid(path: str, query: str, *, now: int = NOW, key: str = KEY) -> bool:
    return link_is_valid(key, path, query_value(query, "exp"), query_value(query, "sig"), now)


CASES = {
    "valid": (*signed(), NOW, KEY, True),
    "valid until it expires": (*signed(), NOW + LINK_SECONDS, KEY, True),
    "expired": (*signed(), NOW + LINK_SECONDS + 1, KEY, False),
    "signed on a clock a minute ahead": (*signed(at=NOW + 60), NOW, KEY, True),
    "signed on a clock far ahead": (*signed(at=NOW + 61), NOW, KEY, False),
    "tampered path": (f"/files/{'b' * 32}", signed()[1], NOW, KEY, False),
    "tampered exp": (FILE, signed()[1].replace(f"exp={NOW + LINK_SECONDS}",
                                              f"exp={NOW + LINK_SECONDS + 1}"), NOW, KEY, False),
    "missing sig": (FILE, f"exp={NOW + LINK_SECONDS}", NOW, KEY, False),
    "missing exp": (FILE, signed()[1].split("&")[1], NOW, KEY, False),
    "no query": (FILE, "", NOW, KEY, False),
    "wrong key": (*signed(key=OTHER_KEY), NOW, KEY, False),
    "no key in the function": (*signed(key=""), NOW, "", False),
    "upper-case signature": (FILE, signed()[1].upper().replace("EXP", "exp").replace("SIG", "sig"),
                             NOW, KEY, False),
    "another stage's file path": ("/unclaimed/" + "a" * 32, signed()[1], NOW, KEY, False),
    "sig repeated, first wrong": (FILE, f"exp={NOW + LINK_SECONDS}&sig={'0' * 64}&"
                                        + signed()[1].split("&")[1], NOW, KEY, False),
    "a link padded with extras": (FILE, signed()[1] + "&x-id=1", NOW, KEY, True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_function_and_its_python_twin_decide_each_link_alike(name: str) -> None:
    path, query, now, key, expected = CASES[name]
    [answer] = run([request(path, query, now=now, key=key)])
    assert opened(answer) is expected
    assert valid(path, query, now=now, key=key) is expected


def mutated(rng: random.Random) -> tuple[str, str, int]:
    """A link the API signed, then maybe damaged, asked for at some moment."""
    upload = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    at = NOW + rng.randrange(-600, 600)
    path, query = signed(f"/files/{upload}", key=rng.choice([KEY, KEY, OTHER_KEY]), at=at)
    exp, sig = query_value(query, "exp") or "", query_value(query, "sig") or ""
    match rng.randrange(8):
        case 0:
            path = path[:-1] + rng.choice("0123456789abcdef")
        case 1:
            exp = str(int(exp) + rng.choice([-1, 1, 1000]))
        case 2:
            at_index = rng.randrange(64)
            sig = sig[:at_index] + rng.choice("0123456789abcdef") + sig[at_index + 1:]
        case 3:
            sig = sig[:rng.randrange(64)]
    query = rng.choice([f"exp={exp}&sig={sig}", f"sig={sig}&exp={exp}", f"exp={exp}",
                        f"exp={exp}&sig={sig}&exp=1"])
    return path, query, at + rng.randrange(-120, 420)


def test_the_function_and_its_python_twin_agree_on_many_links() -> None:
    rng = random.Random(26)
    links = [mutated(rng) for _ in range(300)]
    answers = run([request(path, query, now=now) for path, query, now in links])
    decisions = [opened(answer) for answer in answers]
    assert decisions == [valid(path, query, now=now) for path, query, now in links]
    assert 30 < sum(decisions) < 270  # both kinds, many of each


def test_a_signature_covers_the_path_and_the_expiry() -> None:
    assert signature(KEY, FILE, 1) != signature(KEY, FILE, 2)
    assert signature(KEY, FILE, 1) != signature(KEY, FILE + "x", 1)
    assert signature(KEY, FILE, 1) != signature(OTHER_KEY, FILE, 1)


@pytest.mark.parametrize(("stored", "disposition"), [
    ({}, "attachment"),
    ({"content-disposition": {"value": 'attachment; filename="cv.pdf"'}},
     'attachment; filename="cv.pdf"'),
])
def test_every_answer_is_a_download(stored: dict[str, Any], disposition: str) -> None:
    [answer] = run([{"code": code(), "uri": FILE, "response": stored, "now": NOW}])
    assert answer["headers"]["content-disposition"]["value"] == disposition
    python = {"Content-Disposition": stored["content-disposition"]["value"]} if stored else {}
    assert served_headers(python)["Content-Disposition"] == disposition


def test_the_headers_policy_is_the_files_server_s() -> None:
    config = RESOURCES["FilesHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    assert all(header["Override"] is True for header in security.values())
    assert "ContentTypeOptions" in security and FILE_HEADERS["X-Content-Type-Options"] == "nosniff"
    assert security["ContentSecurityPolicy"]["ContentSecurityPolicy"] == \
        FILE_HEADERS["Content-Security-Policy"]
    assert security["FrameOptions"]["FrameOption"] == FILE_HEADERS["X-Frame-Options"]
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == FILE_HEADERS["Referrer-Policy"]
    hsts = security["StrictTransportSecurity"]
    assert not hsts["IncludeSubdomains"] and not hsts["Preload"]
    assert FILE_HEADERS["Strict-Transport-Security"] == f"max-age={hsts['AccessControlMaxAgeSec']}"
    assert "CustomHeadersConfig" not in config


def test_the_distribution_reads_the_bucket_through_its_own_access_control_and_keeps_nothing(
        ) -> None:
    config = RESOURCES["FilesDistribution"]["Properties"]["DistributionConfig"]
    [origin] = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["AttachmentsBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["FilesOriginAccessControl", "Id"]}
    behaviour = config["DefaultCacheBehavior"]
    assert "CacheBehaviors" not in config and "Aliases" not in config
    assert behaviour["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert behaviour["ViewerProtocolPolicy"] == "https-only"
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "FilesHeadersPolicy"}
    arn = {"Fn::GetAtt": ["FilesSignatureCheck", "FunctionARN"]}
    assert behaviour["FunctionAssociations"] == [
        {"EventType": "viewer-request", "FunctionARN": arn},
        {"EventType": "viewer-response", "FunctionARN": arn}]
    function = RESOURCES["FilesSignatureCheck"]["Properties"]
    assert function["AutoPublish"] is True
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"


def test_only_the_files_distribution_reads_the_bucket_and_only_claimed_files() -> None:
    statements = RESOURCES["AttachmentsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    [read] = [s for s in statements if s["Effect"] == "Allow"]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject"
    assert read["Resource"] == {"Fn::Sub": "${AttachmentsBucket.Arn}/files/*"}
    assert read["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"].endswith(
        ":distribution/${FilesDistribution}")
    block = RESOURCES["AttachmentsBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(block.values())
    assert any(s["Effect"] == "Deny" and s["Sid"] == "TlsOnly" for s in statements)


def test_the_key_is_never_shown_by_cloudformation() -> None:
    parameter = TEMPLATE["Parameters"]["FilesSigningKey"]
    assert parameter["NoEcho"] is True
