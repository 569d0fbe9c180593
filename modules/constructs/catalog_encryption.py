"""Glue Data Catalog encryption (metadata at rest and connection passwords) with a customer-managed key:
AWS-managed keys cannot be shared, and a shared catalog must be readable by the other mesh accounts.

This module also owns every statement about that key: the key-policy statement for the mesh accounts and the IAM
statement their roles need. Athena and Glue callers of an encrypted catalog need `kms:GenerateDataKey`,
`kms:Decrypt` and `kms:Encrypt` on the catalog key (reads included: Glue re-encrypts what it caches for the
caller), plus `kms:DescribeKey`
(https://docs.aws.amazon.com/athena/latest/ug/access-encrypted-data-glue-data-catalog.html,
https://docs.aws.amazon.com/glue/latest/dg/encrypt-glue-data-catalog.html). Every use is limited to calls made
through Glue (`kms:ViaService`), so the key never decrypts anything outside the catalog.
"""
from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.glue_data_catalog_encryption_settings import GlueDataCatalogEncryptionSettings
from constructs import Construct

from meshform import naming
from modules import policy_documents as pd
from modules.types import Statement

CATALOG_KEY_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]


def catalog_key_policy_statements(region: str, mesh_accounts: Sequence[str]) -> list[Statement]:
    """Key-policy statement: the other mesh accounts (each delegates further with IAM) use the key through Glue."""
    if not mesh_accounts:
        return []
    return [pd.statement("MeshAccountsUseCatalogThroughGlue", CATALOG_KEY_ACTIONS, "*",
                         principal={"AWS": sorted(naming.account_root_arn(a) for a in mesh_accounts)},
                         condition=pd.via_service("glue", region))]


def catalog_key_iam_statement(region: str, governance: str) -> Statement:
    """IAM statement for a role in another mesh account that reads (or writes partitions of) the shared catalog.
    The key id is not known across accounts without a cross-stack reference: any key of the governance account,
    through Glue only; the key policy decides which key that is."""
    return pd.statement("GovernanceCatalogKeyThroughGlue", CATALOG_KEY_ACTIONS,
                        [f"arn:aws:kms:{region}:{governance}:key/*"], condition=pd.via_service("glue", region))


class CatalogEncryption(Construct):
    """Encrypts the account's Data Catalog with `kms_key_arn`.

    Args:
        kms_key_arn: the customer-managed key (its policy must include `catalog_key_policy_statements`).

    Attributes:
        settings: the `aws_glue_data_catalog_encryption_settings` resource (catalog objects depend on it: metadata
            is only encrypted when written after encryption is on).
    """

    def __init__(self, scope: Construct, id_: str, *, kms_key_arn: str):
        super().__init__(scope, id_)
        self.settings = GlueDataCatalogEncryptionSettings(
            self, "settings",
            data_catalog_encryption_settings={
                "encryption_at_rest": {"catalog_encryption_mode": "SSE-KMS", "sse_aws_kms_key_id": kms_key_arn},
                "connection_password_encryption": {"return_connection_password_encrypted": True,
                                                   "aws_kms_key_id": kms_key_arn},
            },
        )
