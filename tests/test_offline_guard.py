import boto3
import pytest


def test_reaching_real_aws_fails_loudly() -> None:
    real = boto3.client("sts", region_name="us-east-1",
                        endpoint_url="https://sts.us-east-1.amazonaws.com")
    # botocore wraps the guard's error, but its message survives.
    with pytest.raises(Exception, match="tests are offline: something tried to reach"):
        real.get_caller_identity()
