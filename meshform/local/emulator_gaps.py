"""The one explicit list of generated resource types kept out of emulator runs, each with the reason.

Keep it as short as possible: prefer shaping the Terraform so that it applies on moto, or a faithful addition to
moto (meshform/local/moto_*.py). Anything listed here (and everything that depends on it) is printed by
`meshform local-deploy` as "left out". Empty today: the last entry, aws_s3_bucket_notification (moto never
returned EventBridgeConfiguration), is covered by meshform/local/moto_s3.py.
"""
from __future__ import annotations

# resource type -> why moto (5.2.5) cannot apply it cleanly with hashicorp/aws 5.100.0
EMULATOR_GAPS: dict[str, str] = {}
