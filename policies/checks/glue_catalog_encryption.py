"""CKV_MESH_GLUE_CATALOG_ENCRYPTION — the Glue Data Catalog is encrypted with a customer-managed KMS key, and
connection passwords are returned encrypted.

Why: the central catalog holds every data product's schema, locations and column classifications and is shared
with all mesh accounts; an AWS-managed key (alias/aws/glue) cannot be granted to other accounts, so a shared
catalog needs a customer key whose policy names the readers
(https://docs.aws.amazon.com/glue/latest/dg/encrypt-glue-data-catalog.html; docs/aws-rules.md, "Encryption").
Connection passwords must never come back in clear text from GetConnection
(https://docs.aws.amazon.com/glue/latest/webapi/API_ConnectionPasswordEncryption.html).
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, block, is_aws_managed_key, is_true

KMS_MODES = ("SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE")


class GlueCatalogEncryption(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Glue Data Catalog uses SSE-KMS with a customer key and encrypts connection passwords",
            id="CKV_MESH_GLUE_CATALOG_ENCRYPTION",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_glue_data_catalog_encryption_settings"],
            guideline="Set encryption_at_rest={catalog_encryption_mode: 'SSE-KMS', sse_aws_kms_key_id: <catalog CMK "
                      "ARN>} and connection_password_encryption={return_connection_password_encrypted: True, "
                      "aws_kms_key_id: <catalog CMK ARN>}.",
        )

    def problems(self, conf: dict):
        settings = block(conf, "data_catalog_encryption_settings")
        at_rest = block(settings, "encryption_at_rest")
        mode, key = attr(at_rest, "catalog_encryption_mode"), attr(at_rest, "sse_aws_kms_key_id")
        if mode not in KMS_MODES:
            yield f"catalog_encryption_mode is {mode!r}, expected SSE-KMS"
        elif not key:
            yield "sse_aws_kms_key_id is not set (the AWS-managed aws/glue key would be used)"
        elif is_aws_managed_key(key):
            yield f"sse_aws_kms_key_id {key!r} is an AWS-managed key"
        passwords = block(settings, "connection_password_encryption")
        password_key = attr(passwords, "aws_kms_key_id")
        if not is_true(passwords.get("return_connection_password_encrypted")):
            yield "connection_password_encryption.return_connection_password_encrypted is not true"
        if not password_key:
            yield "connection_password_encryption.aws_kms_key_id is not set"
        elif is_aws_managed_key(password_key):
            yield f"connection_password_encryption.aws_kms_key_id {password_key!r} is an AWS-managed key"


check = GlueCatalogEncryption()
