"""The domain's Glue security configuration: what Glue writes on a job's behalf stays inside the domain's KMS
boundary — S3 output with SSE-KMS, the job's CloudWatch logs with the key (Glue associates it with the log groups
it creates), and job bookmarks with client-side KMS encryption
(https://docs.aws.amazon.com/glue/latest/dg/encryption-security-configuration.html). Every job of the domain
references it; CKV_MESH_GLUE_SECURITY_CONFIGURATION_KMS checks the three settings."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.glue_security_configuration import (
    GlueSecurityConfiguration,
    GlueSecurityConfigurationEncryptionConfiguration,
    GlueSecurityConfigurationEncryptionConfigurationCloudwatchEncryption,
    GlueSecurityConfigurationEncryptionConfigurationJobBookmarksEncryption,
    GlueSecurityConfigurationEncryptionConfigurationS3Encryption,
)
from constructs import Construct


class DomainGlueSecurityConfiguration(Construct):
    """Args:
        name: meshform.pipeline_names.glue_security_configuration_name (`<prefix>-<env>-<domain>-etl`).
        kms_key_arn: the domain's lake key (its policy lets CloudWatch Logs use it: domain stack).

    Attributes:
        configuration: the `aws_glue_security_configuration`; name: its name (a reference, so jobs wait for it).
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, kms_key_arn: str):
        super().__init__(scope, id_)
        self.configuration = GlueSecurityConfiguration(
            self, "configuration", name=name,
            encryption_configuration=GlueSecurityConfigurationEncryptionConfiguration(
                s3_encryption=GlueSecurityConfigurationEncryptionConfigurationS3Encryption(
                    s3_encryption_mode="SSE-KMS", kms_key_arn=kms_key_arn),
                cloudwatch_encryption=GlueSecurityConfigurationEncryptionConfigurationCloudwatchEncryption(
                    cloudwatch_encryption_mode="SSE-KMS", kms_key_arn=kms_key_arn),
                job_bookmarks_encryption=GlueSecurityConfigurationEncryptionConfigurationJobBookmarksEncryption(
                    job_bookmarks_encryption_mode="CSE-KMS", kms_key_arn=kms_key_arn)))

    @property
    def name(self) -> str:
        return self.configuration.name
