"""The one explicit list of generated resource types kept out of emulator runs, each with the reason.

Keep it as short as possible: prefer shaping the Terraform so that it applies on moto. Anything listed here
(and everything that depends on it) is printed by `meshform local-deploy` as "left out".
"""
from __future__ import annotations

# resource type -> why moto (5.2.5) cannot apply it cleanly with hashicorp/aws 5.100.0
EMULATOR_GAPS: dict[str, str] = {
    "aws_s3_bucket_notification": (
        "moto 5.2.5 stores EventBridgeConfiguration but GetBucketNotificationConfiguration never returns it, "
        "so every re-plan shows eventbridge false -> true (moto/s3/responses.py get_bucket_notification_configuration)"
    ),
}
