"""CKV_MESH_S3_SSE_NO_AWS_MANAGED_KEY — S3 default encryption with KMS names a customer-managed key.

Why: `aws:kms` without a key id, or with alias/aws/s3, encrypts with the AWS-managed key, whose key policy nobody
can change: Lake Formation's registration role in the governance account and the mesh's cross-account readers
can never be allowed to decrypt, and access cannot be revoked by key policy. (Which buckets must use KMS at all
is CKV2_MESH_S3_DATA_BUCKET_KMS; this rule checks the key every SSE-KMS configuration names.)
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, block, blocks, is_aws_managed_key


class S3SseNoAwsManagedKey(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="S3 SSE-KMS names a customer-managed KMS key (not aws/s3, not the implicit AWS-managed key)",
            id="CKV_MESH_S3_SSE_NO_AWS_MANAGED_KEY",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_s3_bucket_server_side_encryption_configuration"],
            guideline="Set rule.apply_server_side_encryption_by_default.kms_master_key_id to the domain's "
                      "customer-managed key (aws_kms_key ...arn), with sse_algorithm aws:kms.",
        )

    def problems(self, conf: dict):
        for rule in blocks(conf, "rule"):
            default = block(rule, "apply_server_side_encryption_by_default")
            algorithm = str(attr(default, "sse_algorithm", ""))
            key = attr(default, "kms_master_key_id")
            if not algorithm.startswith("aws:kms"):
                continue
            if not key:
                yield f"sse_algorithm {algorithm} without kms_master_key_id uses the AWS-managed aws/s3 key"
            elif is_aws_managed_key(key):
                yield f"kms_master_key_id {key!r} is an AWS-managed key"


check = S3SseNoAwsManagedKey()
