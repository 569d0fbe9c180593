"""CKV_MESH_GLUE_SECURITY_CONFIGURATION_KMS — Glue security configurations encrypt S3 output (SSE-KMS), CloudWatch
logs (SSE-KMS) and job bookmarks (CSE-KMS), each with a KMS key.

Why: a job that names a security configuration (CKV_MESH_GLUE_SECURITY_CONFIGURATION) is only as protected as the
configuration: one with S3 encryption DISABLED writes ETL output outside the KMS boundary, without CloudWatch
encryption driver logs (which can quote rows) are readable with logs permissions alone, and bookmarks record which
objects were read (https://docs.aws.amazon.com/glue/latest/dg/encryption-security-configuration.html). SSE-S3
does not count: its key policy cannot be controlled.
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, block, blocks, is_aws_managed_key

# (block, mode attribute, required mode)
SETTINGS = (("s3_encryption", "s3_encryption_mode", "SSE-KMS"),
            ("cloudwatch_encryption", "cloudwatch_encryption_mode", "SSE-KMS"),
            ("job_bookmarks_encryption", "job_bookmarks_encryption_mode", "CSE-KMS"))


class GlueSecurityConfigurationKms(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Glue security configurations encrypt S3 (SSE-KMS), CloudWatch (SSE-KMS) and bookmarks (CSE-KMS)",
            id="CKV_MESH_GLUE_SECURITY_CONFIGURATION_KMS",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_glue_security_configuration"],
            guideline="Set encryption_configuration {s3_encryption: SSE-KMS, cloudwatch_encryption: SSE-KMS, "
                      "job_bookmarks_encryption: CSE-KMS}, each with kms_key_arn = the domain key "
                      "(DomainGlueSecurityConfiguration does this).",
        )

    def problems(self, conf: dict):
        configuration = block(conf, "encryption_configuration")
        for name, mode_attribute, wanted in SETTINGS:
            found = blocks(configuration, name)
            setting = found[0] if found else {}
            mode = attr(setting, mode_attribute, "DISABLED")
            if mode != wanted:
                yield f"{name}.{mode_attribute} is {mode!r}, expected {wanted}"
                continue
            key = attr(setting, "kms_key_arn")
            if not key:
                yield f"{name}.kms_key_arn is not set"
            elif is_aws_managed_key(key):
                yield f"{name}.kms_key_arn {key!r} is an AWS-managed key"


check = GlueSecurityConfigurationKms()
