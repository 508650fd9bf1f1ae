"""The download links' key: made once by deploy, then kept, and named to the
functions by the version the files distribution holds (infra/files_key.py)."""
from __future__ import annotations

import re
import uuid

from infra.chalice_config import stage_environment
from infra.files_key import ensure_files_key
from infra.stages import EXAMPLE_SETTINGS_FILE, load_stage
from tests.conftest import LocalAws


def test_the_key_is_made_once_and_kept(local_aws: LocalAws) -> None:
    ssm, stage = local_aws.session.client("ssm"), f"k{uuid.uuid4().hex[:8]}"
    first, created = ensure_files_key(ssm, stage)
    again, created_again = ensure_files_key(ssm, stage)
    assert (created, created_again) == (True, False)
    assert again == first and re.fullmatch(r"[0-9a-f]{64}", first.value)
    stored = ssm.get_parameter(Name=f"/frontdesk/{stage}/files-key")["Parameter"]
    assert stored["Type"] == "SecureString"


def test_a_rotated_key_is_the_next_version_and_the_functions_are_told_which(
        local_aws: LocalAws) -> None:
    ssm, stage = local_aws.session.client("ssm"), f"k{uuid.uuid4().hex[:8]}"
    first, _ = ensure_files_key(ssm, stage)
    ssm.put_parameter(Name=f"/frontdesk/{stage}/files-key", Value="ab" * 32,
                      Type="SecureString", Overwrite=True)  # docs/deploy.md's rotation
    rotated, created = ensure_files_key(ssm, stage)
    assert not created and (rotated.value, rotated.version) == ("ab" * 32, first.version + 1)
    assert rotated.parameter == f"/frontdesk/{stage}/files-key:{first.version + 1}"
    # The function reads exactly that version, whatever is put later.
    assert ssm.get_parameter(Name=rotated.parameter, WithDecryption=True)["Parameter"][
        "Value"] == "ab" * 32
    dev = load_stage("dev", EXAMPLE_SETTINGS_FILE)
    outputs = {"TableName": "t", "AttachmentsBucketName": "b", "TableStreamArn": "s",
               "UserPoolId": "p", "UserPoolClientId": "c", "UserPoolArn": "a",
               "SiteDomainName": "d1.cloudfront.net", "FilesDomainName": "d2.cloudfront.net"}
    environment = stage_environment(dev, outputs, rotated.parameter)
    assert environment["FILES_KEY_PARAMETER"] == rotated.parameter
    assert environment["FILES_URL"] == "https://d2.cloudfront.net"
