"""S3 bucket with the mesh baseline: SSE-KMS with a customer-managed key and bucket key, versioning, public access
block, BucketOwnerEnforced, TLS-only policy, access logging, lifecycle, and destroy protection (AWS's own list of
S3 protections: https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html)."""
from __future__ import annotations

from collections.abc import Sequence

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA
from cdktf_cdktf_provider_aws.s3_bucket_notification import S3BucketNotification
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import S3BucketOwnershipControls
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import S3BucketVersioningA
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd
from modules.types import Statement

BUCKET_ROLE_DATA = "data"
BUCKET_ROLE_QUERY_RESULTS = "query-results"
BUCKET_ROLE_ACCESS_LOGS = "access-logs"
BUCKET_ROLE_AUDIT_LOGS = "audit-logs"         # CloudTrail log files (modules/constructs/audit_trail.py)


class SecureBucket(Construct):
    """An S3 bucket with the whole baseline (see the module docstring).

    Args:
        name: the global bucket name (naming.bucket_name, checked against 63 characters by validation).
        kms_key_arn: the customer-managed key for SSE-KMS with bucket key. `None` only for the access-log bucket:
            S3 server access logging delivers only to SSE-S3 buckets
            (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
        classification: the most sensitive data it may hold (tag `mesh:classification`).
        role: BUCKET_ROLE_DATA | BUCKET_ROLE_QUERY_RESULTS | BUCKET_ROLE_ACCESS_LOGS | BUCKET_ROLE_AUDIT_LOGS
            (tag `mesh:bucket-role`: the governance rules tell data buckets from log buckets by it).
        log_bucket: where access logs go (None only for the log bucket itself).
        noncurrent_days: noncurrent versions expire after this many days (default 90).
        expire_days: current objects expire after this many days (default None: never).
        extra_policy_statements: statements added to the bucket policy after the TLS-only deny (default none).

    Attributes:
        bucket: the `aws_s3_bucket` (destroy-protected); name, arn: literal name and ARN (no references needed).
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, kms_key_arn: str | None, classification: str,
                 role: str, log_bucket: SecureBucket | None, noncurrent_days: int = 90, expire_days: int | None = None,
                 extra_policy_statements: Sequence[Statement] | None = None):
        super().__init__(scope, id_)
        self.name = name
        self.arn = naming.bucket_arn(name)
        self.bucket = S3Bucket(
            self, "bucket", bucket=name, force_destroy=False,
            # mesh:bucket-role (data | query-results | access-logs) lets policies tell data buckets apart.
            tags={"mesh:classification": classification, "mesh:bucket-role": role},
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
        bucket_id = self.bucket.id
        S3BucketPublicAccessBlock(self, "public_access_block", bucket=bucket_id, block_public_acls=True,
                                  block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
        S3BucketOwnershipControls(self, "ownership", bucket=bucket_id,
                                  rule={"object_ownership": "BucketOwnerEnforced"})
        S3BucketVersioningA(self, "versioning", bucket=bucket_id,
                            versioning_configuration={"status": "Enabled"})
        # Lists of structs must be binding classes: jsii passes plain dicts inside lists through unconverted.
        if kms_key_arn:
            default = S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn)
        else:
            default = S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="AES256")
        S3BucketServerSideEncryptionConfigurationA(
            self, "encryption", bucket=bucket_id,
            rule=[S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=default, bucket_key_enabled=bool(kms_key_arn))])
        self.policy = S3BucketPolicy(
            self, "policy", bucket=bucket_id,
            policy=pd.document([pd.deny_insecure_transport(self.arn), *(extra_policy_statements or [])]))
        rule = S3BucketLifecycleConfigurationRule(
            id="baseline", status="Enabled", filter=[S3BucketLifecycleConfigurationRuleFilter()],
            abort_incomplete_multipart_upload=[
                S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)],
            noncurrent_version_expiration=[
                S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=noncurrent_days)],
            expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=expire_days)] if expire_days else None,
        )
        S3BucketLifecycleConfiguration(self, "lifecycle", bucket=bucket_id, rule=[rule])
        # Object events go to EventBridge: pipelines and audit subscribe there (no per-bucket wiring).
        S3BucketNotification(self, "events", bucket=bucket_id, eventbridge=True)
        if log_bucket is not None:
            S3BucketLoggingA(
                # Simple prefix per source bucket. (Date-partitioned keys are not used: moto drops
                # target_object_key_format and every re-plan would show a change.)
                self, "logging", bucket=bucket_id, target_bucket=log_bucket.name, target_prefix=f"{name}/",
                depends_on=[log_bucket.policy],
            )


def access_log_bucket(scope: Construct, name: str, account_id: str, classification: str) -> SecureBucket:
    """The account's access-log bucket: SSE-S3 (AWS requires it for log delivery); only the S3 logging service of
    this account may write; logs expire after a year."""
    delivery = pd.statement("AllowS3ServerAccessLogDelivery", ["s3:PutObject"], f"{naming.bucket_arn(name)}/*",
                            principal={"Service": "logging.s3.amazonaws.com"},
                            condition={"StringEquals": {"aws:SourceAccount": account_id}})
    return SecureBucket(scope, "bucket_logs", name=name, kms_key_arn=None, role=BUCKET_ROLE_ACCESS_LOGS,
                        classification=classification, log_bucket=None, expire_days=365, noncurrent_days=30,
                        extra_policy_statements=[delivery])
