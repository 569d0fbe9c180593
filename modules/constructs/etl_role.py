"""The domain's ETL role (used by its Glue jobs): writes its own lake, maintains partitions of its own tables in
the governance catalog, and reads the products the domain subscribes to. Lake Formation grants come from the
domain's own LF admin (re-grants of what governance granted the account)."""
from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd
from modules.types import Statement

# Partitions only: tables belong to the governance stack (their schema is the contract), so no Create/Update/
# DeleteTable — an UpdateTable would be reverted silently by the next governance apply.
PARTITION_WRITE_ACTIONS = ["glue:BatchCreatePartition", "glue:BatchDeletePartition", "glue:BatchUpdatePartition",
                           "glue:CreatePartition", "glue:DeletePartition", "glue:UpdatePartition"]
S3_OBJECT_RW = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]


class EtlRole(Construct):
    """The domain's Glue role for jobs in full-table-access mode.

    Args:
        name: naming.etl_role_name; account, region, governance: where it lives and the catalog it writes.
        domain: its domain (its tables in the governance catalog and its same-named link).
        buckets: the domain's raw/stage/analytics buckets (read and write); key_arn: the domain's lake key.
        read_statements: IAM for the products it reads whole (mesh_access_policy.shared_catalog_statements).
        pipeline_statements: what the domain's pipeline jobs and Data Quality evaluations need besides data
            (pipeline/runtime_access.glue_runtime_statements: artifacts read-only, job logs, ruleset results);
            default none (a domain without pipelines).

    Attributes:
        role: the `aws_iam_role` (its Lake Formation re-grants depend on it); arn: the role ARN, from its name.
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, account: str, region: str, governance: str,
                 domain: str, buckets: Sequence[str], key_arn: str, read_statements: Sequence[Statement],
                 pipeline_statements: Sequence[Statement] = ()):
        super().__init__(scope, id_)
        self.role = IamRole(self, "role", name=name, description=f"ETL of the {domain} domain",
                            # The Glue service, no conditions: AWS documents no confused-deputy keys for Glue job
                            # roles, and a condition Glue does not set would stop every job.
                            assume_role_policy=pd.trust_document("GlueJobs", {"Service": "glue.amazonaws.com"}),
                            max_session_duration=3600)
        self.arn = naming.role_arn(account, name)
        # Its tables in the governance catalog, and the same-named resource link to them in its own catalog.
        own_catalog = [*pd.glue_catalog_arns(region, governance, naming.central_database_name(domain)),
                       *pd.glue_catalog_arns(region, account, naming.resource_link_name(domain))]
        bucket_arns = [naming.bucket_arn(b) for b in buckets]
        IamRolePolicy(self, "policy", role=self.role.name, name="domain-etl", policy=pd.document([
            pd.statement("OwnLakeObjects", S3_OBJECT_RW, [f"{arn}/*" for arn in bucket_arns]),
            pd.statement("OwnLakeBuckets", ["s3:GetBucketLocation", "s3:ListBucket"], bucket_arns),
            pd.statement("OwnLakeKey", ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                         [key_arn]),
            pd.statement("OwnTablesInGovernanceCatalog", [*pd.GLUE_READ_ACTIONS, *PARTITION_WRITE_ACTIONS],
                         own_catalog),
            *read_statements,
            *pipeline_statements,
        ]))
