"""Glue Data Catalog encryption (metadata at rest and connection passwords) with a customer-managed key:
AWS-managed keys cannot be shared, and a shared catalog must be readable by the other mesh accounts."""
from __future__ import annotations

from cdktf_cdktf_provider_aws.glue_data_catalog_encryption_settings import GlueDataCatalogEncryptionSettings
from constructs import Construct


class CatalogEncryption(Construct):
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
