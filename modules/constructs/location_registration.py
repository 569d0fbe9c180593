"""Registers a domain's analytics bucket with the governance account's Lake Formation, through a role of the
governance account (a location in another account cannot use the service-linked role). Lake Formation assumes
this role to vend data credentials to consumers, so consumers never need the producer's bucket or key.

The other side of the registration lives in the domain account: `registration_key_statement` and
`registration_bucket_statements` are what the domain's key and analytics-bucket policies must say for the role."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.lakeformation_resource import LakeformationResource
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd
from modules.types import Dependencies, Statement


def registration_key_statement(registration_role_arn: str, region: str) -> Statement:
    """Key-policy statement for the domain's lake key: the governance account's registration role uses it, through
    S3 only (what Lake Formation's vended credentials do with the bucket's objects)."""
    return pd.statement("LakeFormationRegistrationRoleThroughS3", pd.LOCATION_KMS_ACTIONS, "*",
                        principal={"AWS": registration_role_arn}, condition=pd.via_service("s3", region))


def registration_bucket_statements(registration_role_arn: str, bucket: str) -> list[Statement]:
    """Bucket-policy statements for the registered (analytics) bucket: the registration role, from the governance
    account, may read and write its objects (a cross-account caller needs both its own IAM and the bucket policy)."""
    arn = naming.bucket_arn(bucket)
    return [
        pd.statement("LakeFormationRegistrationRoleObjects", pd.LOCATION_OBJECT_ACTIONS, [f"{arn}/*"],
                     principal={"AWS": registration_role_arn}),
        pd.statement("LakeFormationRegistrationRoleBucket", pd.LOCATION_BUCKET_ACTIONS, [arn],
                     principal={"AWS": registration_role_arn}),
    ]


class LocationRegistration(Construct):
    """A registered location (the domain's analytics bucket) with its own registration role.

    Args:
        role_name: naming.lf_registration_role_name (one role per domain: a role reaches exactly one bucket).
        bucket: the domain's analytics bucket (its bucket and key policies trust this role: modules/stacks/domain.py).
        domain_account: the bucket's account (the role may use that account's keys, through S3 only).
        region: the mesh region.
        after: what registration waits for (the governance LF settings: the deploy role must be an admin).

    Attributes:
        role: the `aws_iam_role` Lake Formation assumes.
        resource: the `aws_lakeformation_resource` (grants on the location and tables in it depend on it).
    """

    def __init__(self, scope: Construct, id_: str, *, role_name: str, bucket: str, domain_account: str,
                 region: str, after: Dependencies):
        super().__init__(scope, id_)
        bucket_arn = naming.bucket_arn(bucket)
        # The trust AWS documents for registration roles: the Lake Formation service, no conditions (whether LF
        # sets aws:SourceAccount when it assumes the role is not documented; a condition it does not meet would
        # silently break every data access).
        trust = pd.trust_document("LakeFormationOnly", {"Service": "lakeformation.amazonaws.com"})
        self.role = IamRole(self, "role", name=role_name, assume_role_policy=trust,
                            description=f"Lake Formation access to {bucket}", max_session_duration=3600)
        policy = IamRolePolicy(self, "policy", role=self.role.name, name="registered-location", policy=pd.document([
            pd.statement("ObjectsOfTheRegisteredBucket", pd.LOCATION_OBJECT_ACTIONS, [f"{bucket_arn}/*"]),
            pd.statement("TheRegisteredBucket", pd.LOCATION_BUCKET_ACTIONS, [bucket_arn]),
            # Key ARNs are not deterministic: scope to the domain account's keys, used through S3 only.
            pd.statement("DomainKeyThroughS3", pd.LOCATION_KMS_ACTIONS,
                         [f"arn:aws:kms:{region}:{domain_account}:key/*"], condition=pd.via_service("s3", region)),
        ]))
        self.resource = LakeformationResource(
            self, "location", arn=bucket_arn, role_arn=self.role.arn, use_service_linked_role=False,
            hybrid_access_enabled=False, depends_on=[policy, *after])

