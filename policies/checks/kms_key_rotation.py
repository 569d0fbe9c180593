"""CKV_MESH_KMS_KEY_ROTATION — symmetric customer-managed KMS keys rotate automatically.

Why: the lake, catalog and query-result keys protect years of data; yearly rotation limits what one leaked key
version can decrypt and is expected by every baseline (CIS, Security Hub KMS.4). Asymmetric and HMAC keys cannot
rotate automatically in AWS, so only SYMMETRIC_DEFAULT keys (the default spec) are held to it.
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, is_true


class KmsKeyRotation(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Symmetric KMS keys have automatic rotation enabled",
            id="CKV_MESH_KMS_KEY_ROTATION",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_kms_key"],
            guideline="Set enable_key_rotation=True (and rotation_period_in_days, 365 by default) on the aws_kms_key.",
        )

    def problems(self, conf: dict):
        if attr(conf, "customer_master_key_spec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT":
            return
        if not is_true(conf.get("enable_key_rotation")):
            yield "enable_key_rotation is not true"


check = KmsKeyRotation()
