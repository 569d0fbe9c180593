"""A domain's Glue role for jobs in Lake Formation fine-grained access (FGAC) mode: the only way a Glue job reads a
product shared to the domain through a data cells filter or a column list.

Why a second role next to the ETL role: a Glue job runs in exactly one Lake Formation access mode. Full-table
access (the ETL role: reads whole tables, writes the domain's own tables) cannot read filtered tables; FGAC mode
(`--enable-lakeformation-fine-grained-access true`, Glue 5.0) enforces row, column and cell filters but is for
reading (https://docs.aws.amazon.com/glue/latest/dg/security-lf-enable.html). So a pipeline that needs filtered
input runs an FGAC job with this role that reads the filtered product and writes plain files to the domain's own
stage bucket under `imports/`; the domain's ETL jobs continue from there. This role holds no Lake Formation
permission on the domain's own tables and no access to its analytics bucket.
"""
from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd
from modules.types import Statement

FGAC_JOB_ARGUMENT = "--enable-lakeformation-fine-grained-access"
IMPORTS_PREFIX = "imports/"


class FgacReaderRole(Construct):
    """The domain's Glue role for jobs in fine-grained access mode (why: the module docstring).

    Args:
        name: the role name (naming.etl_fgac_role_name).
        account: the domain's account (where the role lives; its ARN).
        domain: the domain it belongs to (descriptions only).
        stage_bucket: the domain's stage bucket; the role writes only under `imports/`.
        key_arn: the domain's lake key (the stage bucket's SSE-KMS key).
        read_statements: IAM for the shared catalog it reads (mesh_access_policy.shared_catalog_statements).
        pipeline_statements: what a pipeline's import job needs besides data (pipeline/runtime_access.py: artifacts
            read-only, job logs); default none.

    Attributes:
        role: the `aws_iam_role` (re-grants depend on it).
        arn: the role ARN, derived from the name (no cross-stack reference).
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, account: str, domain: str, stage_bucket: str,
                 key_arn: str, read_statements: Sequence[Statement], pipeline_statements: Sequence[Statement] = ()):
        super().__init__(scope, id_)
        self.role = IamRole(
            self, "role", name=name,
            description=f"{domain}: Glue jobs in Lake Formation fine-grained access mode (filtered reads)",
            assume_role_policy=pd.trust_document("GlueJobs", {"Service": "glue.amazonaws.com"}),
            max_session_duration=3600)
        self.arn = naming.role_arn(account, name)
        stage = naming.bucket_arn(stage_bucket)
        IamRolePolicy(self, "policy", role=self.role.name, name="fgac-read", policy=pd.document([
            *read_statements,
            # Delete: a snapshot is written under imports/<product>/_tmp/ and moved into place (copy + delete on S3).
            pd.statement("WriteImportsToStage", ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject",
                                                 "s3:PutObject"],
                         [f"{stage}/{IMPORTS_PREFIX}*"]),
            pd.statement("ListImports", ["s3:GetBucketLocation", "s3:ListBucket"], [stage]),
            pd.statement("StageKey", ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                         [key_arn]),
            *pipeline_statements,
        ]))
