"""The role a producer's namespace holds for COPY: read the domain's analytics bucket (and its key, through S3
only). Trusted by Redshift and Redshift Serverless for this account only
(https://docs.aws.amazon.com/redshift/latest/mgmt/authorizing-redshift-service.html)."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd


class CopyRole(Construct):
    """Args: name (naming.redshift_role_name), account, region, bucket (the analytics bucket), key_arn (its key).

    Attributes: role, arn (literal, derived from the name), policy."""

    def __init__(self, scope: Construct, id_: str, *, name: str, account: str, region: str, bucket: str,
                 key_arn: str):
        super().__init__(scope, id_)
        self.arn = naming.role_arn(account, name)
        self.role = IamRole(
            self, "role", name=name, description="Redshift: COPY from the domain's analytics bucket",
            assume_role_policy=pd.trust_document(
                "RedshiftOfThisAccount", {"Service": ["redshift-serverless.amazonaws.com", "redshift.amazonaws.com"]},
                condition={"StringEquals": {"aws:SourceAccount": account}}),
            max_session_duration=3600)
        self.policy = IamRolePolicy(self, "policy", role=self.role.name, name="copy", policy=pd.document([
            pd.statement("ListAnalytics", ["s3:GetBucketLocation", "s3:ListBucket"], [naming.bucket_arn(bucket)]),
            pd.statement("ReadAnalytics", ["s3:GetObject"], [f"{naming.bucket_arn(bucket)}/*"]),
            pd.statement("AnalyticsKey", ["kms:Decrypt"], [key_arn], condition=pd.via_service("s3", region)),
        ]))
