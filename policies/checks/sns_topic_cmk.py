"""CKV_MESH_SNS_TOPIC_CMK — SNS topics are encrypted with a customer-managed KMS key.

Why: a domain's notifications carry product names, execution details and failure causes (which can quote data);
without `kms_master_key_id` SNS stores messages unencrypted, and with alias/aws/sns the key policy cannot be
changed, so AWS services that publish (EventBridge, CloudWatch alarms, Budgets) could never be allowed and access
could never be revoked (https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, is_aws_managed_key


class SnsTopicCmk(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="SNS topics are encrypted with a customer-managed KMS key (not alias/aws/sns)",
            id="CKV_MESH_SNS_TOPIC_CMK",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_sns_topic"],
            guideline="Set kms_master_key_id to the domain's aws_kms_key ARN (DomainNotifications does this).",
        )

    def problems(self, conf: dict):
        key = attr(conf, "kms_master_key_id")
        if not key:
            yield "kms_master_key_id is not set: messages are stored unencrypted"
        elif is_aws_managed_key(key):
            yield f"kms_master_key_id {key!r} is an AWS-managed key"


check = SnsTopicCmk()
