"""CKV_MESH_GLUE_SECURITY_CONFIGURATION — Glue jobs and crawlers run with a security configuration.

Why: without one, a job's S3 output, CloudWatch logs and job bookmarks are not encrypted with the domain's key,
so data written by ETL (including pii) leaves the KMS boundary the lake relies on
(https://docs.aws.amazon.com/glue/latest/dg/encryption-security-configuration.html).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr


class GlueSecurityConfiguration(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Glue jobs and crawlers reference a security configuration (KMS for S3, logs, bookmarks)",
            id="CKV_MESH_GLUE_SECURITY_CONFIGURATION",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_glue_job", "aws_glue_crawler"],
            guideline="Create an aws_glue_security_configuration (SSE-KMS for S3 and CloudWatch, CSE-KMS for job "
                      "bookmarks, the domain's key) and set security_configuration to its name.",
        )

    def problems(self, conf: dict):
        if not attr(conf, "security_configuration"):
            yield "security_configuration is not set"


check = GlueSecurityConfiguration()
