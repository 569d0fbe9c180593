"""Athena workgroup whose settings users cannot override: engine v3 (needed for Lake Formation cell-level
security), results encrypted with the consumer's CMK in its own bucket, and a per-query scan limit.

No canned ACL on results: the results bucket enforces bucket-owner object ownership (ACLs disabled), so an ACL adds
nothing, and writing one would need `s3:PutObjectAcl`, which the analysts' policy rightly does not have
(https://docs.aws.amazon.com/athena/latest/APIReference/API_AclConfiguration.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html)."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.athena_workgroup import AthenaWorkgroup
from constructs import Construct


class AthenaWorkgroupConstruct(Construct):
    def __init__(self, scope: Construct, id_: str, *, name: str, results_bucket: str, account_id: str,
                 kms_key_arn: str, bytes_scanned_cutoff: int, description: str):
        super().__init__(scope, id_)
        self.workgroup = AthenaWorkgroup(
            self, "workgroup", name=name, description=description[:1024], state="ENABLED", force_destroy=False,
            configuration={
                "enforce_workgroup_configuration": True,
                "publish_cloudwatch_metrics_enabled": True,
                "bytes_scanned_cutoff_per_query": bytes_scanned_cutoff,
                "engine_version": {"selected_engine_version": "Athena engine version 3"},
                "result_configuration": {
                    "output_location": f"s3://{results_bucket}/results/",
                    "expected_bucket_owner": account_id,
                    "encryption_configuration": {"encryption_option": "SSE_KMS", "kms_key_arn": kms_key_arn},
                },
            },
        )
