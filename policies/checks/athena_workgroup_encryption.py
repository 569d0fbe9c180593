"""CKV_MESH_ATHENA_WORKGROUP_ENCRYPTION — Athena workgroups enforce their configuration and encrypt query results
with a KMS key.

Why: query results are copies of the data a consumer was allowed to see (often pii or confidential) written to
S3; without enforce_workgroup_configuration any client can override the output location and encryption
(https://docs.aws.amazon.com/athena/latest/ug/workgroups-settings-override.html). Results must be encrypted with a
customer key (SSE_KMS or CSE_KMS with kms_key_arn: https://docs.aws.amazon.com/athena/latest/ug/encryption.html),
or use managed query results with a KMS key
(https://docs.aws.amazon.com/athena/latest/APIReference/API_ManagedQueryResultsEncryptionConfiguration.html).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, block, is_true

KMS_OPTIONS = ("SSE_KMS", "CSE_KMS")


class AthenaWorkgroupEncryption(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Athena workgroups enforce their configuration and encrypt results with SSE_KMS/CSE_KMS and a key",
            id="CKV_MESH_ATHENA_WORKGROUP_ENCRYPTION",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_athena_workgroup"],
            guideline="Set configuration.enforce_workgroup_configuration=True and configuration.result_configuration."
                      "encryption_configuration={encryption_option: 'SSE_KMS', kms_key_arn: <results key ARN>}.",
        )

    def problems(self, conf: dict):
        configuration = block(conf, "configuration")
        if not is_true(configuration.get("enforce_workgroup_configuration")):
            yield "configuration.enforce_workgroup_configuration is not true"
        managed = block(configuration, "managed_query_results_configuration")
        if is_true(managed.get("enabled")) and attr(block(managed, "encryption_configuration"), "kms_key"):
            return
        encryption = block(block(configuration, "result_configuration"), "encryption_configuration")
        option = attr(encryption, "encryption_option")
        if option not in KMS_OPTIONS:
            yield f"result encryption_option is {option!r}, expected SSE_KMS or CSE_KMS"
        if not attr(encryption, "kms_key_arn"):
            yield "result encryption_configuration.kms_key_arn is not set"


check = AthenaWorkgroupEncryption()
