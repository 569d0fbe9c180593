"""Customer-managed KMS key with rotation, an explicit key policy and an alias."""
from __future__ import annotations

from collections.abc import Sequence

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd
from modules.types import Statement


class EncryptionKey(Construct):
    """A symmetric CMK. Administration: the deploy role and the account root (so the key can never become
    unmanageable); use: IAM principals of the own account (delegated through the root principal) plus any
    `extra_statements` (e.g. AWS services or named roles of other mesh accounts).

    Args:
        account_id: the key's account (its root administers and delegates use through IAM).
        deploy_role_arn: the role Terraform uses; it administers the key.
        alias: `alias/<prefix>-<env>-<owner>-<purpose>` (naming.kms_alias).
        description: shown in the console.
        extra_statements: further key-policy statements (default: none). Never `kms:*` or a `*` principal: the
            mesh's CKV_MESH_KMS_KEY_POLICY rule rejects them.

    Attributes:
        key: the `aws_kms_key` (destroy-protected, rotation on).
        arn: its ARN (a Terraform reference).
    """

    def __init__(self, scope: Construct, id_: str, *, account_id: str, deploy_role_arn: str, alias: str,
                 description: str, extra_statements: Sequence[Statement] | None = None):
        super().__init__(scope, id_)
        root = naming.account_root_arn(account_id)
        statements = [
            pd.statement("KeyAdministration", pd.KMS_ADMIN_ACTIONS, "*",
                         principal={"AWS": sorted({root, deploy_role_arn})}),
            pd.statement("KeyUseWithinAccount", pd.KMS_USE_ACTIONS, "*", principal={"AWS": root}),
            *(extra_statements or []),
        ]
        self.key = KmsKey(
            self, "key",
            description=description,
            # Yearly rotation: AWS's default period (not set explicitly: moto reads it back as 0 and drifts).
            enable_key_rotation=True,
            deletion_window_in_days=30,
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            bypass_policy_lockout_safety_check=False,
            policy=pd.document(statements),
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
        KmsAlias(self, "alias", name=alias, target_key_id=self.key.key_id)

    @property
    def arn(self) -> str:
        return self.key.arn
