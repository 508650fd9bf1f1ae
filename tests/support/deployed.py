"""The environment of a correctly deployed stage's Lambda function, for tests
of what Settings does there (it refuses anything less)."""
from __future__ import annotations


def deployed_environment(stage: str) -> dict[str, str]:
    account, region = "123456789012", "eu-west-1"
    return {
        "STAGE": stage,
        "AWS_LAMBDA_FUNCTION_NAME": f"frontdesk-{stage}",
        "AWS_REGION": region,
        "OWNER_EMAIL": "owner@frontdesk.test",
        "MAIL_FROM": "Frontdesk <frontdesk@frontdesk.test>",
        "ALLOWED_ORIGINS": "https://d111111abcdef8.cloudfront.net",
        "USER_POOL_ID": f"{region}_Abc",
        "USER_POOL_ARN": f"arn:aws:cognito-idp:{region}:{account}:userpool/{region}_Abc",
        "TABLE_STREAM_ARN": f"arn:aws:dynamodb:{region}:{account}:table/frontdesk-{stage}"
                            "/stream/2026-01-01T00:00:00.000",
        "FILES_URL": "https://d222222abcdef8.cloudfront.net",
    }
