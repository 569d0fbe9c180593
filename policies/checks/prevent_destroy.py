"""CKV_MESH_PREVENT_DESTROY — resources whose loss loses data or resets the mesh have lifecycle.prevent_destroy.

Why: a `terraform destroy` or a rename in the spec must not delete a lake bucket (the data), a KMS key (every
object it encrypted becomes unreadable), the Lake Formation settings (an account singleton: deleting it resets
CROSS_ACCOUNT_VERSION and clears the admins) or a RAM share accepter (leaving the share cuts access to every
resource in it). https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle#prevent_destroy
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import block, is_true


class PreventDestroy(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Buckets, KMS keys, Lake Formation settings and RAM share accepters have prevent_destroy",
            id="CKV_MESH_PREVENT_DESTROY",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_s3_bucket", "aws_kms_key", "aws_lakeformation_data_lake_settings",
                                 "aws_ram_resource_share_accepter"],
            guideline="Set lifecycle={'prevent_destroy': True} on the construct (TerraformResourceLifecycle).",
        )

    def problems(self, conf: dict):
        if not is_true(block(conf, "lifecycle").get("prevent_destroy")):
            yield "lifecycle.prevent_destroy is not true"


check = PreventDestroy()
