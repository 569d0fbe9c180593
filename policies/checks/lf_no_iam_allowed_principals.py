"""CKV_MESH_LF_NO_IAM_ALLOWED_PRINCIPALS — Lake Formation settings never grant new databases/tables to
IAM_ALLOWED_PRINCIPALS.

Why: IAMAllowedPrincipals and Lake Formation grants are mutually exclusive: while that group holds permissions on a
new database or table, plain IAM decides access (any role with glue:GetTable + s3:GetObject reads it, column
filters are bypassed), and cross-account sharing requires that it has no permissions on shared resources.
Omitting the two default-permission blocks clears them (PutDataLakeSettings replaces the whole settings:
docs/aws-rules.md, "Lake Formation sharing").
"""
from __future__ import annotations

from checkov.common.models.enums import CheckCategories

from mesh_check import MeshCheck
from mesh_facts import attr, blocks

DEFAULTS = ("create_database_default_permissions", "create_table_default_permissions")


class LfNoIamAllowedPrincipals(MeshCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Lake Formation settings do not give new databases/tables to IAM_ALLOWED_PRINCIPALS",
            id="CKV_MESH_LF_NO_IAM_ALLOWED_PRINCIPALS",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_lakeformation_data_lake_settings"],
            guideline="Omit create_database_default_permissions and create_table_default_permissions from "
                      "aws_lakeformation_data_lake_settings (omitting them clears the defaults).",
        )

    def problems(self, conf: dict):
        for name in DEFAULTS:
            for default in blocks(conf, name):
                if str(attr(default, "principal", "")).upper() == "IAM_ALLOWED_PRINCIPALS":
                    yield f"{name} grants to IAM_ALLOWED_PRINCIPALS"


check = LfNoIamAllowedPrincipals()
