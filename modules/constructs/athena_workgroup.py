"""Athena workgroup whose settings users cannot override: engine v3 (needed for Lake Formation cell-level
security), results encrypted with the consumer's CMK in its own bucket, and a per-query scan limit.

No canned ACL on results: the results bucket enforces bucket-owner object ownership (ACLs disabled), so an ACL adds
nothing, and a PutObject that sets an ACL also needs `s3:PutObjectAcl`, which the analysts' policy rightly does not
have (https://docs.aws.amazon.com/athena/latest/APIReference/API_AclConfiguration.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html,
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).

The construct also says what its users need: `query_statements()` is the IAM that lets a principal run queries in
this workgroup and read their results (and nothing in other workgroups)."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.athena_workgroup import AthenaWorkgroup
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd
from modules.types import Statement


class AthenaWorkgroupConstruct(Construct):
    """An enforced Athena workgroup writing SSE-KMS results to `s3://<results_bucket>/results/`.

    Args:
        name: workgroup name (naming.athena_workgroup_name).
        results_bucket: the consumer's results bucket (a SecureBucket, bucket-owner-enforced).
        account_id: the consumer account (the expected bucket owner: results never go to a bucket of another account).
        region: the consumer's region (for the workgroup and data catalog ARNs in `query_statements`).
        kms_key_arn: the consumer's key for results.
        bytes_scanned_cutoff: per-query scan limit in bytes.
        description: shown in the console (cut to Athena's 1,024 characters).

    Attributes:
        workgroup: the `aws_athena_workgroup` resource.
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, results_bucket: str, account_id: str, region: str,
                 kms_key_arn: str, bytes_scanned_cutoff: int, description: str):
        super().__init__(scope, id_)
        self.name, self.account_id, self.region = name, account_id, region
        self.results_arn, self.kms_key_arn = naming.bucket_arn(results_bucket), kms_key_arn
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

    def query_statements(self) -> list[Statement]:
        """IAM statements for a principal that queries in this workgroup (the data itself is Lake Formation's)."""
        workgroup = f"arn:aws:athena:{self.region}:{self.account_id}:workgroup/{self.name}"
        return [
            pd.statement("QueryInWorkgroup", ["athena:BatchGetQueryExecution", "athena:GetQueryExecution",
                                              "athena:GetQueryResults", "athena:GetWorkGroup",
                                              "athena:ListQueryExecutions", "athena:StartQueryExecution",
                                              "athena:StopQueryExecution"], [workgroup]),
            # Catalog browsing in the console and JDBC/ODBC drivers (Athena's data catalog, not the data).
            pd.statement("BrowseDataCatalog", ["athena:GetDataCatalog", "athena:GetDatabase",
                                               "athena:GetTableMetadata", "athena:ListDatabases",
                                               "athena:ListTableMetadata"],
                         [f"arn:aws:athena:{self.region}:{self.account_id}:datacatalog/AwsDataCatalog"]),
            # ListWorkGroups has no resource-level permissions.
            pd.statement("ListWorkgroups", ["athena:ListWorkGroups"], "*"),
            pd.statement("QueryResultObjects", ["s3:AbortMultipartUpload", "s3:GetObject",
                                                "s3:ListMultipartUploadParts", "s3:PutObject"],
                         [f"{self.results_arn}/results/*"]),
            pd.statement("QueryResultBucket", ["s3:GetBucketLocation", "s3:ListBucket",
                                               "s3:ListBucketMultipartUploads"], [self.results_arn]),
            pd.statement("QueryResultKey", ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                         [self.kms_key_arn]),
        ]
