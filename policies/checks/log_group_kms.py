"""CKV_MESH_LOG_GROUP_KMS — CloudWatch log groups are encrypted with a customer-managed KMS key.

Why: the mesh's log groups hold execution data of its pipelines (object keys, job runs, quality results, error
messages); CloudWatch Logs encrypts them anyway, but only a customer key's policy decides who may read them and can
revoke it, and only then do they stay inside the domain's KMS boundary like its data
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, is_aws_managed_key


class LogGroupKms(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="CloudWatch log groups are encrypted with a customer-managed KMS key",
            id="CKV_MESH_LOG_GROUP_KMS",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_cloudwatch_log_group"],
            guideline="Set kms_key_id to the domain's aws_kms_key ARN; its key policy must let "
                      "logs.<region>.amazonaws.com use it (modules/constructs/pipeline/log_encryption.py).",
        )

    def problems(self, conf: dict):
        key = attr(conf, "kms_key_id")
        if not key:
            yield "kms_key_id is not set"
        elif is_aws_managed_key(key):
            yield f"kms_key_id {key!r} is an AWS-managed key"


check = LogGroupKms()
