"""IAM for a subscriber's principals: Lake Formation decides *what* data they read, but every call still needs
IAM permission (Glue metadata in the own and the governance catalog, LF data access, the Athena workgroup, the
results bucket and keys). One customer-managed policy, attached to each principal role of the account."""
from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd
from modules.constructs.catalog_encryption import catalog_key_iam_statement
from modules.types import Statement


def shared_catalog_statements(region: str, account: str, governance: str, domains: Sequence[str]) -> list[Statement]:
    # Athena resolves unqualified names against the account's `default` database.
    glue = [f"arn:aws:glue:{region}:{account}:catalog", f"arn:aws:glue:{region}:{account}:database/default"]
    for domain in domains:
        glue += pd.glue_catalog_arns(region, account, naming.resource_link_name(domain))
        glue += pd.glue_catalog_arns(region, governance, naming.central_database_name(domain))
    statements = [
        # GetDataAccess has no resource-level permissions: "*" is the documented form.
        pd.statement("LakeFormationDataAccess", ["lakeformation:GetDataAccess"], "*"),
        # The governance catalog is encrypted with its CMK; its key policy lets mesh accounts use it via Glue.
        catalog_key_iam_statement(region, governance),
    ]
    if glue:
        statements.insert(0, pd.statement("ReadSharedCatalog", pd.GLUE_READ_ACTIONS, sorted(set(glue))))
    return statements


class MeshAccessPolicy(Construct):
    """Args:
        name: naming.access_policy_name; description: shown in IAM.
        statements: the policy (shared_catalog_statements, plus e.g. AthenaWorkgroupConstruct.query_statements()).
        principals: roles of this account to attach it to (they pre-exist; `meshform preflight` checks them).

    Attributes:
        policy: the `aws_iam_policy`.
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, description: str, statements: Sequence[Statement],
                 principals: list[str]):
        super().__init__(scope, id_)
        self.policy = IamPolicy(self, "policy", name=name, description=description,
                                policy=pd.document(list(statements)))
        for principal in principals:
            role = naming.role_name_from_arn(principal)
            IamRolePolicyAttachment(self, f"attach_{role}", role=role, policy_arn=self.policy.arn)
